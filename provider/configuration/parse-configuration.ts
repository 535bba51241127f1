// Parsing and validation of the `kube-system/acr-configuration` ConfigMap, the
// compatibility contract with aliyun-acr-credential-helper users. Lenient
// where the published examples are wrong but unambiguous (with a warning),
// strict otherwise (an error with line, column and fix); never throws.

import { isMap, isScalar, type Node, type Pair, type Scalar } from 'yaml';
import type { Problem } from '../common/problem.js';
import type { AcrConfiguration } from './model.js';
import {
  DEFAULT_POD_IDENTITY,
  DEFAULT_WEBHOOK,
  nameSelection,
  parseFlagMap,
  parsePodIdentity,
  parseWebhook,
  POD_IDENTITY_KEY,
} from './settings.js';
import type { Position } from './lines.js';
import { hasError, parseYaml, scalarText, type ParsedYaml } from './yaml.js';
import {
  CONFIGURATION_KEYS,
  FILE_OPTIONS,
  LEGACY_KEYS,
  manifestKeyProblems,
  notAMap,
  parseWithoutBrokenMetadata,
  unindentedBlockValues,
} from './file-shape.js';
import { closestName } from './suggest.js';
import { parseGoDuration } from '../common/go-duration.js';
import { defaultRegistryEntry, parseRegistryInfo } from './registry-info.js';

export type ParseResult =
  | { ok: true; config: AcrConfiguration; problems: Problem[] } // problems: warnings only
  | { ok: false; problems: Problem[] }; // at least one error

const DEFAULT_EXPIRING_THRESHOLD_SECONDS = 900;

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
  const dataPair = root.items.find((pair) => scalarText(pair.key) === 'data');
  if (dataPair) {
    const kind = root.items.find((pair) => scalarText(pair.key) === 'kind');
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
    problems.push(...manifestKeyProblems(root.items, parsed));
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

  const podIdentityValue = found.get(POD_IDENTITY_KEY);
  let podIdentity = DEFAULT_POD_IDENTITY;
  if (podIdentityValue) {
    const parsed = parsePodIdentity(podIdentityValue.value);
    problems.push(...located(podIdentityValue, parsed.problems));
    podIdentity = parsed.podIdentity;
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
    podIdentity,
    ignoredKeys,
    data: Object.fromEntries(values.map((value) => [value.key, value.value])),
  };
  return { ok: true, config, problems };
}
