// `kubectl acr credentials IMAGE`: the provider's own resolution
// (provider/credentials/resolve-credentials.ts), run with an observer that
// records each step with its outcome, so one command explains a failing pull.
// Nothing here decides; it only words what the driver did.
import { CloudError } from '../../provider/cloud/cloud-error.js';
import type { AcrToken } from '../../provider/cloud/cr-client.js';
import type { RegistryEntry } from '../../provider/configuration/model.js';
import { describeCredentialSource } from '../../provider/credentials/identity.js';
import type { WorkloadIdentity } from '../../provider/credentials/workload-identity.js';
import { resolveCredentials } from '../../provider/credentials/resolve-credentials.js';
import type {
  FailedIn,
  NodeRegionSource,
  ResolutionIo,
  ResolutionStep,
} from '../../provider/credentials/resolution-io.js';
import { parseImageReference } from '../../provider/registry/image-reference.js';
import { classifyHost, type AcrHost } from '../../provider/registry/registry-host.js';
import type { TokenTarget } from '../../provider/registry/resolution.js';

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
  /** The driver's edges, uncached: this explains one pull as it happens now. */
  io: ResolutionIo;
  /** Where the configuration came from, for the first step. */
  configSource: string;
  /**
   * Why a `secret-ref` key has no file, in the terms of where the secrets
   * came from (the cluster's Secret rather than the temporary files).
   */
  explainMissingSecret?: (entry: RegistryEntry, key: string) => { detail: string; fix: string };
  /** `--service-account`: whose identity the pull is, decided before the walk; a failed step ends it. */
  serviceAccount?: Step;
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
  const region = entry.regionId ? `, region ${entry.regionId}` : '';
  const domains = entry.domains ? `, domains ${entry.domains.join(',')}` : '';
  return `acr-registry-info entry ${entry.index + 1} (${what}${region}${domains})`;
}

function describeTokenCall(target: TokenTarget): string {
  return target.edition === 'enterprise'
    ? `GetAuthorizationToken of ${target.instanceId} in ${target.region}`
    : `Personal Edition token of ${target.region}`;
}

const regionSources: Record<NodeRegionSource, string> = {
  flag: 'from --region',
  metadata: 'from the ECS metadata service',
  'image-host': 'from the image host: off Alibaba Cloud, ALIBABA_CLOUD_ACCESS_KEY_ID is set',
  'image-host-after-metadata-failure': 'from the image host: the ECS metadata service did not answer',
};

const expiresText = (epochMs: number | undefined): string =>
  epochMs === undefined ? 'does not expire' : `expires ${new Date(epochMs).toISOString()}`;

function failedStep(step: string, error: unknown): Step {
  if (error instanceof CloudError) {
    const f = error.failure;
    const status = f.httpStatus !== undefined ? ` (HTTP ${f.httpStatus})` : '';
    return {
      step,
      outcome: 'failed',
      detail: `${f.action} failed: ${f.code}${status}: ${f.message}`,
      code: f.code,
      ...(f.requestId ? { requestId: f.requestId } : {}),
      fix: f.fix,
    };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return { step, outcome: 'failed', detail, fix: 'See the message; this failure is not an Alibaba Cloud API error.' };
}

/** The name of the step a failure happened in, in the words `kubectl acr credentials` prints. */
function failedStepName(step: FailedIn, target: TokenTarget | undefined, workload?: WorkloadIdentity): string {
  const { lookup } = step;
  switch (step.phase) {
    case 'node-region':
      return 'node region';
    case 'instance-domains':
      return `domains of instance ${lookup?.kind === 'instance-domains' ? lookup.instanceId : ''}`;
    case 'instance-by-name':
      return `instance named ${lookup?.kind === 'instance-by-name' ? lookup.instanceName : ''}`;
    case 'credentials':
      return `credential source: ${describeCredentialSource(step.entry, undefined, workload)}`;
    case 'assume-role':
      return `STS AssumeRole ${step.entry?.assumeRole?.roleArn ?? ''}`.trim();
    case 'token':
      return target ? `token: ${describeTokenCall(target)}` : 'token';
  }
}

/** Records each step of the driver as the command prints it. */
function recorder(deps: WalkDeps, steps: Step[]) {
  let target: TokenTarget | undefined;
  const step = (event: ResolutionStep): void => {
    switch (event.kind) {
      case 'node-region':
        steps.push({ step: 'node region', outcome: 'ok', detail: `${event.region} (${regionSources[event.source]})` });
        return;
      case 'instance-domains': {
        const as = event.identity ? `ListInstanceEndpoint as ${event.identity}` : 'cached';
        const domains = event.domains.join(', ') || 'none';
        steps.push({ step: `domains of instance ${event.instanceId}`, outcome: 'ok', detail: `${as}: ${domains}` });
        return;
      }
      case 'instance-by-name': {
        const as = event.identity ?? 'the node identity';
        const detail = event.instanceId ? `${event.instanceId} (ListInstance as ${as})` : `none visible to ${as}`;
        steps.push({ step: `instance named ${event.instanceName}`, outcome: 'ok', detail });
        return;
      }
      case 'decided':
        if (event.resolution.kind === 'registry') {
          target = event.resolution.target;
          const detail = `${describeEntry(event.resolution.entry)} → ${describeTokenCall(target)}`;
          steps.push({ step: 'configuration entry', outcome: 'ok', detail });
        } else if (event.resolution.kind === 'not-served') {
          steps.push({
            step: 'configuration entry',
            outcome: 'skipped',
            detail:
              "no entry claims this host and it is not an ACR registry: the provider answers with no credentials and the kubelet pulls anonymously (or with the pod's imagePullSecrets)",
          });
        }
        return;
      case 'credentials': {
        const detail = `signed in as ${event.credentials.identity}, ${expiresText(event.credentials.expiresAt)}`;
        const source = describeCredentialSource(event.entry, undefined, deps.io.workload);
        steps.push({ step: `credential source: ${source}`, outcome: 'ok', detail });
        if (!event.entry?.assumeRole) {
          steps.push({ step: 'STS AssumeRole', outcome: 'skipped', detail: 'the entry sets no assumeRoleARN' });
        }
        return;
      }
      case 'assume-role': {
        const detail = `now ${event.credentials.identity}, ${expiresText(event.credentials.expiresAt)}`;
        steps.push({ step: `STS AssumeRole ${event.roleArn}`, outcome: 'ok', detail });
        return;
      }
      case 'token': {
        const detail = `username ${event.token.username}, ${expiresText(event.token.expiresAt)}, for ${event.authHosts.join(', ')}`;
        steps.push({ step: `token: ${describeTokenCall(event.target)}`, outcome: 'ok', detail });
        return;
      }
      case 'failed':
        steps.push(explainFailure(deps, event, failedStepName(event, target, deps.io.workload)));
        return;
    }
  };
  return { step };
}

function explainFailure(deps: WalkDeps, step: Extract<ResolutionStep, { kind: 'failed' }>, name: string): Step {
  const source = step.entry?.credentials;
  const missing =
    step.phase === 'credentials' &&
    step.error instanceof CloudError &&
    step.error.failure.code === 'SecretFileMissing' &&
    source?.kind === 'access-key' &&
    source.secret.kind === 'secret-ref';
  if (missing && step.entry && deps.explainMissingSecret && source.secret.kind === 'secret-ref') {
    const { detail, fix } = deps.explainMissingSecret(step.entry, source.secret.key);
    return { step: name, outcome: 'failed', detail: `SecretFileMissing: ${detail}`, code: 'SecretFileMissing', fix };
  }
  return failedStep(name, step.error);
}

async function checkLogin(host: string, token: AcrToken, deps: WalkDeps, steps: Step[]): Promise<boolean> {
  if (!deps.checkRegistry) {
    steps.push({
      step: 'registry login',
      outcome: 'skipped',
      detail: 'add --check to log in to the registry with the token',
    });
    return true;
  }
  const step = `registry login: GET https://${host}/v2/`;
  try {
    const { status } = await deps.checkRegistry(host, token);
    if (status === 200) {
      steps.push({ step, outcome: 'ok', detail: 'HTTP 200: the registry accepts the token' });
      return true;
    }
    const rejected = status === 401;
    steps.push({
      step,
      outcome: 'failed',
      detail: `HTTP ${status}: the registry ${rejected ? 'rejected the token' : 'did not accept the login'}`,
      fix: rejected
        ? "The token belongs to another registry or account than this host: check the entry's instanceId/region, or list this host in the right entry's domains."
        : 'Check that this host is an ACR registry endpoint reachable from here.',
    });
  } catch (error) {
    steps.push(failedStep(step, error));
  }
  return false;
}

export async function walkCredentials(image: string, deps: WalkDeps): Promise<Walk> {
  const steps: Step[] = [];
  const parsed = parseImageReference(image);
  if (!parsed.ok) {
    const fix = 'Give the image as the pod spec names it, e.g. registry.cn-hangzhou.aliyuncs.com/team/app:1.0.';
    steps.push({ step: 'image', outcome: 'failed', detail: parsed.message, fix });
    return { image, steps, result: 'invalid-image', secrets: [] };
  }
  const ref = parsed.ref;
  const { config } = deps.io;
  const count = config.registries.length;
  const defaulted = config.registriesDefaulted ? ' (default: Personal Edition of the node region)' : '';
  steps.push({ step: 'image', outcome: 'ok', detail: `registry host ${ref.host}, repository ${ref.path}` });
  steps.push({
    step: 'configuration',
    outcome: 'ok',
    detail: `${deps.configSource}: ${count} registry entr${count === 1 ? 'y' : 'ies'}${defaulted}`,
  });
  if (deps.serviceAccount) {
    steps.push(deps.serviceAccount);
    if (deps.serviceAccount.outcome === 'failed') return { image, steps, result: 'failed', secrets: [] };
  }
  const host = classifyHost(ref.host);
  steps.push({ step: 'host classification', outcome: 'ok', detail: describeHost(host) });

  const result = await resolveCredentials(host, deps.io, recorder(deps, steps));
  switch (result.kind) {
    case 'not-served':
      return { image, steps, result: 'not-served', secrets: result.secrets };
    case 'failed':
      // A failure the driver decided rather than met (an instance nobody can see) has no step yet.
      if (steps.at(-1)?.outcome !== 'failed') {
        const { message, fix } = result.failure;
        steps.push({ step: 'configuration entry', outcome: 'failed', detail: message, ...(fix ? { fix } : {}) });
      }
      return { image, steps, result: 'failed', secrets: result.secrets };
    case 'served': {
      const token = { ...result.token, authHosts: result.authHosts };
      const accepted = await checkLogin(ref.host, result.token, deps, steps);
      return { image, steps, result: accepted ? 'credentials' : 'failed', token, secrets: result.secrets };
    }
  }
}
