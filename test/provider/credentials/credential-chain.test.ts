import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAlicloud, type FakeAlicloud } from '../../fakes/alicloud/index.js';
import type { CloudCredentials } from '../../../provider/cloud/cloud-credentials.js';
import { getAuthorizationToken } from '../../../provider/cloud/cr-client.js';
import { fetchNodeCredentials } from '../../../provider/cloud/metadata-client.js';
import type { CredentialSource, RegistryEntry } from '../../../provider/configuration/model.js';
import { credentialsForEntry, type CredentialContext } from '../../../provider/credentials/credential-chain.js';
import { fakeContext, failureOf } from '../cloud/cloud-test-support.js';

const INSTANCE = 'cri-abc123';
const ROLE_ARN = 'acs:ram::1234:role/acr-reader';
const OIDC_ARN = 'acs:ram::1234:oidc-provider/ack-rrsa-c1';
const OIDC_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLXZhbHVl';

let fake: FakeAlicloud;
let dir: string;
let nodeCalls: number;

beforeEach(async () => {
  fake = await startFakeAlicloud();
  fake.addAccessKey({ accessKeyId: 'LTAI-custom', accessKeySecret: 'custom-secret-value', principal: 'user/custom' });
  fake.addRole({
    arn: ROLE_ARN,
    principal: 'role/acr-reader@1234',
    trustedPrincipals: ['user/custom', 'role/KubernetesWorkerRole', OIDC_ARN],
    maxSessionDuration: 43200,
  });
  fake.addOidcProvider({ arn: OIDC_ARN, token: OIDC_TOKEN });
  fake.addInstance({
    instanceId: INSTANCE,
    instanceName: 'acme',
    region: 'cn-hangzhou',
    domains: [{ domain: 'acme-registry.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' }],
    allowedPrincipals: ['role/acr-reader@1234', 'user/custom'],
  });
  dir = mkdtempSync(join(tmpdir(), 'credential-chain-'));
  nodeCalls = 0;
});

afterEach(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

function context(over: Partial<CredentialContext> = {}): CredentialContext {
  const cloud = fakeContext(fake.url);
  return {
    cloud,
    defaultRegion: 'cn-hangzhou',
    secretsDir: join(dir, 'secrets'),
    rrsaTokenFile: join(dir, 'rrsa', 'token'),
    nodeCredentials: () => {
      nodeCalls++;
      return fetchNodeCredentials({
        baseUrl: cloud.endpoints.metadataBaseUrl,
        allowImdsV1: false,
        budget: cloud.budget,
      });
    },
    ...over,
  };
}

function entry(credentials: CredentialSource, assumeRole?: RegistryEntry['assumeRole']): RegistryEntry {
  return {
    edition: 'enterprise',
    instanceId: INSTANCE,
    index: 0,
    regionId: undefined,
    domains: undefined,
    credentials,
    assumeRole,
  };
}

function writeSecret(path: string, content: string): void {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  writeFileSync(path, content, { mode: 0o600 });
}

/** The credentials are proved by what the fake accepts: a CR token issued to the expected principal. */
async function principalOf(credentials: CloudCredentials): Promise<string | undefined> {
  await getAuthorizationToken(credentials, INSTANCE, 'cn-hangzhou', fakeContext(fake.url));
  return fake.issuedTokens().at(-1)?.principal;
}

describe('credentialsForEntry', () => {
  it('uses the node identity for entries without credentials of their own, fetching it only then', async () => {
    const credentials = await credentialsForEntry(entry({ kind: 'node' }), context());
    expect(credentials.identity).toBe('role/KubernetesWorkerRole');
    expect(nodeCalls).toBe(1);
  });

  it('assumes assumeRoleARN on top of the node identity with the entry duration', async () => {
    const credentials = await credentialsForEntry(
      entry({ kind: 'node' }, { roleArn: ROLE_ARN, durationSeconds: 1800 }),
      context(),
    );
    expect(credentials.identity).toBe(`assumed-role ${ROLE_ARN}`);
    const assume = fake.requests.find((r) => r.action === 'AssumeRole');
    expect(assume).toMatchObject({
      principal: 'role/KubernetesWorkerRole',
      params: { RoleArn: ROLE_ARN, DurationSeconds: '1800', RoleSessionName: 'acr-credential-provider' },
    });
    expect(await principalOf(credentials)).toBe('role/acr-reader@1234');
  });

  it('uses an inline customAccessKey without asking the node', async () => {
    const credentials = await credentialsForEntry(
      entry({
        kind: 'access-key',
        accessKeyId: 'LTAI-custom',
        secret: { kind: 'inline' },
        inlineSecret: 'custom-secret-value',
      }),
      context(),
    );
    expect(credentials).toMatchObject({
      accessKeyId: 'LTAI-custom',
      identity: 'accessKey LTAI-custom',
      securityToken: undefined,
    });
    expect(nodeCalls).toBe(0);
    expect(await principalOf(credentials)).toBe('user/custom');
  });

  it('reads a secret-ref AccessKey secret from the mirrored file, trimmed', async () => {
    writeSecret(join(dir, 'secrets', 'acr-access-key'), 'custom-secret-value\n');
    const credentials = await credentialsForEntry(
      entry(
        { kind: 'access-key', accessKeyId: 'LTAI-custom', secret: { kind: 'secret-ref', key: 'acr-access-key' } },
        { roleArn: ROLE_ARN, durationSeconds: 3600 },
      ),
      context(),
    );
    expect(credentials.identity).toBe(`assumed-role ${ROLE_ARN}`);
    expect(fake.requests.find((r) => r.action === 'AssumeRole')?.principal).toBe('user/custom');
    expect(nodeCalls).toBe(0);
  });

  it('names the missing secret file and the kubectl acr configure fix', async () => {
    const path = join(dir, 'secrets', 'acr-access-key');
    const f = await failureOf(
      credentialsForEntry(
        entry({
          kind: 'access-key',
          accessKeyId: 'LTAI-custom',
          secret: { kind: 'secret-ref', key: 'acr-access-key' },
        }),
        context(),
      ),
    );
    expect(f).toMatchObject({ action: 'ReadAccessKeySecret', code: 'SecretFileMissing', retryable: false });
    expect(f.message).toContain(`ReadAccessKeySecret for ${path}: the file does not exist`);
    expect(f.fix).toContain('kubectl acr configure --access-key-id LTAI-custom');
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses an empty secret file', async () => {
    writeSecret(join(dir, 'secrets', 'acr-access-key'), '  \n');
    const f = await failureOf(
      credentialsForEntry(
        entry({
          kind: 'access-key',
          accessKeyId: 'LTAI-custom',
          secret: { kind: 'secret-ref', key: 'acr-access-key' },
        }),
        context(),
      ),
    );
    expect(f.message).toMatch(/is empty/);
  });

  it('exchanges the RRSA token file for the role, anonymously', async () => {
    writeSecret(join(dir, 'rrsa', 'token'), `${OIDC_TOKEN}\n`);
    const credentials = await credentialsForEntry(
      entry({ kind: 'rrsa', roleArn: ROLE_ARN, oidcProviderArn: OIDC_ARN }),
      context(),
    );
    expect(credentials.identity).toBe(`rrsa ${ROLE_ARN}`);
    expect(fake.requests.map((r) => [r.action, r.accessKeyId])).toEqual([['AssumeRoleWithOIDC', undefined]]);
    expect(nodeCalls).toBe(0);
    expect(await principalOf(credentials)).toBe('role/acr-reader@1234');
  });

  it('names the missing RRSA token file', async () => {
    const f = await failureOf(
      credentialsForEntry(entry({ kind: 'rrsa', roleArn: ROLE_ARN, oidcProviderArn: OIDC_ARN }), context()),
    );
    expect(f).toMatchObject({ action: 'ReadOidcToken', code: 'OidcTokenFileMissing' });
    expect(f.fix).toContain(join(dir, 'rrsa', 'token'));
  });

  it('reports a secret path it cannot read as a file', async () => {
    mkdirSync(join(dir, 'secrets', 'a-directory'), { recursive: true });
    const f = await failureOf(
      credentialsForEntry(
        entry({ kind: 'access-key', accessKeyId: 'LTAI-custom', secret: { kind: 'secret-ref', key: 'a-directory' } }),
        context(),
      ),
    );
    expect(f.message).toMatch(/a-directory: the file cannot be read \(EISDIR\)/);
  });
});
