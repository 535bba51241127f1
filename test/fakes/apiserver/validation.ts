import type { ResourceType } from './resources.js';
import type { KubeObject } from './store.js';

/**
 * The apiserver's validation of what this project writes: object names,
 * labels, ConfigMap/Secret keys and Secret contents, and the Secret fields that
 * cannot change. A fake that accepted a bad name would hide the bug until a
 * real cluster refused it.
 */

export interface FieldError {
  field: string;
  /** What is wrong, after the field name: `Invalid value: "x": …`, `Required value`, … */
  detail: string;
}

const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const qualifiedName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const configKey = /^[-._a-zA-Z0-9]+$/;
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const maxSecretBytes = 1024 * 1024;

const subdomainMessage = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
const labelMessage = `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`;

const invalidValue = (field: string, value: string, why: string): FieldError => ({
  field,
  detail: `Invalid value: ${JSON.stringify(value)}: ${why}`,
});

function nameErrors(type: ResourceType, name: string): FieldError[] {
  if (type.plural === 'namespaces') {
    if (name.length > 63) return [invalidValue('metadata.name', name, 'must be no more than 63 characters')];
    return label.test(name) ? [] : [invalidValue('metadata.name', name, labelMessage)];
  }
  if (name.length > 253) return [invalidValue('metadata.name', name, 'must be no more than 253 characters')];
  return subdomain.test(name) ? [] : [invalidValue('metadata.name', name, subdomainMessage)];
}

function qualifiedNameErrors(field: string, key: string): FieldError[] {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash === -1 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length > 253 || !subdomain.test(prefix)))
    return [invalidValue(field, key, `prefix part ${subdomainMessage}`)];
  if (name.length > 63 || !qualifiedName.test(name)) {
    return [
      invalidValue(
        field,
        key,
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, and be no more than 63 characters",
      ),
    ];
  }
  return [];
}

function labelErrors(labels: Record<string, string> | undefined): FieldError[] {
  return Object.entries(labels ?? {}).flatMap(([key, value]) => [
    ...qualifiedNameErrors('metadata.labels', key),
    ...(value.length > 63 || !labelValue.test(value)
      ? [
          invalidValue(
            'metadata.labels',
            value,
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, and be no more than 63 characters",
          ),
        ]
      : []),
  ]);
}

function keyErrors(field: string, data: unknown): FieldError[] {
  if (data === undefined || data === null) return [];
  return Object.keys(data)
    .filter((key) => !configKey.test(key) || key === '.' || key === '..')
    .map((key) =>
      invalidValue(field, key, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"),
    );
}

function secretErrors(object: KubeObject): FieldError[] {
  const data = (object.data ?? {}) as Record<string, unknown>;
  const errors = keyErrors('data', data);
  let size = 0;
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string' || !base64.test(value))
      errors.push({ field: `data[${key}]`, detail: 'Invalid value: not valid base64' });
    else size += Buffer.from(value, 'base64').length;
  }
  if (size > maxSecretBytes)
    errors.push({ field: 'data', detail: `Too long: must have at most ${maxSecretBytes} bytes` });
  if (object.type === 'kubernetes.io/dockerconfigjson') {
    const config =
      typeof data['.dockerconfigjson'] === 'string'
        ? Buffer.from(data['.dockerconfigjson'], 'base64').toString('utf8')
        : undefined;
    if (config === undefined) errors.push({ field: 'data[.dockerconfigjson]', detail: 'Required value' });
    else {
      try {
        JSON.parse(config);
      } catch {
        // JSON.parse's own message quotes the input: a password must not reach a test log.
        errors.push({
          field: 'data[.dockerconfigjson]',
          detail: 'Invalid value: "<secret contents redacted>": not valid JSON',
        });
      }
    }
  }
  return errors;
}

/** Problems with an object about to be stored; `previous` is the stored version on updates. */
export function validate(type: ResourceType, object: KubeObject, previous: KubeObject | undefined): FieldError[] {
  const errors = [...nameErrors(type, object.metadata.name ?? ''), ...labelErrors(object.metadata.labels)];
  if (type.plural === 'configmaps')
    errors.push(...keyErrors('data', object.data), ...keyErrors('binaryData', object.binaryData));
  if (type.plural === 'secrets') errors.push(...secretErrors(object));
  if (previous && (type.plural === 'secrets' || type.plural === 'configmaps')) {
    if (type.plural === 'secrets' && object.type !== previous.type)
      errors.push(invalidValue('type', String(object.type), 'field is immutable'));
    if (
      previous.immutable === true &&
      (JSON.stringify(object.data) !== JSON.stringify(previous.data) || object.immutable !== true)
    ) {
      errors.push({ field: 'data', detail: 'Forbidden: field is immutable when `immutable` is set' });
    }
  }
  return errors;
}
