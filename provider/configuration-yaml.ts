// YAML text → document, after the line repairs, with every position mapped
// back to the user's text.

import { LineCounter, parseDocument, isScalar, type Document, type Node } from 'yaml';
import type { Problem } from './problem.js';
import { originalPosition, repairText, type Position, type SourceLine } from './configuration-lines.js';

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

export function parseYaml(text: string, options: { knownKeys: readonly string[]; key?: string; skipBlockContent: boolean }): ParsedYaml {
  const repaired = repairText(text, options);
  const lineCounter = new LineCounter();
  const position = (target: Node | number): Position => {
    const offset = typeof target === 'number' ? target : (target.range?.[0] ?? 0);
    const { line, col } = lineCounter.linePos(offset);
    return originalPosition(repaired.lines, { line, column: col });
  };
  if (hasError(repaired.problems)) return { document: undefined, lines: repaired.lines, problems: repaired.problems, position };
  // prettyErrors off: the pretty form quotes source lines, which may hold a secret.
  const document = parseDocument(repaired.text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems = [...repaired.problems];
  const reported = [...document.errors.map((error) => ['error', error] as const), ...document.warnings.map((warning) => ['warning', warning] as const)];
  const linesReported = new Set<number>();
  for (const [severity, error] of reported) {
    // Errors after the first on a line are the parser tripping over the same mistake.
    const at = position(error.pos[0]);
    if (linesReported.has(at.line)) continue;
    linesReported.add(at.line);
    problems.push({
      severity,
      code: 'yaml-syntax',
      key: options.key,
      ...at,
      message: `${error.message.replace(/\s+/g, ' ').replace(/\.?$/, '.')}`,
      fix: yamlFix(error.code),
    });
  }
  return { document: document.errors.length > 0 ? undefined : document, lines: repaired.lines, problems, position };
}

function yamlFix(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'Remove one of the two entries with this key.';
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
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(node.source ?? value);
  return undefined;
}
