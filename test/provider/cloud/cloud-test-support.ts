// Shared set-up for the cloud client tests: a clock whose sleeps return at
// once (and advance its time), and a context pointing every API at the fake.
import { expect } from 'vitest';
import { CloudError, type CloudFailure } from '../../../provider/cloud/cloud-error.js';
import type { CloudContext } from '../../../provider/cloud/openapi-call.js';
import { type Clock, type RetryPolicy, startBudget } from '../../../provider/cloud/retry.js';
import { endpointsFromEnvironment } from '../../../provider/cloud/endpoints.js';

export interface TestClock extends Clock {
  /** Every sleep asked for, in ms. */
  slept: number[];
}

export function testClock(start = Date.now()): TestClock {
  let offset = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => start + offset,
    sleep: async (ms) => {
      slept.push(ms);
      offset += ms;
    },
    random: () => 0.5,
  };
}

export const testPolicy: RetryPolicy = {
  callTimeoutMs: 2_000,
  totalBudgetMs: 40_000,
  maxAttempts: 5,
  baseDelayMs: 300,
  maxDelayMs: 5_000,
};

export function fakeContext(url: string, clock: Clock = testClock(), policy: RetryPolicy = testPolicy): CloudContext {
  const endpoints = endpointsFromEnvironment(
    { ACR_PROVIDER_METADATA_ENDPOINT: url, ACR_PROVIDER_CR_ENDPOINT: url, ACR_PROVIDER_STS_ENDPOINT: url },
    { vpc: false },
  );
  return { endpoints, budget: startBudget(policy, clock) };
}

/** The failure `promise` rejects with; fails the test unless it is a CloudError. */
export async function failureOf(promise: Promise<unknown>): Promise<CloudFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CloudError);
  return (error as CloudError).failure;
}
