// `kubectl acr credentials IMAGE`: the provider's own chain, step by step,
// each step recorded with its outcome, so one command explains a failing
// pull. The steps call the provider's modules (resolution, credential chain,
// STS, CR); nothing here decides differently from the provider.

import type { CloudCredentials } from '../provider/cloud/cloud-credentials.js';
import { secretsOf } from '../provider/cloud/cloud-credentials.js';
import { CloudError } from '../provider/cloud/cloud-error.js';
import {
  getAuthorizationToken,
  getPersonalToken,
  listInstanceDomains,
  listInstances,
  type AcrToken,
} from '../provider/cloud/cr-client.js';
import type { CloudContext } from '../provider/cloud/openapi-call.js';
import { assumeRole } from '../provider/cloud/sts-client.js';
import type { AcrConfiguration, RegistryEntry } from '../provider/configuration/model.js';
import {
  credentialsForEntry,
  defaultRoleSessionName,
  type CredentialContext,
} from '../provider/credentials/credential-chain.js';
import { parseImageReference } from '../provider/registry/image-reference.js';
import { classifyHost, type AcrHost } from '../provider/registry/registry-host.js';
import { instanceKey, resolveRegistry, type Facts, type TokenTarget } from '../provider/registry/resolution.js';

export type StepOutcome = 'ok' | 'failed' | 'skipped';

export interface Step {
  step: string;
  outcome: StepOutcome;
  detail: string;
  /** On failure: the Alibaba Cloud (or local) error code, its request ID and the fix. */
  code?: string;
  requestId?: string;
  fix?: string;
}

export interface Walk {
  image: string;
  steps: Step[];
  /** What the kubelet would get: credentials, nothing (not an ACR registry), or a failure. */
  result: 'credentials' | 'not-served' | 'failed' | 'invalid-image';
  /** Present only when the token was obtained; the command decides whether to show the password. */
  token?: AcrToken & { authHosts: string[] };
  /** Secret values met on the way, for redaction of everything printed. */
  secrets: string[];
}

export interface WalkDeps {
  config: AcrConfiguration;
  /** Where the configuration came from, for the first step. */
  configSource: string;
  cloud: CloudContext;
  credentials: CredentialContext;
  /** `--region`, else the metadata service. */
  nodeRegion: () => Promise<{ region: string; source: string }>;
  /**
   * Why a `secret-ref` key has no file, in the terms of where the secrets
   * came from (the cluster's Secret rather than the temporary files).
   */
  explainMissingSecret?: (entry: RegistryEntry, key: string) => { detail: string; fix: string };
  /** GET /v2/ of the registry with the token (`--check`); undefined skips the check. */
  checkRegistry?: (host: string, token: AcrToken) => Promise<{ status: number }>;
}

function describeHost(host: AcrHost): string {
  switch (host.kind) {
    case 'personal-classic':
      return `Personal Edition (classic) registry in ${host.region}, ${host.network} network`;
    case 'personal-crpi':
      return `Personal Edition instance crpi-${host.id} in ${host.region}, ${host.network} network`;
    case 'enterprise':
      return `Enterprise Edition instance named ${host.instanceName} in ${host.region}, ${host.network} endpoint`;
    case 'other':
      return 'not an ACR host shape; only an entry listing it in `domains` (or an instance custom domain) can serve it';
  }
}

function describeEntry(entry: RegistryEntry | undefined): string {
  if (!entry) return "no entry claims the host: the node's own identity is used";
  const what = entry.edition === 'enterprise' ? `instance ${entry.instanceId}` : 'Personal Edition';
  return `acr-registry-info entry ${entry.index + 1} (${what}${entry.regionId ? `, region ${entry.regionId}` : ''}${entry.domains ? `, domains ${entry.domains.join(',')}` : ''})`;
}

function describeSource(entry: RegistryEntry | undefined): string {
  const c = entry?.credentials ?? { kind: 'node' as const };
  switch (c.kind) {
    case 'node':
      return "node's identity (ALIBABA_CLOUD_ACCESS_KEY_* or the ECS RAM role)";
    case 'access-key':
      return `AccessKey ${c.accessKeyId} (${c.secret.kind === 'secret-ref' ? `secret from Secret key ${c.secret.key}` : 'secret in plain text in the ConfigMap'})`;
    case 'rrsa':
      return `RRSA: AssumeRoleWithOIDC of ${c.roleArn} via ${c.oidcProviderArn}`;
  }
}

function describeTarget(target: TokenTarget): string {
  return target.edition === 'enterprise'
    ? `GetAuthorizationToken of ${target.instanceId} in ${target.region}`
    : `Personal Edition token of ${target.region}`;
}

function failedStep(step: string, error: unknown): Step {
  if (error instanceof CloudError) {
    const f = error.failure;
    return {
      step,
      outcome: 'failed',
      detail: `${f.action} failed: ${f.code}${f.httpStatus !== undefined ? ` (HTTP ${f.httpStatus})` : ''}: ${f.message}`,
      code: f.code,
      ...(f.requestId ? { requestId: f.requestId } : {}),
      fix: f.fix,
    };
  }
  return {
    step,
    outcome: 'failed',
    detail: error instanceof Error ? error.message : String(error),
    fix: 'See the message; this failure is not an Alibaba Cloud API error.',
  };
}

const expiresText = (epochMs: number | undefined): string =>
  epochMs === undefined ? 'does not expire' : `expires ${new Date(epochMs).toISOString()}`;

/** Entries with their assumed role taken off: the base credentials before STS. */
function withoutAssumeRole(entry: RegistryEntry): RegistryEntry {
  return { ...entry, assumeRole: undefined };
}

export async function walkCredentials(image: string, deps: WalkDeps): Promise<Walk> {
  const steps: Step[] = [];
  const secrets = new Set<string>();
  const remember = (credentials: CloudCredentials) => secretsOf(credentials).forEach((s) => secrets.add(s));
  const done = (result: Walk['result'], token?: Walk['token']): Walk => ({
    image,
    steps,
    result,
    ...(token ? { token } : {}),
    secrets: [...secrets],
  });

  const parsed = parseImageReference(image);
  if (!parsed.ok) {
    steps.push({
      step: 'image',
      outcome: 'failed',
      detail: parsed.message,
      fix: 'Give the image as the pod spec names it, e.g. registry.cn-hangzhou.aliyuncs.com/team/app:1.0.',
    });
    return done('invalid-image');
  }
  const ref = parsed.ref;
  steps.push({ step: 'image', outcome: 'ok', detail: `registry host ${ref.host}, repository ${ref.path}` });
  steps.push({
    step: 'configuration',
    outcome: 'ok',
    detail: `${deps.configSource}: ${deps.config.registries.length} registry entr${deps.config.registries.length === 1 ? 'y' : 'ies'}${deps.config.registriesDefaulted ? ' (default: Personal Edition of the node region)' : ''}`,
  });
  const host = classifyHost(ref.host);
  steps.push({ step: 'host classification', outcome: 'ok', detail: describeHost(host) });

  // Resolution asks for look-ups one at a time, as the provider does.
  const facts: {
    nodeRegion?: string;
    instanceDomains: Map<string, readonly string[]>;
    instanceIds: Map<string, string | null>;
  } = { instanceDomains: new Map(), instanceIds: new Map() };
  let nodeCredentials: CloudCredentials | undefined;
  const node = async () => {
    nodeCredentials ??= await deps.credentials.nodeCredentials();
    remember(nodeCredentials);
    return nodeCredentials;
  };
  for (let lookups = 0; lookups < 32; lookups++) {
    const resolution = resolveRegistry(host, deps.config.registries, facts as Facts);
    if (resolution.kind === 'lookup') {
      const lookup = resolution.lookup;
      const step =
        lookup.kind === 'node-region'
          ? 'node region'
          : lookup.kind === 'instance-domains'
            ? `domains of instance ${lookup.instanceId}`
            : `instance named ${lookup.instanceName}`;
      try {
        if (lookup.kind === 'node-region') {
          const { region, source } = await deps.nodeRegion();
          facts.nodeRegion = region;
          steps.push({ step, outcome: 'ok', detail: `${region} (${source})` });
        } else if (lookup.kind === 'instance-domains') {
          const credentials = lookup.entry ? await credentialsForEntry(lookup.entry, deps.credentials) : await node();
          remember(credentials);
          const domains = (await listInstanceDomains(credentials, lookup.instanceId, lookup.region, deps.cloud)).map(
            (d) => d.domain,
          );
          facts.instanceDomains.set(instanceKey(lookup.region, lookup.instanceId), domains);
          steps.push({
            step,
            outcome: 'ok',
            detail: `ListInstanceEndpoint as ${credentials.identity}: ${domains.join(', ') || 'none'}`,
          });
        } else {
          const credentials = await node();
          const found = await listInstances(credentials, lookup.region, deps.cloud, lookup.instanceName);
          facts.instanceIds.set(instanceKey(lookup.region, lookup.instanceName), found[0]?.instanceId ?? null);
          steps.push({
            step,
            outcome: 'ok',
            detail: found[0]
              ? `${found[0].instanceId} (ListInstance as ${credentials.identity})`
              : `none visible to ${credentials.identity}`,
          });
        }
      } catch (error) {
        steps.push(failedStep(step, error));
        return done('failed');
      }
      continue;
    }
    if (resolution.kind === 'not-served') {
      steps.push({
        step: 'configuration entry',
        outcome: 'skipped',
        detail:
          "no entry claims this host and it is not an ACR registry: the provider answers with no credentials and the kubelet pulls anonymously (or with the pod's imagePullSecrets)",
      });
      return done('not-served');
    }
    if (resolution.kind === 'unknown-instance') {
      steps.push({
        step: 'configuration entry',
        outcome: 'failed',
        detail: `no Enterprise Edition instance named ${resolution.instanceName} in ${resolution.region} is visible to ${nodeCredentials?.identity ?? "the node's identity"}`,
        fix: `Add the instance to acr-registry-info (kubectl acr configure --instance-id <cri-…> --region ${resolution.region}) with credentials that can see it, or grant cr:ListInstance to the node's role.`,
      });
      return done('failed');
    }
    const { target, entry, authHosts } = resolution;
    steps.push({
      step: 'configuration entry',
      outcome: 'ok',
      detail: `${describeEntry(entry)} → ${describeTarget(target)}`,
    });
    return fetchToken(target, entry, authHosts, ref.host, deps, steps, remember, node, done);
  }
  steps.push({
    step: 'configuration entry',
    outcome: 'failed',
    detail: 'resolution did not settle',
    fix: 'Report this as a bug with the output of kubectl acr status -o yaml.',
  });
  return done('failed');
}

async function fetchToken(
  target: TokenTarget,
  entry: RegistryEntry | undefined,
  authHosts: string[],
  host: string,
  deps: WalkDeps,
  steps: Step[],
  remember: (c: CloudCredentials) => void,
  node: () => Promise<CloudCredentials>,
  done: (result: Walk['result'], token?: Walk['token']) => Walk,
): Promise<Walk> {
  const sourceStep = `credential source: ${describeSource(entry)}`;
  let credentials: CloudCredentials;
  try {
    credentials = entry ? await credentialsForEntry(withoutAssumeRole(entry), deps.credentials) : await node();
    remember(credentials);
    steps.push({
      step: sourceStep,
      outcome: 'ok',
      detail: `signed in as ${credentials.identity}, ${expiresText(credentials.expiresAt)}`,
    });
  } catch (error) {
    const c = entry?.credentials;
    const missing =
      error instanceof CloudError &&
      error.failure.code === 'SecretFileMissing' &&
      c?.kind === 'access-key' &&
      c.secret.kind === 'secret-ref';
    if (missing && entry && deps.explainMissingSecret && c.secret.kind === 'secret-ref') {
      const { detail, fix } = deps.explainMissingSecret(entry, c.secret.key);
      steps.push({
        step: sourceStep,
        outcome: 'failed',
        detail: `SecretFileMissing: ${detail}`,
        code: 'SecretFileMissing',
        fix,
      });
    } else {
      steps.push(failedStep(sourceStep, error));
    }
    return done('failed');
  }

  if (entry?.assumeRole) {
    const step = `STS AssumeRole ${entry.assumeRole.roleArn}`;
    try {
      credentials = await assumeRole(
        credentials,
        {
          roleArn: entry.assumeRole.roleArn,
          roleSessionName: deps.credentials.roleSessionName ?? defaultRoleSessionName,
          durationSeconds: entry.assumeRole.durationSeconds,
        },
        target.region,
        deps.cloud,
      );
      remember(credentials);
      steps.push({ step, outcome: 'ok', detail: `now ${credentials.identity}, ${expiresText(credentials.expiresAt)}` });
    } catch (error) {
      steps.push(failedStep(step, error));
      return done('failed');
    }
  } else {
    steps.push({ step: 'STS AssumeRole', outcome: 'skipped', detail: 'the entry sets no assumeRoleARN' });
  }

  const tokenStep = `token: ${describeTarget(target)}`;
  let token: AcrToken;
  try {
    token =
      target.edition === 'enterprise'
        ? await getAuthorizationToken(credentials, target.instanceId, target.region, deps.cloud)
        : await getPersonalToken(credentials, target.region, deps.cloud);
    steps.push({
      step: tokenStep,
      outcome: 'ok',
      detail: `username ${token.username}, ${expiresText(token.expiresAt)}, for ${authHosts.join(', ')}`,
    });
  } catch (error) {
    steps.push(failedStep(tokenStep, error));
    return done('failed');
  }

  if (!deps.checkRegistry) {
    steps.push({
      step: 'registry login',
      outcome: 'skipped',
      detail: 'add --check to log in to the registry with the token',
    });
    return done('credentials', { ...token, authHosts });
  }
  const checkStep = `registry login: GET https://${host}/v2/`;
  try {
    const { status } = await deps.checkRegistry(host, token);
    if (status === 200) {
      steps.push({ step: checkStep, outcome: 'ok', detail: 'HTTP 200: the registry accepts the token' });
      return done('credentials', { ...token, authHosts });
    }
    steps.push({
      step: checkStep,
      outcome: 'failed',
      detail: `HTTP ${status}: the registry ${status === 401 ? 'rejected the token' : 'did not accept the login'}`,
      fix:
        status === 401
          ? "The token belongs to another registry or account than this host: check the entry's instanceId/region, or list this host in the right entry's domains."
          : 'Check that this host is an ACR registry endpoint reachable from here.',
    });
  } catch (error) {
    steps.push(failedStep(checkStep, error));
  }
  return done('failed', { ...token, authHosts });
}
