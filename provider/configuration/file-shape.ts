// The shape of an acr-configuration file: the keys a ConfigMap (or its
// `data`) may hold, and the mistakes of shape users make in it (keys beside
// `data:`, block values not indented, broken `metadata`), each with its fix.
import type { Node, Pair } from 'yaml';
import type { Problem } from '../common/problem.js';
import { parseEntryLine, type Position, type SourceLine } from './lines.js';
import { parseYaml, scalarText, type ParsedYaml } from './yaml.js';

export const CONFIGURATION_KEYS = [
  'service-account',
  'watch-namespace',
  'expiring-threshold',
  'acr-registry-info',
  'rrsa',
  'webhook-configuration',
  'pod-identity',
] as const;
export const LEGACY_KEYS = ['acr-api-version', 'notify-email', 'acr-registry'] as const;
export const CONFIGMAP_FIELDS = ['apiVersion', 'kind', 'metadata', 'data', 'binaryData', 'immutable'];
const METADATA_FIELDS = ['name', 'namespace'];
export const FILE_OPTIONS = {
  knownKeys: [...CONFIGURATION_KEYS, ...LEGACY_KEYS, ...CONFIGMAP_FIELDS, ...METADATA_FIELDS],
  skipBlockContent: true,
};

/**
 * The manifest's metadata means nothing to us: when it alone is what YAML
 * cannot read, read the file without it and say so.
 */
export function parseWithoutBrokenMetadata(
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

export function unindentedBlockValues(lines: SourceLine[]): Problem[] {
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
export function manifestKeyProblems(pairs: Pair[], parsed: ParsedYaml): Problem[] {
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

export function notAMap(at: Position): Problem {
  return {
    severity: 'error',
    code: 'not-a-map',
    ...at,
    message: 'The file is not a map of ConfigMap keys to values.',
    fix: 'Write one `key: value` per line, e.g. `service-account: "default"`, or give a whole ConfigMap manifest.',
  };
}
