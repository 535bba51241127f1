/** Label and field selectors with the apiserver's grammar (k8s.io/apimachinery/pkg/labels, pkg/fields). */

export type LabelRequirement =
  { key: string; op: 'exists' | 'notexists' } | { key: string; op: 'in' | 'notin'; values: string[] };

export type FieldRequirement = { field: string; op: '=' | '!='; value: string };

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Splits on commas that are not inside a `(…)` value set. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const keyPattern = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const valuePattern = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function parseLabelRequirement(text: string): ParseResult<LabelRequirement> {
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text);
  const binary = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(text);
  const exists = /^(!?)\s*([^!=\s()]+)$/.exec(text);
  let requirement: LabelRequirement;
  if (set) {
    const values = set[3]!
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    requirement = { key: set[1]!, op: set[2] as 'in' | 'notin', values };
  } else if (binary) {
    requirement = { key: binary[1]!, op: binary[2] === '!=' ? 'notin' : 'in', values: [binary[3]!] };
  } else if (exists) {
    requirement = { key: exists[2]!, op: exists[1] === '!' ? 'notexists' : 'exists' };
  } else {
    return {
      ok: false,
      message: `unable to parse requirement: found '${text}', expected: key, !key, key=value, key!=value, key in (…), key notin (…)`,
    };
  }
  if (!keyPattern.test(requirement.key))
    return { ok: false, message: `unable to parse requirement: invalid label key "${requirement.key}"` };
  const bad =
    'values' in requirement ? requirement.values.find((v) => !valuePattern.test(v) || v.length > 63) : undefined;
  if (bad !== undefined) return { ok: false, message: `unable to parse requirement: invalid label value: "${bad}"` };
  return { ok: true, value: requirement };
}

export function parseLabelSelector(text: string): ParseResult<LabelRequirement[]> {
  const requirements: LabelRequirement[] = [];
  for (const part of splitTopLevel(text)) {
    const parsed = parseLabelRequirement(part);
    if (!parsed.ok) return parsed;
    requirements.push(parsed.value);
  }
  return { ok: true, value: requirements };
}

export function matchesLabels(requirements: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  return requirements.every((r) => {
    const value = labels?.[r.key];
    switch (r.op) {
      case 'exists':
        return value !== undefined;
      case 'notexists':
        return value === undefined;
      case 'in':
        return value !== undefined && r.values.includes(value);
      case 'notin':
        return value === undefined || !r.values.includes(value);
    }
  });
}

/** Fields each resource lets you select on, beyond the metadata every resource has. */
const extraFields: Record<string, string[]> = {
  secrets: ['type'],
  // kubectl describe finds an object's events by these.
  events: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'type',
  ],
  pods: ['spec.nodeName', 'status.phase'],
};

export function parseFieldSelector(text: string, resource: string): ParseResult<FieldRequirement[]> {
  const allowed = ['metadata.name', 'metadata.namespace', ...(extraFields[resource] ?? [])];
  const requirements: FieldRequirement[] = [];
  for (const part of splitTopLevel(text)) {
    const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) return { ok: false, message: `invalid selector: '${text}'; can't understand '${part}'` };
    if (!allowed.includes(m[1]!)) return { ok: false, message: `field label not supported: ${m[1]}` };
    requirements.push({ field: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]! });
  }
  return { ok: true, value: requirements };
}

function fieldValue(object: unknown, path: string): string {
  let current: unknown = object;
  for (const segment of path.split('.'))
    current = current && typeof current === 'object' ? (current as Record<string, unknown>)[segment] : undefined;
  return typeof current === 'string' ? current : '';
}

export function matchesFields(requirements: FieldRequirement[], object: unknown): boolean {
  return requirements.every((r) => (fieldValue(object, r.field) === r.value) === (r.op === '='));
}
