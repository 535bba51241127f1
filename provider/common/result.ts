// The result of a step that can fail without it being exceptional: the
// value, or what went wrong for the caller to report. Never a bare string
// that could be either.

export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E };

export function succeeded<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function failedWith<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}
