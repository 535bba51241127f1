// Failures of calls to Alibaba Cloud as values an operator can act on: what
// was called, by whom, what came back, whether retrying can help, and the
// likely fix. Messages are built here from known parts and sanitized, so no
// secret, token or signature reaches a log through an error.
import { REDACTED, redactSecrets } from '../common/redaction.js';

export type CloudAction =
  | 'GetAuthorizationToken'
  | 'ListInstance'
  | 'ListInstanceEndpoint'
  | 'GetPersonalToken'
  | 'AssumeRole'
  | 'AssumeRoleWithOIDC'
  | 'MetadataToken'
  | 'MetadataRole'
  | 'MetadataCredentials'
  | 'MetadataRegion'
  | 'ReadAccessKeySecret'
  | 'ReadOidcToken'
  | 'EnvironmentCredentials';

/** Codes this project assigns when there is no Alibaba Cloud code to report. */
export type LocalFailureCode =
  | 'Timeout'
  | 'NetworkError'
  | 'InvalidResponse'
  | 'MetadataUnavailable'
  | 'MetadataTokenUnavailable'
  | 'MetadataTokenRequired'
  | 'NoRamRole'
  | 'DeadlineExceeded'
  | 'SecretFileMissing'
  | 'SecretMissing'
  | 'OidcTokenFileMissing'
  | 'IncompleteEnvironmentCredentials';

export interface CloudFailure {
  action: CloudAction;
  /** An Alibaba Cloud error code (`NoPrivilege`, `Throttling.User`, …) or a {@link LocalFailureCode}. */
  code: string;
  httpStatus: number | undefined;
  requestId: string | undefined;
  /** What happened, sanitized: never a secret, token or signature. */
  message: string;
  retryable: boolean;
  /** The server's `x-acs-retry-after`, when it sent one. */
  retryAfterMs: number | undefined;
  /** The likely fix, in one sentence. */
  fix: string;
}

export class CloudError extends Error {
  constructor(readonly failure: CloudFailure) {
    super(formatCloudFailure(failure));
    this.name = 'CloudError';
  }
}

export function formatCloudFailure(failure: CloudFailure): string {
  const status = failure.httpStatus !== undefined ? ` (HTTP ${failure.httpStatus})` : '';
  const requestId = failure.requestId ? ` [request ID ${failure.requestId}]` : '';
  return `${failure.action} failed: ${failure.code}${status}: ${failure.message}${requestId}. Fix: ${failure.fix}`;
}

/** What a call was about, for classifying its failure and naming the fix. */
export interface CallSubject {
  action: CloudAction;
  /** Who called (`CloudCredentials.identity`); `undefined` for anonymous and metadata calls. */
  identity: string | undefined;
  accessKeyId: string | undefined;
  /** The base URL the call went to; `undefined` for failures before any call (files, environment). */
  endpoint: string | undefined;
  /** What the call was about: an instance ID, a role ARN, a file path. */
  resource: string | undefined;
  region: string | undefined;
  /** Values that must never appear in the message (the secret, tokens the call carried). */
  secrets: string[];
}

const maxServerMessageLength = 300;

// Parameter names whose values are credentials; the server echoes request
// parameters in some messages (e.g. the string it signed).
const secretParameterPattern =
  /\b(Signature|SecurityToken|AccessKeySecret|OIDCToken|AuthorizationToken|Password|x-acs-security-token|Authorization)(["']?\s*[=:]\s*["']?)[^\s&"',;]+/gi;

export function sanitize(text: string, secrets: readonly string[]): string {
  const clean = redactSecrets(text, secrets).replace(secretParameterPattern, `$1$2${REDACTED}`);
  return clean.length > maxServerMessageLength ? `${clean.slice(0, maxServerMessageLength)}…` : clean;
}

const crActions = new Set<CloudAction>([
  'GetAuthorizationToken',
  'ListInstance',
  'ListInstanceEndpoint',
  'GetPersonalToken',
]);
const accessDeniedCodes = new Set([
  'noprivilege',
  'forbidden.ram',
  'forbidden',
  'nopermission',
  'forbidden.nopermission',
  'forbidden.accessdenied',
  'accessdenied',
]);
const pullActions = ['cr:GetAuthorizationToken', 'cr:ListInstanceEndpoint', 'cr:PullRepository'];

function isThrottling(code: string): boolean {
  return code.toLowerCase().includes('throttling');
}

export function isRetryable(code: string, httpStatus: number | undefined): boolean {
  if (isThrottling(code)) return true;
  if (httpStatus !== undefined && httpStatus >= 500) return true;
  return [
    'Timeout',
    'NetworkError',
    'MetadataUnavailable',
    'SignatureNonceUsed',
    'ServiceUnavailable',
    'InternalError',
  ].includes(code);
}

function who(subject: CallSubject): string {
  return subject.identity ?? 'the caller';
}

function crPermissionFix(subject: CallSubject): string {
  const needed = `cr:${subject.action === 'GetPersonalToken' ? 'GetAuthorizationToken' : subject.action}`;
  const actions = pullActions.includes(needed) ? pullActions : [...pullActions, needed];
  // Listing and Personal Edition tokens are not scoped to one instance.
  const scoped = subject.action !== 'ListInstance' && subject.action !== 'GetPersonalToken';
  const scope = scoped && subject.resource ? ` on ${subject.resource}` : '';
  return `grant the RAM identity ${who(subject)} the actions ${actions.join(', ')}${scope} (for example the policy AliyunContainerRegistryReadOnlyAccess)`;
}

/** The likely fix for a failure; table-driven on the code, refined by the action. */
export function fixFor(subject: CallSubject, code: string, httpStatus: number | undefined): string {
  const lower = code.toLowerCase();
  const keyId = subject.accessKeyId ?? 'this AccessKey';
  if (isThrottling(code)) {
    return `Alibaba Cloud throttled ${subject.action} and retries did not get through; reduce other callers of the account's API quota (the provider caches tokens per registry) and try again`;
  }
  // Temporary (STS) keys come from a service, so a bad one is not a typo in the configuration.
  const temporary = subject.accessKeyId?.startsWith('STS.') === true;
  if (temporary && (lower === 'signaturedoesnotmatch' || lower.startsWith('invalidaccesskeyid'))) {
    return `the temporary credentials of ${who(subject)} were refused; check the node clock (NTP) and that no proxy rewrites requests, then retry`;
  }
  const whereConfigured = `\`kubectl acr configure --access-key-id ${keyId}\` for acr-configuration, ALIBABA_CLOUD_ACCESS_KEY_SECRET for the node's own AccessKey`;
  if (lower === 'signaturedoesnotmatch' || lower === 'incompletesignature') {
    return `the AccessKey secret for ${keyId} is wrong; set the right one where it is configured (${whereConfigured})`;
  }
  if (lower === 'invalidaccesskeyid.inactive')
    return `the AccessKey ${keyId} is disabled; enable it in the RAM console or configure another AccessKey`;
  if (lower.startsWith('invalidaccesskeyid')) {
    return `the AccessKey ${keyId} does not exist (deleted or mistyped); create one in the RAM console and configure it (\`kubectl acr configure --access-key-id <id>\`, or ALIBABA_CLOUD_ACCESS_KEY_ID for the node)`;
  }
  if (lower.startsWith('invalidsecuritytoken')) {
    return `the STS token of ${who(subject)} is expired or malformed; check the node clock (NTP) and that the token was not truncated`;
  }
  if (lower.startsWith('invalidtimestamp') || lower === 'signaturenonceused')
    return 'the node clock is wrong; synchronise it (NTP) and retry';
  if (subject.action === 'AssumeRole') {
    if (accessDeniedCodes.has(lower) || lower.startsWith('forbidden') || lower.startsWith('nopermission')) {
      return `let ${who(subject)} assume ${subject.resource ?? 'the role'}: the role's trust policy must name it as Principal, and it needs the policy AliyunSTSAssumeRoleAccess (sts:AssumeRole)`;
    }
    if (lower.startsWith('entitynotexist'))
      return `the role ${subject.resource ?? ''} does not exist; check assumeRoleARN in acr-registry-info`;
    if (lower.includes('durationseconds'))
      return `expireDuration is longer than the role's maximum session duration; lower expireDuration or raise MaxSessionDuration of ${subject.resource ?? 'the role'}`;
  }
  if (subject.action === 'AssumeRoleWithOIDC') {
    return `check RRSA for ${subject.resource ?? 'the role'}: RRSA enabled on the cluster, rrsaOIDCProviderRoleARN names the cluster's OIDC provider, the role trusts it for this ServiceAccount, and the projected token file is current`;
  }
  if (subject.action === 'GetPersonalToken' && lower === 'user_not_exist') {
    return `${who(subject)} has no Personal Edition registry in region ${subject.region ?? '(node region)'}: activate Personal Edition there (set a registry password in the ACR console), or grant ${who(subject)} cr:GetAuthorizationToken`;
  }
  if (crActions.has(subject.action)) {
    if (accessDeniedCodes.has(lower) || lower.startsWith('forbidden') || lower.startsWith('nopermission'))
      return crPermissionFix(subject);
    if (
      lower.includes('notexist') ||
      lower.includes('not_exist') ||
      lower.includes('notfound') ||
      lower.includes('not_found')
    ) {
      return `instance ${subject.resource ?? ''} was not found in region ${subject.region ?? '(node region)'}; check instanceId and regionId in acr-registry-info`;
    }
  }
  if (lower.includes('region')) return `check regionId (${subject.region ?? 'unset'}) in acr-registry-info`;
  switch (code) {
    case 'Timeout':
      return `check that this node can reach ${subject.endpoint ?? 'the endpoint'} (security group, route, proxy); nodes without Internet access need the VPC endpoints`;
    case 'NetworkError':
      return `check DNS, routes and firewalls between this node and ${subject.endpoint ?? 'the endpoint'}`;
    case 'DeadlineExceeded':
      return `Alibaba Cloud did not answer in time; check the connectivity to ${subject.endpoint ?? 'Alibaba Cloud'} and retry`;
    case 'InvalidResponse':
      return `${subject.endpoint ?? 'the endpoint'} did not answer like Alibaba Cloud; check proxies and the ACR_PROVIDER_*_ENDPOINT variables`;
    case 'MetadataUnavailable':
    case 'NoRamRole':
      return 'no RAM role attached to the ECS instance / metadata unreachable; attach a worker RAM role to the instance or set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET';
    case 'MetadataTokenRequired':
      return 'metadata requires IMDSv2 token; let the node reach PUT /latest/api/token of the metadata service (it was refused) — falling back to IMDSv1 does not work on this instance';
    case 'MetadataTokenUnavailable':
      return 'the metadata service did not issue an IMDSv2 token; allow PUT /latest/api/token, or allow IMDSv1 on the provider if the instance permits it';
    case 'SecretFileMissing':
      return `run \`kubectl acr configure --access-key-id ${keyId}\` to store the secret in a kube-system Secret, and check that acr-node-setup mirrors it to ${subject.resource ?? 'the node'}`;
    case 'SecretMissing':
      return `set customAccessKeySecret for ${keyId}, or better run \`kubectl acr configure --access-key-id ${keyId}\` to keep it in a Secret`;
    case 'OidcTokenFileMissing':
      return `enable RRSA on the cluster (rrsa: enable: true in acr-configuration) and check that the ServiceAccount token is projected at ${subject.resource ?? 'the token path'}`;
    case 'IncompleteEnvironmentCredentials':
      return 'set both ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET for the provider, or neither to use the ECS RAM role';
    default:
      break;
  }
  if (httpStatus !== undefined && httpStatus >= 500) {
    return 'Alibaba Cloud had a server error and retries did not get through; retry later, and quote the request ID to Alibaba Cloud support if it persists';
  }
  return `look up the error code ${code} for ${subject.action} in the Alibaba Cloud documentation`;
}

export interface FailureDetails {
  code: string;
  httpStatus?: number | undefined;
  requestId?: string | undefined;
  /** What happened; sanitized before it is kept. */
  detail: string;
  retryAfterMs?: number | undefined;
}

/** Builds the failure for `subject`: sanitizes the detail, decides retryability, names the fix. */
export function cloudFailure(subject: CallSubject, details: FailureDetails): CloudFailure {
  const by = subject.identity ? ` as ${subject.identity}` : '';
  const about = subject.resource ? ` for ${subject.resource}` : '';
  const at = subject.endpoint ? ` at ${subject.endpoint}` : '';
  return {
    action: subject.action,
    code: details.code,
    httpStatus: details.httpStatus,
    requestId: details.requestId,
    message: sanitize(`${subject.action}${about}${by}${at}: ${details.detail}`, subject.secrets),
    retryable: isRetryable(details.code, details.httpStatus),
    retryAfterMs: details.retryAfterMs,
    fix: sanitize(fixFor(subject, details.code, details.httpStatus), subject.secrets),
  };
}

export function cloudError(subject: CallSubject, details: FailureDetails): CloudError {
  return new CloudError(cloudFailure(subject, details));
}
