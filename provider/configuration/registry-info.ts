// The `acr-registry-info` value: a YAML list (inside a string) of registry
// entries, parsed and validated into RegistryEntry values, and rendered back.

import { isMap, isSeq, isScalar, type Node, type Pair } from 'yaml';
import type { Problem } from '../common/problem.js';
import type { RegistryEntry } from './model.js';
import { KEY, problem, REGISTRY_FIELDS, validateEntry, type FieldValue, type RegistryField } from './registry-entry.js';
import { parseEntryLine, shownKey, type Position, type SourceLine } from './lines.js';
import { parseYaml, scalarText } from './yaml.js';
import { closestName } from './suggest.js';

export function defaultRegistryEntry(): RegistryEntry {
  return {
    edition: 'personal',
    index: 0,
    regionId: undefined,
    domains: undefined,
    credentials: { kind: 'node' },
    assumeRole: undefined,
  };
}

export interface RegistryInfoResult {
  /** Empty when the value holds no entries (the caller supplies the default). */
  entries: RegistryEntry[];
  /** Positions within the value. */
  problems: Problem[];
}

/** A key less indented than its item's first key has left the list item: which item it meant is a guess. */
function keysOutsideItems(lines: SourceLine[]): Problem[] {
  const problems: Problem[] = [];
  let item: { key: string; keyColumn: number } | undefined;
  lines.forEach((line, index) => {
    const entry = parseEntryLine(line.text);
    if (!entry) return;
    if (entry.dash) {
      item = { key: entry.key, keyColumn: entry.keyColumn };
      return;
    }
    if (item && entry.indent < item.keyColumn) {
      problems.push(
        problem(
          'error',
          'key-outside-list-item',
          { line: index + 1, column: (line.origin[entry.indent] ?? entry.indent) + 1 },
          `\`${shownKey(entry.key)}\` is less indented than \`${shownKey(item.key)}\` of the list item above it, so it is not part of any registry entry.`,
          `Indent \`${shownKey(entry.key)}\` to line up with \`${shownKey(item.key)}\`.`,
        ),
      );
    }
  });
  return problems;
}

export function parseRegistryInfo(value: string, context: { rrsaEnabled: boolean }): RegistryInfoResult {
  const parsed = parseYaml(value, { knownKeys: REGISTRY_FIELDS, key: KEY, skipBlockContent: false });
  const problems = [...parsed.problems];
  // Checked even when YAML failed: YAML's own message for this mistake does not say which key to move.
  const outside = parsed.problems.some((p) => p.severity === 'error' && p.code !== 'yaml-syntax')
    ? []
    : keysOutsideItems(parsed.lines);
  if (outside.length > 0)
    return { entries: [], problems: [...problems.filter((p) => p.code !== 'yaml-syntax'), ...outside] };
  if (!parsed.document) return { entries: [], problems };
  const root = parsed.document.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return { entries: [], problems };
  if (!isSeq(root)) {
    const mapLike = isMap(root);
    problems.push(
      problem(
        'error',
        'registry-info-not-a-list',
        parsed.position(root),
        'acr-registry-info must be a YAML list of registry entries.',
        mapLike
          ? 'Start each registry entry with `- `, e.g. `- instanceId: ""`.'
          : 'Write one entry per registry, e.g. `- instanceId: "cri-xxx"` followed by `  regionId: "cn-hangzhou"`.',
      ),
    );
    return { entries: [], problems };
  }
  const entries: RegistryEntry[] = [];
  root.items.forEach((item, index) => {
    if (!isMap(item)) {
      problems.push(
        problem(
          'error',
          'registry-entry-not-a-map',
          item ? parsed.position(item) : undefined,
          `Registry entry ${index + 1} is not a set of \`field: value\` lines.`,
          'Write the entry as `- instanceId: "<id or empty>"` with its other fields lined up below `instanceId`.',
        ),
      );
      return;
    }
    const fields = collectFields(item.items, (node) => parsed.position(node), problems);
    const entry = validateEntry(fields, index, context, problems);
    if (entry) entries.push(entry);
  });
  return { entries, problems };
}

function collectFields(
  pairs: Pair[],
  position: (node: Node) => Position,
  problems: Problem[],
): Map<RegistryField, FieldValue> {
  const fields = new Map<RegistryField, FieldValue>();
  for (const pair of pairs) {
    const keyNode = pair.key as Node;
    const name = scalarText(keyNode) ?? '';
    const keyAt = position(keyNode);
    const exact = REGISTRY_FIELDS.find((field) => field === name);
    const caseless = exact ?? REGISTRY_FIELDS.find((field) => field.toLowerCase() === name.toLowerCase());
    if (!caseless) {
      const guess = closestName(name, REGISTRY_FIELDS);
      problems.push(
        problem(
          'warning',
          'unknown-field',
          keyAt,
          `Unknown registry field \`${shownKey(name)}\`; it is ignored.`,
          guess ? `Did you mean \`${guess}\`?` : `Use only the fields ${REGISTRY_FIELDS.join(', ')}.`,
        ),
      );
      continue;
    }
    if (!exact) {
      problems.push(
        problem(
          'warning',
          'field-name-case',
          keyAt,
          `Field \`${name}\` was read as \`${caseless}\`.`,
          `Spell it \`${caseless}\`.`,
        ),
      );
    }
    if (fields.has(caseless)) {
      problems.push(
        problem(
          'error',
          'duplicate-field',
          keyAt,
          `\`${caseless}\` appears twice in one registry entry.`,
          `Keep one \`${caseless}\` line.`,
        ),
      );
      continue;
    }
    const valueNode = pair.value as Node | null;
    const text = scalarText(valueNode);
    const at = valueNode ? position(valueNode) : keyAt;
    if (text === undefined) {
      problems.push(
        problem(
          'error',
          'invalid-field-value',
          at,
          `\`${caseless}\` must be a single string value.`,
          `Write \`${caseless}: "<value>"\`${caseless === 'domains' ? ' with the domains separated by commas' : ''}.`,
        ),
      );
      continue;
    }
    fields.set(caseless, { text: text.trim(), at });
  }
  return fields;
}

function quote(value: string): string {
  // JSON strings are valid YAML double-quoted scalars.
  return JSON.stringify(value);
}

/** Canonical `acr-registry-info` text; parses back to equal entries. An empty list renders as ''. */
export function renderRegistryInfo(entries: RegistryEntry[]): string {
  return entries
    .map((entry) => {
      const lines = [`- instanceId: ${quote(entry.edition === 'enterprise' ? entry.instanceId : '')}`];
      const field = (name: RegistryField, value: string | number | undefined) => {
        if (value !== undefined) lines.push(`  ${name}: ${typeof value === 'number' ? value : quote(value)}`);
      };
      field('regionId', entry.regionId);
      field('domains', entry.domains?.join(','));
      field('assumeRoleARN', entry.assumeRole?.roleArn);
      field('expireDuration', entry.assumeRole?.durationSeconds);
      const credentials = entry.credentials;
      if (credentials.kind === 'access-key') {
        field('customAccessKey', credentials.accessKeyId);
        if (credentials.secret.kind === 'secret-ref') field('customAccessKeySecretRef', credentials.secret.key);
        else field('customAccessKeySecret', credentials.inlineSecret);
      } else if (credentials.kind === 'rrsa') {
        field('rrsaRoleARN', credentials.roleArn);
        field('rrsaOIDCProviderRoleARN', credentials.oidcProviderArn);
      }
      return lines.join('\n') + '\n';
    })
    .join('');
}
