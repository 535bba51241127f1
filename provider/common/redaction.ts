// A last line of defence for output: whatever a report or message carries,
// secret values known to be in the configuration never reach the terminal.

export const REDACTED = '<redacted>';

/** Too short to tell apart from ordinary words; such a "secret" is a placeholder anyway. */
const MIN_SECRET_LENGTH = 4;

/**
 * Plain-text `customAccessKeySecret` values in the ConfigMap data, found by
 * text rather than by parsing, so that even a configuration the parser
 * rejects has its secrets hidden.
 */
export function secretValuesIn(data: Record<string, string>): string[] {
  const values = new Set<string>();
  for (const text of Object.values(data)) {
    for (const match of text.matchAll(/customAccessKeySecret\s*:\s*(?:"([^"]*)"|'([^']*)'|([^\s#"']+))/gi)) {
      const value = match[1] ?? match[2] ?? match[3] ?? '';
      if (value.length >= MIN_SECRET_LENGTH) values.add(value);
    }
  }
  return [...values];
}

export function redactSecrets(text: string, secrets: readonly string[]): string {
  // Longest first, so a secret containing another is hidden whole.
  return [...secrets]
    .sort((a, b) => b.length - a.length)
    .reduce((out, secret) => (secret.length >= MIN_SECRET_LENGTH ? out.split(secret).join(REDACTED) : out), text);
}

/** The same runtime, with `secrets` hidden from everything it prints. */
export function redactingRuntime<R extends { stdout(text: string): void; stderr(text: string): void }>(
  runtime: R,
  secrets: () => readonly string[],
): R {
  return {
    ...runtime,
    stdout: (text: string) => runtime.stdout(redactSecrets(text, secrets())),
    stderr: (text: string) => runtime.stderr(redactSecrets(text, secrets())),
  };
}
