// Retries of Alibaba Cloud calls. The kubelet kills the provider after 60 s
// and then pulls without credentials, so every call of one provider run
// shares one deadline well inside that, and each attempt gets its own
// timeout. Clock and sleep are injected so tests run without waiting.

import { CloudError, type CloudFailure } from './cloud-error.js';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** In [0, 1): the jitter source. */
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

export interface RetryPolicy {
  /** Timeout of one HTTP attempt. */
  callTimeoutMs: number;
  /** Time all calls of one run may take together. */
  totalBudgetMs: number;
  /** Attempts per call, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  callTimeoutMs: 8_000,
  totalBudgetMs: 40_000,
  maxAttempts: 5,
  baseDelayMs: 300,
  maxDelayMs: 5_000,
};

/** The shared deadline of one run: pass the same budget to every call. */
export interface CallBudget {
  policy: RetryPolicy;
  clock: Clock;
  deadlineAt: number;
}

export function startBudget(policy: RetryPolicy = defaultRetryPolicy, clock: Clock = systemClock): CallBudget {
  return { policy, clock, deadlineAt: clock.now() + policy.totalBudgetMs };
}

/**
 * Delay before retry number `retry` (1 = the first retry): exponential, with
 * jitter so that the many provider processes a node starts at once do not
 * retry in lockstep; the server's retry-after wins when it sent one.
 */
export function backoffDelay(
  retry: number,
  policy: RetryPolicy,
  random: number,
  retryAfterMs: number | undefined,
): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return retryAfterMs;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(exponential / 2 + (exponential / 2) * random);
}

// Below this, an attempt cannot complete; report the deadline instead.
const minimumAttemptMs = 50;

function withNote(failure: CloudFailure, note: string): CloudError {
  return new CloudError({ ...failure, message: `${failure.message} (${note})` });
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable
 * {@link CloudError}, runs out of attempts, or the next try would not fit in
 * the budget. `attempt` receives its timeout. `deadlineError` makes the error
 * for a budget already spent before the first attempt.
 */
export async function withRetries<T>(
  budget: CallBudget,
  attempt: (timeoutMs: number) => Promise<T>,
  deadlineError: () => CloudError,
): Promise<T> {
  const { policy, clock } = budget;
  for (let attemptNumber = 1; ; attemptNumber++) {
    const remaining = budget.deadlineAt - clock.now();
    if (remaining < minimumAttemptMs) throw deadlineError();
    try {
      return await attempt(Math.min(policy.callTimeoutMs, remaining));
    } catch (error) {
      if (!(error instanceof CloudError) || !error.failure.retryable) throw error;
      if (attemptNumber >= policy.maxAttempts) throw withNote(error.failure, `gave up after ${attemptNumber} attempts`);
      const delay = backoffDelay(attemptNumber, policy, clock.random(), error.failure.retryAfterMs);
      if (clock.now() + delay + minimumAttemptMs > budget.deadlineAt) {
        throw withNote(
          error.failure,
          `gave up after ${attemptNumber} attempts: the next retry would pass the ${policy.totalBudgetMs} ms budget`,
        );
      }
      await clock.sleep(delay);
    }
  }
}
