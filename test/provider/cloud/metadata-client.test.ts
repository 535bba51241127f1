import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAlicloud, type FakeAlicloud } from '../../fakes/alicloud/index.js';
import { CloudError } from '../../../provider/cloud/cloud-error.js';
import {
  fetchNodeCredentials,
  fetchNodeRegion,
  type MetadataOptions,
} from '../../../provider/cloud/metadata-client.js';
import { nodeIdentity } from '../../../provider/cloud/node-identity.js';
import { startBudget } from '../../../provider/cloud/retry.js';
import { testClock, testPolicy, failureOf } from './cloud-test-support.js';

let fake: FakeAlicloud;

beforeEach(async () => {
  fake = await startFakeAlicloud({ region: 'cn-shanghai' });
});

afterEach(async () => {
  await fake.close();
});

const options = (over: Partial<MetadataOptions> = {}): MetadataOptions => ({
  baseUrl: fake.url,
  allowImdsV1: false,
  budget: startBudget(testPolicy, testClock()),
  ...over,
});

describe('fetchNodeCredentials', () => {
  it('reads the RAM role credentials with an IMDSv2 session token', async () => {
    const credentials = await fetchNodeCredentials(options());
    expect(credentials.identity).toBe('role/KubernetesWorkerRole');
    expect(credentials.accessKeyId).toMatch(/^STS\./);
    expect(credentials.securityToken).toMatch(/^CAIS/);
    expect(credentials.expiresAt).toBeGreaterThan(Date.now());
    expect(fake.requests.map((r) => [r.action, r.method, r.status])).toEqual([
      ['MetadataToken', 'PUT', 200],
      ['MetadataRole', 'GET', 200],
      ['MetadataCredentials', 'GET', 200],
    ]);
  });

  it('reports the missing token when the service issues none and IMDSv1 is not allowed', async () => {
    fake.fault('MetadataToken', { status: 404 });
    const f = await failureOf(fetchNodeCredentials(options()));
    expect(f).toMatchObject({
      action: 'MetadataToken',
      code: 'MetadataTokenUnavailable',
      httpStatus: 404,
      retryable: false,
    });
    expect(fake.count('MetadataRole')).toBe(0);
  });

  it('falls back to IMDSv1 when allowed, and says IMDSv2 is required when the instance refuses it', async () => {
    fake.fault('MetadataToken', { status: 404 });
    const f = await failureOf(fetchNodeCredentials(options({ allowImdsV1: true })));
    expect(f).toMatchObject({ action: 'MetadataRole', code: 'MetadataTokenRequired', httpStatus: 403 });
    expect(f.fix).toContain('metadata requires IMDSv2 token');
  });

  it('works over IMDSv1 when both sides allow it', async () => {
    fake.fault('MetadataToken', { status: 404 });
    fake.metadata.imdsV1Allowed = true;
    const credentials = await fetchNodeCredentials(options({ allowImdsV1: true }));
    expect(credentials.identity).toBe('role/KubernetesWorkerRole');
    expect(fake.count('MetadataCredentials')).toBe(1);
  });

  it('names the missing RAM role and the fix', async () => {
    fake.metadata.roleName = undefined;
    const f = await failureOf(fetchNodeCredentials(options()));
    expect(f).toMatchObject({ action: 'MetadataRole', code: 'NoRamRole', retryable: false });
    expect(f.fix).toMatch(/attach a worker RAM role.*ALIBABA_CLOUD_ACCESS_KEY_ID/);
  });

  it('retries a metadata service that is down a few times, then says it is unreachable', async () => {
    fake.metadata.down = true;
    const clock = testClock();
    const f = await failureOf(fetchNodeCredentials(options({ budget: startBudget(testPolicy, clock) })));
    expect(f).toMatchObject({ action: 'MetadataToken', code: 'MetadataUnavailable', retryable: true });
    expect(f.message).toMatch(/gave up after 3 attempts/);
    expect(f.fix).toMatch(/metadata unreachable; attach a worker RAM role .* or set ALIBABA_CLOUD_ACCESS_KEY_ID/);
    expect(fake.count('MetadataToken')).toBe(3);
    expect(clock.slept).toHaveLength(2);
  });

  it('times out a metadata service that does not answer', async () => {
    fake.fault('MetadataToken', { latencyMs: 1_000, times: 1 });
    const budget = startBudget({ ...testPolicy, callTimeoutMs: 100 }, testClock());
    const credentials = await fetchNodeCredentials(options({ budget }));
    expect(credentials.identity).toBe('role/KubernetesWorkerRole');
    expect(fake.count('MetadataToken')).toBe(2);
  });

  it('never puts the credentials it read into an error', async () => {
    const good = await fetchNodeCredentials(options());
    fake.fault('MetadataCredentials', { status: 500, times: 5 });
    const f = await failureOf(fetchNodeCredentials(options()));
    for (const text of [f.message, f.fix]) {
      expect(text).not.toContain(good.accessKeySecret);
      expect(text).not.toContain(good.securityToken);
    }
  });
});

describe('fetchNodeRegion', () => {
  it('reads the region ID', async () => {
    await expect(fetchNodeRegion(options())).resolves.toBe('cn-shanghai');
    expect(fake.count('MetadataRegion')).toBe(1);
  });
});

describe('the IMDSv2 session token', () => {
  it('is shared by the reads of one run, and a failed request is not kept', async () => {
    const run = options();
    await fetchNodeRegion(run);
    await fetchNodeCredentials(run);
    expect(fake.count('MetadataToken')).toBe(1);
    expect(fake.count('MetadataCredentials')).toBe(1);

    await fetchNodeRegion(options());
    expect(fake.count('MetadataToken')).toBe(2);

    fake.fault('MetadataToken', { status: 404, times: 1 });
    const retried = options();
    await expect(fetchNodeRegion(retried)).rejects.toThrow(CloudError);
    await expect(fetchNodeRegion(retried)).resolves.toBe('cn-shanghai');
    expect(fake.count('MetadataToken')).toBe(4);
  });
});

describe('nodeIdentity', () => {
  it('prefers ALIBABA_CLOUD_ACCESS_KEY_* and never asks the metadata service then', async () => {
    const credentials = await nodeIdentity(
      {
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-offcloud',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'offcloud-secret',
        ALIBABA_CLOUD_SECURITY_TOKEN: 'CAIStoken',
      },
      options(),
    );
    expect(credentials).toEqual({
      accessKeyId: 'LTAI-offcloud',
      accessKeySecret: 'offcloud-secret',
      securityToken: 'CAIStoken',
      expiresAt: undefined,
      identity: 'accessKey LTAI-offcloud',
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('uses the RAM role when no AccessKey is in the environment', async () => {
    await expect(nodeIdentity({}, options())).resolves.toMatchObject({ identity: 'role/KubernetesWorkerRole' });
  });

  it.each([{ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-half' }, { ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'half-secret-value' }])(
    'refuses half an AccessKey: %j',
    async (env) => {
      const f = await failureOf(nodeIdentity(env, options()));
      expect(f.code).toBe('IncompleteEnvironmentCredentials');
      expect(f.message).not.toContain('half-secret-value');
      expect(fake.requests).toHaveLength(0);
    },
  );
});
