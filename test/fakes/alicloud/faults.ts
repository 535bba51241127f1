/** Injected failures, per action, each for a number of requests and then back to normal. */

export interface Fault {
  status?: number;
  code?: string;
  message?: string;
  /** Sets x-acs-retry-after, which the SDK reads as milliseconds (it sleeps that long, capped at 120 000). */
  retryAfterSeconds?: number;
  /** Answer 200 with IsSuccess:false, as CR does for some failures. */
  isSuccessFalse?: boolean;
  latencyMs?: number;
  /** Destroy the socket without answering. */
  drop?: boolean;
  /** How many requests it applies to; unlimited when absent. */
  times?: number;
}

export type FaultEffect =
  | { kind: 'drop' }
  | { kind: 'error'; status: number; code: string; message: string; headers: Record<string, string> }
  | { kind: 'is-success-false'; code: string; message: string }
  | { kind: 'none' };

export interface ActiveFault {
  latencyMs: number;
  effect: FaultEffect;
}

const DEFAULT_CODE_BY_STATUS: Record<number, string> = {
  400: 'InvalidParameter',
  403: 'Forbidden',
  404: 'NotFound',
  429: 'Throttling.User',
  500: 'InternalError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

const DEFAULT_MESSAGE_BY_CODE: Record<string, string> = {
  Throttling: 'Request was denied due to request throttling.',
  'Throttling.User': 'Request was denied due to user flow control.',
  'Throttling.Api': 'Request was denied due to api flow control.',
  InternalError: 'The request processing has failed due to some unknown error.',
  ServiceUnavailable: 'The request has failed due to a temporary failure of the server.',
};

/** The gateway answers throttling with 400 unless told otherwise; other codes default to a server error. */
function defaultStatus(code: string | undefined): number {
  return code?.startsWith('Throttling') ? 400 : 500;
}

export function effectOf(fault: Fault): FaultEffect {
  if (fault.drop) return { kind: 'drop' };
  if (fault.isSuccessFalse) {
    const code = fault.code ?? 'INTERNAL_ERROR';
    return { kind: 'is-success-false', code, message: fault.message ?? 'The request processing has failed.' };
  }
  if (fault.status === undefined && fault.code === undefined) return { kind: 'none' };
  const status = fault.status ?? defaultStatus(fault.code);
  const code = fault.code ?? DEFAULT_CODE_BY_STATUS[status] ?? (status >= 500 ? 'InternalError' : 'InvalidParameter');
  const message = fault.message ?? DEFAULT_MESSAGE_BY_CODE[code] ?? `Injected ${code}.`;
  const headers: Record<string, string> =
    fault.retryAfterSeconds === undefined
      ? {}
      : { 'x-acs-retry-after': String(Math.round(fault.retryAfterSeconds * 1000)) };
  return { kind: 'error', status, code, message, headers };
}

interface FaultSlot {
  fault: Fault;
  remaining: number;
}

export class FaultTable {
  private readonly slots = new Map<string, FaultSlot>();

  set(action: string, fault: Fault): void {
    this.slots.set(action, { fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.slots.clear();
  }

  /** Consumes one application of the action's fault, if any is left. */
  take(action: string): ActiveFault | undefined {
    const slot = this.slots.get(action);
    if (!slot || slot.remaining <= 0) {
      this.slots.delete(action);
      return undefined;
    }
    slot.remaining -= 1;
    return { latencyMs: slot.fault.latencyMs ?? 0, effect: effectOf(slot.fault) };
  }
}
