// YAML text → document, after the line repairs, with every position mapped
// back to the user's text.

import { LineCounter, parseDocument, isScalar, type Document, type Node } from 'yaml';
import type { Problem } from '../common/problem.js';
import { originalPosition, repairText, type Position, type SourceLine } from './lines.js';

export interface ParsedYaml {
  /** Undefined when the text could not be interpreted (the problems say why). */
  document: Document.Parsed | undefined;
  lines: SourceLine[];
  problems: Problem[];
  /** 1-based position, in the user's text, of a node or offset of the repaired text. */
  position(target: Node | number): Position;
}

export function hasError(problems: readonly Problem[]): boolean {
  return problems.some((problem) => problem.severity === 'error');
}

export function parseYaml(
  text: string,
  options: { knownKeys: readonly string[]; key?: string; skipBlockContent: boolean },
): ParsedYaml {
  const repaired = repairText(text, options);
  const lineCounter = new LineCounter();
  const position = (target: Node | number): Position => {
    const offset = typeof target === 'number' ? target : (target.range?.[0] ?? 0);
    const { line, col } = lineCounter.linePos(offset);
    return originalPosition(repaired.lines, { line, column: col });
  };
  if (hasError(repaired.problems))
    return { document: undefined, lines: repaired.lines, problems: repaired.problems, position };
  // prettyErrors off: the pretty form quotes source lines, which may hold a secret.
  const document = parseDocument(repaired.text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems = [...repaired.problems];
  const reported = [
    ...document.errors.map((error) => ['error', error] as const),
    ...document.warnings.map((warning) => ['warning', warning] as const),
  ];
  const linesReported = new Set<number>();
  for (const [severity, error] of reported) {
    // Errors after the first on a line are the parser tripping over the same mistake.
    const at =
      (error.message.startsWith('Missing closing') &&
        openingQuote(repaired.lines, error.message.charAt(16), lineCounter.linePos(error.pos[0]).line)) ||
      position(error.pos[0]);
    if (linesReported.has(at.line)) continue;
    linesReported.add(at.line);
    problems.push({
      severity,
      code: 'yaml-syntax',
      key: options.key,
      ...at,
      message: yamlMessage(error.message),
      fix: yamlFix(error.code, error.message),
    });
  }
  return { document: document.errors.length > 0 ? undefined : document, lines: repaired.lines, problems, position };
}

/** YAML reports an unclosed quote where the text ends; the operator needs the line where it was opened. */
function openingQuote(lines: SourceLine[], quote: string, fromLine: number): Position | undefined {
  for (let index = Math.min(fromLine, lines.length) - 1; index >= 0; index--) {
    const text = lines[index]?.text ?? '';
    if ((text.split(quote).length - 1) % 2 === 1)
      return originalPosition(lines, { line: index + 1, column: text.lastIndexOf(quote) + 1 });
  }
  return undefined;
}

// Messages of the yaml library that quote the user's text (which may be a
// secret) are never passed on: only these fixed ones are, the rest get a
// generic sentence.
const FIXED_YAML_MESSAGES = [
  'Map keys must be unique',
  'All sequence items must start at the same column',
  'All mapping items must start at the same column',
  'All collection items must start at the same column',
  'Implicit keys need to be on a single line',
  'Implicit map keys need to be followed by map values',
  'Nested mappings are not allowed in compact mappings',
  'A block sequence may not be used as an implicit map key',
  'Missing closing "quote',
  "Missing closing 'quote",
  'Sequence item without - indicator',
  'Comments must be separated from other tokens by white space characters',
  'Flow sequence must end with a ]',
  'Flow map must end with a }',
  'Flow sequence in block collection must be sufficiently indented and end with a ]',
  'Flow map in block collection must be sufficiently indented and end with a }',
  'Unexpected scalar at node end',
  'Source contains multiple documents',
];

function yamlMessage(message: string): string {
  const fixed = FIXED_YAML_MESSAGES.find((known) => message.startsWith(known));
  return fixed ? `${fixed}.` : 'YAML cannot read the text at this position.';
}

function yamlFix(code: string, message: string): string {
  if (message.startsWith('Missing closing')) return 'Close the quote opened on this line, or remove it.';
  if (message.startsWith('Implicit map keys need to be followed by map values'))
    return 'Write `key: value` with a colon and a space after the key.';
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'Remove one of the two entries with this key.';
    case 'BAD_DQ_ESCAPE':
      return 'Use single quotes, or double each backslash.';
    case 'BAD_SCALAR_START':
      return 'Put the value in double quotes.';
    case 'MULTIPLE_DOCS':
      return 'Keep only the acr-configuration ConfigMap in this file (one document, no `---`).';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'UNEXPECTED_TOKEN':
      return 'Line this key up with the other keys at its level, using spaces only, and put a space after each colon.';
    case 'MULTILINE_IMPLICIT_KEY':
      return 'Put each key and its colon on one line; start each mapping entry on a new line.';
    default:
      return 'Correct the YAML at this position: keys at one level line up, a space follows each colon, strings with special characters are quoted.';
  }
}

/** The scalar as a string, for values that are strings by contract; undefined for maps and lists. */
export function scalarText(node: unknown): string | undefined {
  if (node === null || node === undefined) return '';
  if (!isScalar(node)) return undefined;
  const value = node.value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(node.source ?? value);
  return undefined;
}
