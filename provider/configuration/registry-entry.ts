// One entry of `acr-registry-info`: its fields validated into a
// RegistryEntry (instance, region, domains, credentials, assumed role), each
// problem with the field's position and a fix.
import type { Problem } from '../common/problem.js';
import { isRegionId } from '../common/region-id.js';
import type { Position } from './lines.js';
import { CONFIGURATION_SECRETS_NAME, type CredentialSource, type RegistryEntry } from './model.js';

export const KEY = 'acr-registry-info';

export const REGISTRY_FIELDS = [
  'instanceId',
  'regionId',
  'domains',
  'assumeRoleARN',
  'expireDuration',
  'customAccessKey',
  'customAccessKeySecret',
  'customAccessKeySecretRef',
  'rrsaRoleARN',
  'rrsaOIDCProviderRoleARN',
] as const;
export type RegistryField = (typeof REGISTRY_FIELDS)[number];

export const DEFAULT_EXPIRE_SECONDS = 3600;
const MIN_EXPIRE_SECONDS = 900;
const MAX_EXPIRE_SECONDS = 43200;

export interface FieldValue {
  text: string;
  at: Position;
}

export function problem(
  severity: Problem['severity'],
  code: string,
  at: Position | undefined,
  message: string,
  fix: string,
): Problem {
  return { severity, code, key: KEY, ...(at ?? {}), message, fix };
}

const INSTANCE_ID = /^cri-[a-z0-9]+$/;
const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;
/** An ARN kind: the shape it must have and the form a fix shows. */
export interface ArnKind {
  shape: RegExp;
  form: string;
}
export const ROLE_ARN: ArnKind = {
  shape: /^acs:ram::\d+:role\/[\w.@-]+$/i,
  form: 'acs:ram::<account-id>:role/<role-name>',
};
export const OIDC_PROVIDER_ARN: ArnKind = {
  shape: /^acs:ram::\d+:oidc-provider\/[\w.@-]+$/i,
  form: 'acs:ram::<account-id>:oidc-provider/<provider-name>',
};
// What Kubernetes accepts as a Secret data key.
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
// The documentation's own placeholders: the docs must still load, but each one is flagged.
const PLACEHOLDER_INSTANCE_IDS = new Set(['cri-instanceId']);
const PLACEHOLDER_ARN = /^(acs:ram::(\.\*|\*|x+|[a-z]+):[\w-]+\/.+|[a-z]User\w*ARN)$/i;

export function validateEntry(
  fields: Map<RegistryField, FieldValue>,
  index: number,
  context: { rrsaEnabled: boolean },
  problems: Problem[],
): RegistryEntry | undefined {
  const before = problems.length;
  const text = (field: RegistryField): string | undefined => {
    const value = fields.get(field)?.text;
    return value === '' ? undefined : value;
  };
  const at = (field: RegistryField): Position | undefined => fields.get(field)?.at;
  const error = (field: RegistryField, code: string, message: string, fix: string) =>
    problems.push(problem('error', code, at(field), message, fix));
  const warn = (field: RegistryField, code: string, message: string, fix: string) =>
    problems.push(problem('warning', code, at(field), message, fix));

  const instanceId = text('instanceId');
  if (instanceId !== undefined && !INSTANCE_ID.test(instanceId)) {
    if (PLACEHOLDER_INSTANCE_IDS.has(instanceId)) {
      warn(
        'instanceId',
        'placeholder-instance-id',
        `instanceId \`${instanceId}\` is the documentation's placeholder, not a real instance.`,
        'Replace it with the instance ID from the ACR console (`cri-` followed by lower-case letters and digits).',
      );
    } else {
      error(
        'instanceId',
        'invalid-instance-id',
        `instanceId \`${instanceId}\` is not an Enterprise Edition instance ID.`,
        'Use the ID from the ACR console, `cri-` followed by lower-case letters and digits (e.g. `cri-abc123`), or `""` for Personal Edition.',
      );
    }
  }

  const regionId = text('regionId');
  if (regionId !== undefined && !isRegionId(regionId)) {
    error(
      'regionId',
      'invalid-region',
      `regionId \`${regionId}\` is not a region ID.`,
      "Use a region ID such as `cn-hangzhou`, `cn-hongkong` or `ap-southeast-1`, or leave regionId out to use the node's region.",
    );
  }

  const domains = parseDomains(fields.get('domains'), problems);

  let assumeRole: RegistryEntry['assumeRole'];
  const roleArn = text('assumeRoleARN');
  const expire = fields.get('expireDuration');
  let durationSeconds = DEFAULT_EXPIRE_SECONDS;
  if (expire && expire.text !== '') {
    const seconds = /^\d+$/.test(expire.text) ? Number(expire.text) : Number.NaN;
    if (!Number.isInteger(seconds) || seconds < MIN_EXPIRE_SECONDS || seconds > MAX_EXPIRE_SECONDS) {
      error(
        'expireDuration',
        'invalid-expire-duration',
        `expireDuration \`${expire.text}\` is not a whole number of seconds from ${MIN_EXPIRE_SECONDS} to ${MAX_EXPIRE_SECONDS}.`,
        "Write the role session length in seconds, e.g. `expireDuration: 3600`, no more than the role's maximum session duration.",
      );
    } else {
      durationSeconds = seconds;
    }
    if (roleArn === undefined) {
      warn(
        'expireDuration',
        'unused-field',
        'expireDuration has no effect without assumeRoleARN.',
        'Add `assumeRoleARN` or remove `expireDuration`.',
      );
    }
  }
  if (roleArn !== undefined) {
    checkArn('assumeRoleARN', roleArn, ROLE_ARN, fields, problems);
    assumeRole = { roleArn, durationSeconds };
  }

  const credentials = credentialSource(fields, text, context, problems);
  if (problems.slice(before).some((p) => p.severity === 'error') || !credentials) return undefined;
  const common = { index, regionId, domains, credentials, assumeRole };
  return instanceId === undefined
    ? { edition: 'personal', ...common }
    : { edition: 'enterprise', instanceId, ...common };
}

function checkArn(
  field: RegistryField,
  arn: string,
  { shape, form }: ArnKind,
  fields: Map<RegistryField, FieldValue>,
  problems: Problem[],
): void {
  if (shape.test(arn)) return;
  const at = fields.get(field)?.at;
  if (PLACEHOLDER_ARN.test(arn)) {
    problems.push(
      problem(
        'warning',
        'placeholder-arn',
        at,
        `${field} \`${arn}\` is a placeholder from the documentation, not a real ARN.`,
        `Replace it with the ARN from the RAM console, \`${form}\`.`,
      ),
    );
  } else {
    problems.push(
      problem(
        'error',
        'invalid-arn',
        at,
        `${field} \`${arn}\` is not an ARN of the form \`${form}\`.`,
        `Copy the ARN from the RAM console; it looks like \`${form}\`.`,
      ),
    );
  }
}

// RFC 3986 scheme: `x-registry+https://` is one too, and its host is what the user meant.
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//;

function parseDomains(field: FieldValue | undefined, problems: Problem[]): string[] | undefined {
  if (!field || field.text === '') return undefined;
  const domains: string[] = [];
  for (const raw of field.text.split(',')) {
    const domain = raw.trim().toLowerCase();
    if (domain === '') continue;
    if (HOST.test(domain)) {
      if (!domains.includes(domain)) domains.push(domain);
      continue;
    }
    const scheme = URL_SCHEME.exec(domain)?.[0];
    const hostOnly = domain.replace(URL_SCHEME, '').split('/')[0] ?? '';
    const fix = scheme
      ? `Remove \`${scheme}\`: write \`${hostOnly}\`.`
      : domain.includes('/')
        ? `Remove the path: write \`${hostOnly}\`.`
        : /\s/.test(domain)
          ? 'Separate domains with commas, not spaces: `a.example.com,b.example.com`.'
          : 'Write each domain as a host name with an optional port, e.g. `registry.example.com` or `registry.example.com:5000`.';
    problems.push(problem('error', 'invalid-domain', field.at, `Domain \`${raw.trim()}\` is not a host[:port].`, fix));
  }
  return domains.length > 0 ? domains : undefined;
}

function credentialSource(
  fields: Map<RegistryField, FieldValue>,
  text: (field: RegistryField) => string | undefined,
  context: { rrsaEnabled: boolean },
  problems: Problem[],
): CredentialSource | undefined {
  const accessKeyId = text('customAccessKey');
  const inlineSecret = text('customAccessKeySecret');
  const secretKey = text('customAccessKeySecretRef');
  const rrsaRoleArn = text('rrsaRoleARN');
  const oidcProviderArn = text('rrsaOIDCProviderRoleARN');
  const at = (field: RegistryField): Position | undefined => fields.get(field)?.at;
  const missing = (present: RegistryField, absent: RegistryField, fix: string): undefined => {
    problems.push(
      problem(
        'error',
        'incomplete-pair',
        at(present),
        `\`${present}\` is set but \`${absent}\` is not; they only work together.`,
        fix,
      ),
    );
    return undefined;
  };

  const usesAccessKey = accessKeyId !== undefined || inlineSecret !== undefined || secretKey !== undefined;
  const usesRrsa = rrsaRoleArn !== undefined || oidcProviderArn !== undefined;
  if (usesAccessKey && usesRrsa) {
    problems.push(
      problem(
        'error',
        'conflicting-credentials',
        at(rrsaRoleArn !== undefined ? 'rrsaRoleARN' : 'rrsaOIDCProviderRoleARN'),
        'One registry entry sets both an AccessKey and RRSA roles; only one credential source can be used.',
        'Keep either `customAccessKey`/`customAccessKeySecret` or `rrsaRoleARN`/`rrsaOIDCProviderRoleARN`.',
      ),
    );
    return undefined;
  }
  if (usesAccessKey) {
    if (inlineSecret !== undefined && secretKey !== undefined) {
      problems.push(
        problem(
          'error',
          'conflicting-credentials',
          at('customAccessKeySecretRef'),
          'Both `customAccessKeySecret` and `customAccessKeySecretRef` are set.',
          'Remove `customAccessKeySecret` and keep the secret only in the referenced Secret.',
        ),
      );
      return undefined;
    }
    if (accessKeyId === undefined)
      return missing(
        inlineSecret !== undefined ? 'customAccessKeySecret' : 'customAccessKeySecretRef',
        'customAccessKey',
        'Add `customAccessKey: "<AccessKey ID>"` to the same entry.',
      );
    if (secretKey !== undefined) {
      if (!SECRET_KEY.test(secretKey) || secretKey === '.' || secretKey === '..') {
        problems.push(
          problem(
            'error',
            'invalid-secret-key',
            at('customAccessKeySecretRef'),
            `customAccessKeySecretRef \`${secretKey}\` is not a valid key of the Secret kube-system/${CONFIGURATION_SECRETS_NAME}.`,
            `Name a key of that Secret (letters, digits, \`-\`, \`_\` and \`.\`), e.g. the one \`kubectl acr configure --access-key-id … --access-key-secret-stdin\` creates.`,
          ),
        );
        return undefined;
      }
      return { kind: 'access-key', accessKeyId, secret: { kind: 'secret-ref', key: secretKey } };
    }
    if (inlineSecret === undefined)
      return missing(
        'customAccessKey',
        'customAccessKeySecret',
        'Store the secret with `kubectl acr configure --access-key-id <id> --access-key-secret-stdin`, or add `customAccessKeySecretRef`.',
      );
    problems.push(
      problem(
        'warning',
        'plaintext-secret',
        at('customAccessKeySecret'),
        'The AccessKey secret is stored in plain text in the ConfigMap, readable by anyone who can read ConfigMaps in kube-system.',
        'Move it to a Secret: `kubectl acr configure --access-key-id <id> --access-key-secret-stdin` (writes `customAccessKeySecretRef`).',
      ),
    );
    return { kind: 'access-key', accessKeyId, secret: { kind: 'inline' }, inlineSecret };
  }
  if (usesRrsa) {
    if (rrsaRoleArn === undefined)
      return missing(
        'rrsaOIDCProviderRoleARN',
        'rrsaRoleARN',
        'Add `rrsaRoleARN: "acs:ram::<account-id>:role/<role-name>"` to the same entry.',
      );
    if (oidcProviderArn === undefined)
      return missing(
        'rrsaRoleARN',
        'rrsaOIDCProviderRoleARN',
        'Add `rrsaOIDCProviderRoleARN: "acs:ram::<account-id>:oidc-provider/<provider-name>"` to the same entry.',
      );
    checkArn('rrsaRoleARN', rrsaRoleArn, ROLE_ARN, fields, problems);
    checkArn('rrsaOIDCProviderRoleARN', oidcProviderArn, OIDC_PROVIDER_ARN, fields, problems);
    if (!context.rrsaEnabled) {
      problems.push(
        problem(
          'warning',
          'rrsa-not-enabled',
          at('rrsaRoleARN'),
          'rrsaRoleARN is set but the `rrsa` key does not enable RRSA.',
          'Add the key `rrsa` with the value `enable: true` to acr-configuration.',
        ),
      );
    }
    return { kind: 'rrsa', roleArn: rrsaRoleArn, oidcProviderArn };
  }
  return { kind: 'node' };
}
