import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAlicloud, type FakeAlicloud } from './index.js';

/** The metadata service over plain HTTP, the way the project's metadata client reaches it. */

let fake: FakeAlicloud;
let clock: number;

beforeEach(async () => {
  clock = Date.parse('2026-03-01T00:00:00Z');
  fake = await startFakeAlicloud({ region: 'cn-shanghai', now: () => clock });
});

afterEach(async () => {
  await fake.close();
});

async function sessionToken(ttl = '300'): Promise<string> {
  const response = await fetch(`${fake.url}/latest/api/token`, {
    method: 'PUT',
    headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': ttl },
  });
  expect(response.status).toBe(200);
  return response.text();
}

const get = (path: string, token?: string) =>
  fetch(`${fake.url}${path}`, { headers: token === undefined ? {} : { 'X-aliyun-ecs-metadata-token': token } });

const CREDENTIALS = '/latest/meta-data/ram/security-credentials/KubernetesWorkerRole';

describe('metadata session tokens', () => {
  it.each([
    ['missing', undefined, 400],
    ['zero', '0', 400],
    ['over 21600 seconds', '21601', 400],
    ['not a number', 'soon', 400],
    ['one second', '1', 200],
    ['21600 seconds', '21600', 200],
  ])('a TTL header that is %s gets HTTP %i', async (_what, ttl, status) => {
    const headers: Record<string, string> = ttl === undefined ? {} : { 'X-aliyun-ecs-metadata-token-ttl-seconds': ttl };
    expect((await fetch(`${fake.url}/latest/api/token`, { method: 'PUT', headers })).status).toBe(status);
  });

  it('refuses an unknown token and a token past its TTL with 401', async () => {
    expect((await get('/latest/meta-data/region-id', 'made-up')).status).toBe(401);
    const token = await sessionToken('60');
    expect(await (await get('/latest/meta-data/region-id', token)).text()).toBe('cn-shanghai');
    clock += 60_000;
    expect((await get('/latest/meta-data/region-id', token)).status).toBe(401);
  });
});

describe('metadata credentials', () => {
  it('answers the documented JSON shape', async () => {
    const token = await sessionToken();
    const response = await get(CREDENTIALS, token);
    const body = (await response.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual([
      'AccessKeyId',
      'AccessKeySecret',
      'Code',
      'Expiration',
      'LastUpdated',
      'SecurityToken',
    ]);
    expect(body).toMatchObject({
      Code: 'Success',
      Expiration: '2026-03-01T06:00:00Z',
      LastUpdated: '2026-03-01T00:00:00Z',
    });
  });

  it('hands out the same credentials until half their lifetime is used, then fresh ones', async () => {
    const token = await sessionToken('21600');
    const read = async () => ((await (await get(CREDENTIALS, token)).json()) as Record<string, string>).AccessKeyId;
    const first = await read();
    clock += 3 * 3600_000 - 1000;
    expect(await read()).toBe(first);
    clock += 2000;
    expect(await read()).not.toBe(first);
  });

  it('answers 404 for another role name and when no role is attached', async () => {
    const token = await sessionToken();
    expect((await get('/latest/meta-data/ram/security-credentials/SomeOtherRole', token)).status).toBe(404);
    fake.metadata.roleName = undefined;
    expect((await get('/latest/meta-data/ram/security-credentials/', token)).status).toBe(404);
    expect((await get(CREDENTIALS, token)).status).toBe(404);
  });

  it('follows a changed role name and principal', async () => {
    fake.metadata.roleName = 'NodePool2';
    fake.metadata.principal = 'role/NodePool2';
    const token = await sessionToken();
    expect(await (await get('/latest/meta-data/ram/security-credentials/', token)).text()).toBe('NodePool2');
    expect((await get('/latest/meta-data/ram/security-credentials/NodePool2', token)).status).toBe(200);
    expect((await get(CREDENTIALS, token)).status).toBe(404);
  });

  it('applies faults to a single metadata action and records every request', async () => {
    fake.fault('MetadataCredentials', { status: 500, times: 1 });
    const token = await sessionToken();
    expect((await get(CREDENTIALS, token)).status).toBe(500);
    expect((await get(CREDENTIALS, token)).status).toBe(200);
    expect(fake.requests.map((r) => [r.action, r.method, r.status])).toEqual([
      ['MetadataToken', 'PUT', 200],
      ['MetadataCredentials', 'GET', 500],
      ['MetadataCredentials', 'GET', 200],
    ]);
    expect(fake.requests.every((r) => Object.keys(r.params).length === 0)).toBe(true);
  });

  it('drops the connection of every metadata path while down, and comes back', async () => {
    fake.metadata.down = true;
    await expect(
      fetch(`${fake.url}/latest/api/token`, {
        method: 'PUT',
        headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '60' },
      }),
    ).rejects.toThrow();
    fake.metadata.down = false;
    await sessionToken();
    expect(fake.requests.map((r) => r.status)).toEqual([0, 200]);
  });
});
