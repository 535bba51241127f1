// Parsing and validation of the `kube-system/acr-configuration` ConfigMap, the
// compatibility contract with aliyun-acr-credential-helper users. Lenient
// where the published examples are wrong but unambiguous (with a warning),
// strict otherwise (an error with line, column and fix); never throws.

import { isMap, isScalar, type Node, type Pair, type Scalar } from 'yaml';
import type { Problem } from '../common/problem.js';
import type { AcrConfiguration, NameSelection, WebhookConfiguration } from './model.js';
import { parseEntryLine, type Position, type SourceLine } from './lines.js';
import { hasError, parseYaml, scalarText, type ParsedYaml } from './yaml.js';
import { closestName } from './suggest.js';
import { parseGoDuration } from '../common/go-duration.js';
import { defaultRegistryEntry, parseRegistryInfo } from './registry-info.js';

export { renderRegistryInfo } from './registry-info.js';

export type ParseResult =
  | { ok: true; config: AcrConfiguration; problems: Problem[] } // problems: warnings only
  | { ok: false; problems: Problem[] }; // at least one error

export const CONFIGURATION_KEYS = [
  'service-account',
  'watch-namespace',
  'expiring-threshold',
  'acr-registry-info',
  'rrsa',
  'webhook-configuration',
] as const;
export const LEGACY_KEYS = ['acr-api-version', 'notify-email', 'acr-registry'] as const;
const CONFIGMAP_FIELDS = ['apiVersion', 'kind', 'metadata', 'data', 'binaryData', 'immutable'];
const METADATA_FIELDS = ['name', 'namespace'];
const DEFAULT_EXPIRING_THRESHOLD_SECONDS = 900;
const DEFAULT_WEBHOOK: WebhookConfiguration = { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 };

/** One ConfigMap key as found, with how to place positions inside its value in the text the user gave us. */
interface DataValue {
  key: string;
  value: string;
  keyAt: Position | undefined;
  locate(position: Position): Position;
}

export function parseConfigurationData(data: Record<string, string>): ParseResult {
  return validate(
    Object.entries(data).map(([key, value]) => ({ key, value, keyAt: undefined, locate: (position) => position })),
    [],
  );
}

export function parseConfigurationFile(text: string): ParseResult {
  const result = parseFile(text);
  // A mistake at the very end (an unclosed quote) is reported on the last line, not past it.
  const lines = text.split(/\r?\n/);
  for (const problem of result.problems) {
    if (problem.line === undefined) continue;
    if (problem.line > lines.length) problem.line = lines.length;
    problem.column = Math.min(problem.column ?? 1, (lines[problem.line - 1]?.length ?? 0) + 1);
  }
  // In file order, so an operator reads them top to bottom.
  result.problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return result;
}

const FILE_OPTIONS = {
  knownKeys: [...CONFIGURATION_KEYS, ...LEGACY_KEYS, ...CONFIGMAP_FIELDS, ...METADATA_FIELDS],
  skipBlockContent: true,
};

function parseFile(text: string): ParseResult {
  let parsed = parseYaml(text, FILE_OPTIONS);
  let problems = [...parsed.problems];
  if (!parsed.document) {
    const withoutMetadata = parseWithoutBrokenMetadata(text, parsed);
    if (!withoutMetadata) {
      // YAML's own message for a value that is not indented under its `|` does not say what to indent.
      const unindented = unindentedBlockValues(parsed.lines);
      return {
        ok: false,
        problems:
          unindented.length > 0 ? [...problems.filter((p) => p.code !== 'yaml-syntax'), ...unindented] : problems,
      };
    }
    parsed = withoutMetadata.parsed;
    problems = [...parsed.problems, withoutMetadata.warning];
  }
  if (!parsed.document) return { ok: false, problems };
  let root = parsed.document.contents as Node | null;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return validate([], problems);
  if (!isMap(root)) {
    problems.push(notAMap(parsed.position(root)));
    return { ok: false, problems };
  }
  const dataPair = (root.items as Pair[]).find((pair) => scalarText(pair.key) === 'data');
  if (dataPair) {
    const kind = (root.items as Pair[]).find((pair) => scalarText(pair.key) === 'kind');
    if (kind && scalarText(kind.value) !== 'ConfigMap') {
      problems.push({
        severity: 'error',
        code: 'not-a-configmap',
        ...parsed.position(kind.value as Node),
        message: `The manifest is a \`${scalarText(kind.value) ?? '?'}\`, not a ConfigMap.`,
        fix: 'Give the acr-configuration ConfigMap, or just its `data` map.',
      });
      return { ok: false, problems };
    }
    const data = dataPair.value as Node | null;
    if (data === null || (isScalar(data) && (data.value === null || data.value === ''))) return validate([], problems);
    if (!isMap(data)) {
      problems.push(notAMap(parsed.position(data)));
      return { ok: false, problems };
    }
    problems.push(...manifestKeyProblems(root.items as Pair[], parsed));
    root = data;
  }
  const values: DataValue[] = [];
  for (const pair of root.items as Pair[]) {
    const key = scalarText(pair.key) ?? '';
    const keyAt = parsed.position(pair.key as Node);
    const node = pair.value as Node | null;
    const value = scalarText(node);
    if (value === undefined) {
      problems.push({
        severity: 'error',
        code: 'value-not-a-string',
        key,
        ...(node ? parsed.position(node) : keyAt),
        message: `The value of \`${key}\` is a YAML ${isMap(node) ? 'map' : 'list'}, but ConfigMap values are strings.`,
        fix: `Write \`${key}: |\` and indent the value below it.`,
      });
      continue;
    }
    if (isScalar(node) && typeof node.value !== 'string' && node.value !== null) {
      problems.push({
        severity: 'warning',
        code: 'value-not-a-string',
        key,
        ...parsed.position(node),
        message: `The value of \`${key}\` is not quoted; it was read as the string \`${value}\`.`,
        fix: `Quote it: \`${key}: "${value}"\` (kubectl rejects non-string ConfigMap values).`,
      });
    }
    values.push({
      key,
      value,
      keyAt,
      locate: node && isScalar(node) ? scalarLocator(node, parsed) : (position) => position,
    });
  }
  return validate(values, problems);
}

/**
 * The manifest's metadata means nothing to us: when it alone is what YAML
 * cannot read, read the file without it and say so.
 */
function parseWithoutBrokenMetadata(
  text: string,
  failed: ParsedYaml,
): { parsed: ParsedYaml; warning: Problem } | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => /^metadata:\s*(#.*)?$/.test(line));
  if (start < 0) return undefined;
  const after = lines.slice(start + 1).findIndex((line) => /^[^\s#]/.test(line));
  const end = after < 0 ? lines.length : start + 1 + after;
  const firstError = failed.problems.find((problem) => problem.severity === 'error');
  if (
    firstError?.code !== 'yaml-syntax' ||
    firstError.line === undefined ||
    firstError.line <= start + 1 ||
    firstError.line > end
  )
    return undefined;
  // Blank rather than remove, so line numbers stay those of the file.
  const parsed = parseYaml(
    lines.map((line, index) => (index > start && index < end ? '' : line)).join('\n'),
    FILE_OPTIONS,
  );
  if (!parsed.document) return undefined;
  return {
    parsed,
    warning: {
      severity: 'warning',
      code: 'metadata-ignored',
      line: firstError.line,
      column: firstError.column,
      message: `The manifest's \`metadata\` is not valid YAML (${firstError.message.replace(/\.$/, '')}); it was ignored, since only \`data\` matters here.`,
      fix: 'Line up the keys under `metadata` (`name`, `namespace`) with the same number of spaces.',
    },
  };
}

const BLOCK_HEADER = /^[|>][-+0-9]*\s*(#.*)?$/;

function unindentedBlockValues(lines: SourceLine[]): Problem[] {
  const topLevelKeys: readonly string[] = [...CONFIGURATION_KEYS, ...LEGACY_KEYS, ...CONFIGMAP_FIELDS];
  const problems: Problem[] = [];
  lines.forEach((line, index) => {
    const entry = parseEntryLine(line.text);
    if (!entry || !BLOCK_HEADER.test(entry.value)) return;
    const offset = lines.slice(index + 1).findIndex((next) => next.text.trim() !== '');
    const next = lines[index + 1 + offset];
    if (offset < 0 || !next) return;
    const indent = /^ */.exec(next.text)?.[0].length ?? 0;
    const nextEntry = parseEntryLine(next.text);
    const belongsToValue =
      next.text.trimStart().startsWith('-') || (nextEntry !== undefined && !topLevelKeys.includes(nextEntry.key));
    if (indent > entry.indent || !belongsToValue) return;
    problems.push({
      severity: 'error',
      code: 'block-not-indented',
      key: entry.key,
      line: index + 2 + offset,
      column: (next.origin[indent] ?? indent) + 1,
      message: `The lines after \`${entry.key}: ${entry.value}\` are not indented more than \`${entry.key}\`, so they are not part of its value.`,
      fix: `Indent every line of the \`${entry.key}\` value two spaces more than \`${entry.key}\`.`,
    });
  });
  return problems;
}

/** A data key beside `data:` instead of under it was meant for the data, but that is a guess: refuse. */
function manifestKeyProblems(pairs: Pair[], parsed: ParsedYaml): Problem[] {
  const problems: Problem[] = [];
  for (const pair of pairs) {
    const key = scalarText(pair.key) ?? '';
    if (CONFIGMAP_FIELDS.includes(key)) continue;
    const at = parsed.position(pair.key as Node);
    if ((CONFIGURATION_KEYS as readonly string[]).includes(key) || (LEGACY_KEYS as readonly string[]).includes(key)) {
      problems.push({
        severity: 'error',
        code: 'key-outside-data',
        key,
        ...at,
        message: `\`${key}\` is at the top level of the manifest, not under \`data\`, so it is not part of the ConfigMap data.`,
        fix: `Indent \`${key}\` to line up with the other keys under \`data\`.`,
      });
    } else {
      problems.push({
        severity: 'warning',
        code: 'unknown-manifest-field',
        key,
        ...at,
        message: `\`${key}\` is not a field of a ConfigMap; it is ignored.`,
        fix: `Remove \`${key}\`, or move it under \`data\` if it is a setting.`,
      });
    }
  }
  return problems;
}

function notAMap(at: Position): Problem {
  return {
    severity: 'error',
    code: 'not-a-map',
    ...at,
    message: 'The file is not a map of ConfigMap keys to values.',
    fix: 'Write one `key: value` per line, e.g. `service-account: "default"`, or give a whole ConfigMap manifest.',
  };
}

/** Maps a position inside a scalar's value to the file. */
function scalarLocator(node: Scalar, parsed: ParsedYaml): (position: Position) => Position {
  const start = parsed.position(node);
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    // Literal content line N is file line (header + N), shifted by the block's indentation.
    const value = String(node.value);
    const valueLines = value.split('\n');
    const firstContent = valueLines.findIndex((line) => line.trim() !== '');
    const fileLine = parsed.lines[start.line - 1 + firstContent + 1]?.text ?? '';
    const valueIndent = /^ */.exec(valueLines[firstContent] ?? '')?.[0].length ?? 0;
    const indent = (/^ */.exec(fileLine)?.[0].length ?? 0) - valueIndent;
    return (position) => ({ line: start.line + position.line, column: position.column + indent });
  }
  const quoteWidth = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0;
  // Past the first line, folding and escapes leave no column-exact mapping: point at the value.
  return (position) =>
    position.line === 1 ? { line: start.line, column: start.column + quoteWidth + position.column - 1 } : start;
}

function validate(values: DataValue[], earlier: Problem[]): ParseResult {
  const problems = [...earlier];
  const found = new Map(values.map((value) => [value.key, value]));
  const located = (value: DataValue, inner: Problem[]) =>
    inner.map((problem) =>
      problem.line === undefined
        ? { ...problem, key: value.key }
        : { ...problem, key: value.key, ...value.locate({ line: problem.line, column: problem.column ?? 1 }) },
    );
  const valueProblem = (value: DataValue, severity: Problem['severity'], code: string, message: string, fix: string) =>
    problems.push(...located(value, [{ severity, code, line: 1, column: 1, message, fix }]));

  const ignoredKeys: string[] = [];
  for (const value of values) {
    if ((CONFIGURATION_KEYS as readonly string[]).includes(value.key)) continue;
    if ((LEGACY_KEYS as readonly string[]).includes(value.key)) {
      ignoredKeys.push(value.key);
      problems.push({
        severity: 'warning',
        code: 'ignored-key',
        key: value.key,
        ...(value.keyAt ?? {}),
        message: `\`${value.key}\` is a setting of the old credential helper and has no effect here.`,
        fix: `Remove \`${value.key}\` when convenient; it is safe to keep.`,
      });
      continue;
    }
    const guess = closestName(value.key, [...CONFIGURATION_KEYS, ...LEGACY_KEYS]);
    problems.push({
      severity: 'warning',
      code: 'unknown-key',
      key: value.key,
      ...(value.keyAt ?? {}),
      message: `Unknown key \`${value.key}\`; it is ignored.`,
      fix: guess ? `Did you mean \`${guess}\`?` : `Use only the keys ${CONFIGURATION_KEYS.join(', ')}.`,
    });
  }

  const serviceAccounts = nameSelection(found.get('service-account')?.value, '*');
  const watchNamespaces = nameSelection(found.get('watch-namespace')?.value, 'all');

  let expiringThresholdSeconds = DEFAULT_EXPIRING_THRESHOLD_SECONDS;
  const threshold = found.get('expiring-threshold');
  if (threshold && threshold.value.trim() !== '') {
    const seconds = parseGoDuration(threshold.value.trim());
    if (seconds === undefined || seconds < 0) {
      valueProblem(
        threshold,
        'error',
        'invalid-duration',
        `expiring-threshold \`${threshold.value.trim()}\` is not a duration.`,
        'Use a Go duration such as `15m`, `1h` or `90s`.',
      );
    } else {
      expiringThresholdSeconds = seconds;
    }
  }

  const rrsa = found.get('rrsa');
  const rrsaFlags = rrsa ? parseFlagMap(rrsa.value, 'rrsa', ['enable']) : undefined;
  if (rrsa && rrsaFlags) problems.push(...located(rrsa, rrsaFlags.problems));
  const rrsaEnabled = rrsaFlags?.enabled ?? false;

  const webhookValue = found.get('webhook-configuration');
  let webhook = DEFAULT_WEBHOOK;
  if (webhookValue) {
    const parsed = parseWebhook(webhookValue.value);
    problems.push(...located(webhookValue, parsed.problems));
    webhook = parsed.webhook;
  }

  const registryValue = found.get('acr-registry-info');
  const registryInfo = parseRegistryInfo(registryValue?.value ?? '', { rrsaEnabled });
  if (registryValue) problems.push(...located(registryValue, registryInfo.problems));

  if (hasError(problems)) return { ok: false, problems };
  const registriesDefaulted = registryInfo.entries.length === 0;
  const config: AcrConfiguration = {
    serviceAccounts,
    watchNamespaces,
    expiringThresholdSeconds,
    registries: registriesDefaulted ? [defaultRegistryEntry()] : registryInfo.entries,
    registriesDefaulted,
    rrsaEnabled,
    webhook,
    ignoredKeys,
    data: Object.fromEntries(values.map((value) => [value.key, value.value])),
  };
  return { ok: true, config, problems };
}

function nameSelection(value: string | undefined, allWord: string): NameSelection {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.includes(allWord)) return { all: true };
  return { all: false, names: names.length > 0 ? [...new Set(names)] : ['default'] };
}

interface FlagField {
  value: unknown;
  at: Position;
}

/** A small YAML map in a string (`rrsa`, `webhook-configuration`): known fields with their positions. */
function parseSmallMap(
  text: string,
  key: string,
  fieldNames: readonly string[],
): { fields: Map<string, FlagField>; problems: Problem[] } {
  const fields = new Map<string, FlagField>();
  if (text.trim() === '') return { fields, problems: [] };
  const parsed = parseYaml(text, { knownKeys: fieldNames, key, skipBlockContent: false });
  const problems = [...parsed.problems];
  const root = parsed.document?.contents as Node | null | undefined;
  if (!parsed.document) return { fields, problems };
  if (!isMap(root)) {
    problems.push({
      severity: 'error',
      code: 'not-a-map',
      key,
      ...(root ? parsed.position(root) : { line: 1, column: 1 }),
      message: `The value of \`${key}\` must be YAML \`field: value\` lines.`,
      fix: `Write e.g. \`${fieldNames[0]}: true\` on its own line under \`${key}: |\`.`,
    });
    return { fields, problems };
  }
  for (const pair of root.items as Pair[]) {
    const name = scalarText(pair.key) ?? '';
    const keyAt = parsed.position(pair.key as Node);
    if (!fieldNames.includes(name)) {
      const guess = closestName(name, fieldNames);
      problems.push({
        severity: 'warning',
        code: 'unknown-field',
        key,
        ...keyAt,
        message: `Unknown field \`${name}\` in \`${key}\`; it is ignored.`,
        fix: guess ? `Did you mean \`${guess}\`?` : `Use only ${fieldNames.map((field) => `\`${field}\``).join(', ')}.`,
      });
      continue;
    }
    const node = pair.value as Node | null;
    fields.set(name, {
      value: isScalar(node) ? node.value : node === null ? null : node,
      at: node ? parsed.position(node) : keyAt,
    });
  }
  return { fields, problems };
}

function booleanField(
  field: FlagField | undefined,
  key: string,
  name: string,
  problems: Problem[],
): boolean | undefined {
  if (!field || field.value === null) return undefined;
  if (typeof field.value === 'boolean') return field.value;
  if (field.value === 'true' || field.value === 'false') return field.value === 'true';
  problems.push({
    severity: 'error',
    code: 'invalid-boolean',
    key,
    ...field.at,
    message: `\`${name}\` in \`${key}\` must be true or false.`,
    fix: `Write \`${name}: true\` or \`${name}: false\`.`,
  });
  return undefined;
}

function parseFlagMap(
  text: string,
  key: string,
  fieldNames: readonly string[],
): { enabled: boolean; problems: Problem[] } {
  const { fields, problems } = parseSmallMap(text, key, fieldNames);
  return { enabled: booleanField(fields.get('enable'), key, 'enable', problems) ?? false, problems };
}

function parseWebhook(text: string): { webhook: WebhookConfiguration; problems: Problem[] } {
  const key = 'webhook-configuration';
  const { fields, problems } = parseSmallMap(text, key, ['enable', 'failure-policy', 'timeout-seconds']);
  const enabled = booleanField(fields.get('enable'), key, 'enable', problems) ?? DEFAULT_WEBHOOK.enabled;
  let failurePolicy = DEFAULT_WEBHOOK.failurePolicy;
  const policy = fields.get('failure-policy');
  if (policy && policy.value !== null) {
    const written = String(policy.value);
    const match = (['Ignore', 'Fail'] as const).find((name) => name.toLowerCase() === written.toLowerCase());
    if (!match) {
      problems.push({
        severity: 'error',
        code: 'invalid-failure-policy',
        key,
        ...policy.at,
        message: `failure-policy \`${written}\` is neither Ignore nor Fail.`,
        fix: 'Write `failure-policy: Ignore` (pods are admitted if the webhook fails) or `failure-policy: Fail`.',
      });
    } else {
      if (match !== written)
        problems.push({
          severity: 'warning',
          code: 'value-case',
          key,
          ...policy.at,
          message: `failure-policy \`${written}\` was read as \`${match}\`.`,
          fix: `Write \`failure-policy: ${match}\`.`,
        });
      failurePolicy = match;
    }
  }
  let timeoutSeconds = DEFAULT_WEBHOOK.timeoutSeconds;
  const timeout = fields.get('timeout-seconds');
  if (timeout && timeout.value !== null) {
    const seconds =
      typeof timeout.value === 'number'
        ? timeout.value
        : /^\d+$/.test(String(timeout.value).trim())
          ? Number(String(timeout.value).trim())
          : Number.NaN;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 30) {
      problems.push({
        severity: 'error',
        code: 'invalid-timeout',
        key,
        ...timeout.at,
        message: `timeout-seconds \`${String(timeout.value)}\` is not a whole number from 1 to 30.`,
        fix: 'Write e.g. `timeout-seconds: 10`; the Kubernetes API server allows 1 to 30.',
      });
    } else {
      timeoutSeconds = seconds;
    }
  }
  return { webhook: { enabled, failurePolicy, timeoutSeconds }, problems };
}
