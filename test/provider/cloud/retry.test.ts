import { describe, expect, it } from 'vitest';
import { type CloudError, cloudError, type CallSubject } from '../../../provider/cloud/cloud-error.js';
import { backoffDelay, startBudget, withRetries, type RetryPolicy } from '../../../provider/cloud/retry.js';
import { testClock } from './cloud-test-support.js';

const policy: RetryPolicy = {
  callTimeoutMs: 8_000,
  totalBudgetMs: 40_000,
  maxAttempts: 5,
  baseDelayMs: 300,
  maxDelayMs: 5_000,
};
const subject: CallSubject = {
  action: 'GetAuthorizationToken',
  identity: 'x',
  accessKeyId: 'x',
  endpoint: 'e',
  resource: undefined,
  region: undefined,
  secrets: [],
};
const failure = (code: string, httpStatus?: number, retryAfterMs?: number) =>
  cloudError(subject, { code, httpStatus, detail: 'd', retryAfterMs });
const deadline = () => cloudError(subject, { code: 'DeadlineExceeded', detail: 'no time left' });

describe('backoffDelay', () => {
  it.each<[number, number, number | undefined, number]>([
    [1, 0, undefined, 150],
    [1, 1, undefined, 300],
    [2, 0.5, undefined, 450],
    [3, 0, undefined, 600],
    [10, 1, undefined, 5_000],
    [1, 0.5, 2_000, 2_000],
    [4, 0.5, 0, 0],
  ])('retry %i with random %f and retry-after %s → %i ms', (retry, random, retryAfter, expected) => {
    expect(backoffDelay(retry, policy, random, retryAfter)).toBe(expected);
  });
});

describe('withRetries', () => {
  async function run(outcomes: (CloudError | Error | 'ok')[], over: Partial<RetryPolicy> = {}) {
    const clock = testClock(0);
    const budget = startBudget({ ...policy, ...over }, clock);
    const timeouts: number[] = [];
    let calls = 0;
    const result = withRetries(
      budget,
      async (timeoutMs) => {
        timeouts.push(timeoutMs);
        const outcome = outcomes[calls++] ?? 'ok';
        if (outcome !== 'ok') throw outcome;
        return 'done';
      },
      deadline,
    );
    return { result, clock, timeouts, calls: () => calls };
  }

  it('retries throttling and server errors, then returns the answer', async () => {
    const r = await run([failure('Throttling.User', 400), failure('InternalError', 500), 'ok']);
    await expect(r.result).resolves.toBe('done');
    expect(r.calls()).toBe(3);
    expect(r.clock.slept).toEqual([225, 450]);
  });

  it('honours the server retry-after', async () => {
    const r = await run([failure('Throttling', 400, 1_234), 'ok']);
    await expect(r.result).resolves.toBe('done');
    expect(r.clock.slept).toEqual([1_234]);
  });

  it('does not retry what retrying cannot fix', async () => {
    const r = await run([failure('NoPrivilege', 403), 'ok']);
    await expect(r.result).rejects.toMatchObject({ failure: { code: 'NoPrivilege' } });
    expect(r.calls()).toBe(1);
  });

  it('rethrows errors that are not cloud failures untouched', async () => {
    const bug = new TypeError('bug');
    const r = await run([bug]);
    await expect(r.result).rejects.toBe(bug);
  });

  it('stops after maxAttempts and says so', async () => {
    const r = await run(
      Array.from({ length: 9 }, () => failure('ServiceUnavailable', 503)),
      { maxAttempts: 3 },
    );
    await expect(r.result).rejects.toThrow(/gave up after 3 attempts/);
    expect(r.calls()).toBe(3);
  });

  it('stops when the next retry would pass the budget, keeping the last failure', async () => {
    const r = await run(
      Array.from({ length: 9 }, () => failure('Throttling', 400, 3_000)),
      { totalBudgetMs: 7_000, maxAttempts: 10 },
    );
    await expect(r.result).rejects.toMatchObject({ failure: { code: 'Throttling' } });
    await expect(r.result).rejects.toThrow(/7000 ms budget/);
    expect(r.calls()).toBe(3);
  });

  it('gives each attempt at most the time left in the budget', async () => {
    const r = await run([failure('Timeout'), 'ok'], { totalBudgetMs: 8_100, callTimeoutMs: 8_000 });
    await r.result;
    expect(r.timeouts).toEqual([8_000, 8_100 - 225]);
  });

  it('reports the deadline when the budget is spent before a call', async () => {
    const clock = testClock(0);
    const budget = startBudget(policy, clock);
    await clock.sleep(policy.totalBudgetMs);
    await expect(withRetries(budget, async () => 'never', deadline)).rejects.toMatchObject({
      failure: { code: 'DeadlineExceeded' },
    });
  });
});
