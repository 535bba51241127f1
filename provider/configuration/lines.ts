// Line-level repairs of the mistakes the published acr-configuration examples
// carry (and users copy). Each repair only changes text that YAML would
// otherwise reject or misread, reports a warning saying where and how to fix
// it, and keeps a column map so later problems still point at the user's text.

import type { Problem } from '../common/problem.js';

export interface SourceLine {
  text: string;
  /** origin[i]: 0-based column in the user's text of text[i]; one extra entry for the end of line. */
  origin: number[];
}

/** 1-based, like Problem. */
export interface Position {
  line: number;
  column: number;
}

export function splitLines(text: string): SourceLine[] {
  return text
    .split(/\r?\n/)
    .map((line) => ({ text: line, origin: Array.from({ length: line.length + 1 }, (_, i) => i) }));
}

export function joinLines(lines: SourceLine[]): string {
  return lines.map((line) => line.text).join('\n');
}

/** Maps a 1-based position in the repaired text back to the user's text. */
export function originalPosition(lines: SourceLine[], position: Position): Position {
  const line = lines[position.line - 1];
  if (!line) return position;
  const index = Math.min(Math.max(position.column - 1, 0), line.origin.length - 1);
  return { line: position.line, column: (line.origin[index] ?? index) + 1 };
}

function removeRange(line: SourceLine, start: number, end: number): void {
  line.text = line.text.slice(0, start) + line.text.slice(end);
  line.origin.splice(start, end - start);
}

function insertAt(line: SourceLine, at: number, text: string): void {
  line.text = line.text.slice(0, at) + text + line.text.slice(at);
  const origin = line.origin[at] ?? at;
  line.origin.splice(at, 0, ...Array.from({ length: text.length }, () => origin));
}

/**
 * A key as it may be shown in a message: `customAccessKeySecretabc123` is a
 * secret run into its key, so nothing after "secret" is shown.
 */
export function shownKey(name: string): string {
  const secretAt = name.toLowerCase().indexOf('secret');
  return secretAt >= 0 && name.length > secretAt + 'secret'.length
    ? `${name.slice(0, secretAt + 'secret'.length)}…`
    : name;
}

/** `key: value` (or `- key: value`) on one line, as far as a line can tell. */
export interface EntryLine {
  indent: number;
  /** The `- ` of a list item, with its spaces; '' when none. */
  dash: string;
  key: string;
  /** 0-based column of the key. */
  keyColumn: number;
  /** The value text after `: `, without trailing spaces ('' when none). */
  value: string;
  /** 0-based column of the value. */
  valueColumn: number;
}

const ENTRY = /^( *)(- +)?([A-Za-z0-9_.][\w.\-/]*):(?:( +)(.*?))?\s*$/;

export function parseEntryLine(text: string): EntryLine | undefined {
  const match = ENTRY.exec(text);
  if (!match) return undefined;
  const indent = match[1]?.length ?? 0;
  const dash = match[2] ?? '';
  const key = match[3] ?? '';
  const keyColumn = indent + dash.length;
  return {
    indent,
    dash,
    key,
    keyColumn,
    value: match[5] ?? '',
    valueColumn: keyColumn + key.length + 1 + (match[4]?.length ?? 0),
  };
}

/** A value that ends on its own line: nothing more-indented below can belong to it. */
function isCompleteScalar(value: string): boolean {
  if (value === '') return false;
  if (value.startsWith('"')) return value.length > 1 && value.endsWith('"');
  if (value.startsWith("'")) return value.length > 1 && value.endsWith("'");
  return !/^[|>[{&*!#]/.test(value);
}

function isBlankOrComment(text: string): boolean {
  return /^\s*(#.*)?$/.test(text);
}

/** Lines that are the content of a block scalar (`key: |`): repairs of the outer text leave them alone. */
export function blockScalarContent(lines: SourceLine[]): boolean[] {
  const content: boolean[] = [];
  let headerIndent: number | undefined;
  for (const line of lines) {
    const indent = /^ */.exec(line.text)?.[0].length ?? 0;
    if (headerIndent !== undefined && (line.text.trim() === '' || indent > headerIndent)) {
      content.push(true);
      continue;
    }
    headerIndent = undefined;
    content.push(false);
    const entry = parseEntryLine(line.text);
    if (entry && /^[|>][-+0-9]*\s*(#.*)?$/.test(entry.value)) headerIndent = entry.indent;
  }
  return content;
}

type Repair = (lines: SourceLine[], skip: boolean[], key: string | undefined) => Problem[];

export const replaceNonBreakingSpaces: Repair = (lines, _skip, key) => {
  let first: Position | undefined;
  let count = 0;
  lines.forEach((line, index) => {
    const column = line.text.indexOf('\u00a0');
    if (column < 0) return;
    first ??= { line: index + 1, column: column + 1 };
    count += line.text.split('\u00a0').length - 1;
    line.text = line.text.replaceAll('\u00a0', ' ');
  });
  if (!first) return [];
  return [
    {
      severity: 'warning',
      code: 'non-breaking-space',
      key,
      ...first,
      message: `${count} non-breaking space character(s) (U+00A0, usually copied from a web page) were read as plain spaces.`,
      fix: 'Retype the indentation and the space after each colon with ordinary spaces.',
    },
  ];
};

/** YAML forbids tabs in indentation and the fix is mechanical, but which width a tab meant is a guess: refuse. */
export function findTabIndentation(lines: SourceLine[], key: string | undefined): Problem[] {
  const problems: Problem[] = [];
  lines.forEach((line, index) => {
    const column = /^[ ]*\t/.exec(line.text)?.[0].length;
    if (column === undefined) return;
    problems.push({
      severity: 'error',
      code: 'tab-indentation',
      key,
      line: index + 1,
      column,
      message: 'A tab character is used for indentation; YAML allows only spaces there.',
      fix: 'Replace the tab with spaces so the line lines up with its siblings.',
    });
  });
  return problems;
}

/** `notify-email:"cs@aliyuncs.com"`: without the space YAML reads one plain string, not a key. */
export function addSpaceAfterColon(knownKeys: readonly string[]): Repair {
  const known = new Set(knownKeys.map((name) => name.toLowerCase()));
  return (lines, skip, key) => {
    const problems: Problem[] = [];
    lines.forEach((line, index) => {
      if (skip[index]) return;
      const match = /^( *(?:- +)?)([A-Za-z][\w.-]*):(?=[^\s:/])/.exec(line.text);
      if (!match || !known.has((match[2] ?? '').toLowerCase())) return;
      const colon = match[0].length - 1;
      problems.push({
        severity: 'warning',
        code: 'missing-space-after-colon',
        key,
        ...originalPosition(lines, { line: index + 1, column: colon + 2 }),
        message: `\`${match[2]}:\` has no space after the colon; it was read as the key \`${match[2]}\` with the value after it.`,
        fix: `Write \`${match[2]}: <value>\` with a space after the colon.`,
      });
      insertAt(line, colon + 1, ' ');
    });
    return problems;
  };
}

/** Where a `//` comment starts in an entry's value, outside quotes; -1 if none. */
function slashCommentStart(value: string): number {
  let from = 0;
  if (value.startsWith('"') || value.startsWith("'")) {
    const quote = value[0] ?? '';
    let end = 1;
    while (end < value.length && value[end] !== quote) end += value[end] === '\\' && quote === '"' ? 2 : 1;
    from = end + 1;
  } else if (value.startsWith('//')) {
    return 0;
  }
  const match = /\s\/\//.exec(value.slice(from));
  if (!match) return -1;
  const hash = value.slice(from).search(/\s#/);
  if (hash >= 0 && hash < match.index) return -1;
  return from + match.index + 1;
}

/** `customAccessKey: "xxxxx" // Enter the AccessKey ID ...`: `//` is not a YAML comment. */
export const stripSlashComments: Repair = (lines, skip, key) => {
  const problems: Problem[] = [];
  lines.forEach((line, index) => {
    if (skip[index]) return;
    const entry = parseEntryLine(line.text);
    const wholeLine = /^\s*\/\//.exec(line.text);
    const start = entry ? slashCommentStart(entry.value) : -1;
    if (!entry && !wholeLine) return;
    if (entry && start < 0) return;
    const column = entry ? entry.valueColumn + start : (wholeLine?.[0].length ?? 2) - 2;
    problems.push({
      severity: 'warning',
      code: 'slash-comment',
      key,
      ...originalPosition(lines, { line: index + 1, column: column + 1 }),
      message: entry
        ? `The \`//\` text after the value of \`${shownKey(entry.key)}\` is not a YAML comment; it was removed.`
        : 'This `//` line is not a YAML comment; it was removed.',
      fix: 'Delete the `//` text, or start the comment with `#`.',
    });
    const end = line.origin[column] ?? column;
    line.text = line.text.slice(0, column).trimEnd();
    line.origin.length = line.text.length;
    line.origin.push(end);
  });
  return problems;
};

/** `domains: "xxx.com","yyy.com"`: meant, unambiguously, as one comma list. */
export const joinQuotedList: Repair = (lines, skip, key) => {
  const problems: Problem[] = [];
  lines.forEach((line, index) => {
    if (skip[index]) return;
    const entry = parseEntryLine(line.text);
    if (!entry || !/^"[^"\\]*"(\s*,\s*"[^"\\]*")+$/.test(entry.value)) return;
    const items = [...entry.value.matchAll(/"([^"]*)"/g)].map((match) => match[1] ?? '');
    const joined = `"${items.join(',')}"`;
    problems.push({
      severity: 'warning',
      code: 'quoted-list',
      key,
      ...originalPosition(lines, { line: index + 1, column: entry.valueColumn + 1 }),
      message: `\`${shownKey(entry.key)}\` is written as several quoted strings; they were read as one comma-separated list.`,
      // Never echo what may be a secret.
      fix: /secret/i.test(entry.key)
        ? `Write one quoted string: \`${shownKey(entry.key)}: "<value>"\`.`
        : `Write one quoted string: \`${shownKey(entry.key)}: ${joined}\`.`,
    });
    // Pad so the columns of anything after the value keep their meaning.
    const replacement = joined.padEnd(entry.value.length, ' ');
    line.text =
      line.text.slice(0, entry.valueColumn) + replacement + line.text.slice(entry.valueColumn + entry.value.length);
  });
  return problems;
};

/** `service-account: *` as the docs describe it: to YAML a lone `*` is a broken alias, but only the string was meant. */
export const quoteLoneAsterisk: Repair = (lines, skip, key) => {
  const problems: Problem[] = [];
  lines.forEach((line, index) => {
    if (skip[index]) return;
    const entry = parseEntryLine(line.text);
    if (!entry || !/^\*\s*(#.*)?$/.test(entry.value)) return;
    problems.push({
      severity: 'warning',
      code: 'unquoted-asterisk',
      key,
      ...originalPosition(lines, { line: index + 1, column: entry.valueColumn + 1 }),
      message: `The unquoted \`*\` of \`${shownKey(entry.key)}\` is not valid YAML; it was read as the string "*".`,
      fix: `Quote it: \`${shownKey(entry.key)}: "*"\`.`,
    });
    insertAt(line, entry.valueColumn + 1, '"');
    insertAt(line, entry.valueColumn, '"');
  });
  return problems;
};

/**
 * `- instanceId: ""` then `    regionId: ...` indented deeper: a complete value
 * cannot have children, so the deeper key can only be a sibling.
 */
export const reindentSiblings: Repair = (lines, skip, key) => {
  const problems: Problem[] = [];
  let previous: { key: string; keyColumn: number; complete: boolean } | undefined;
  lines.forEach((line, index) => {
    if (skip[index]) {
      previous = undefined;
      return;
    }
    if (isBlankOrComment(line.text)) return;
    const entry = parseEntryLine(line.text);
    if (!entry) {
      previous = undefined;
      return;
    }
    if (!entry.dash && previous?.complete && entry.indent > previous.keyColumn) {
      problems.push({
        severity: 'warning',
        code: 'indentation-repaired',
        key,
        ...originalPosition(lines, { line: index + 1, column: entry.indent + 1 }),
        message: `\`${shownKey(entry.key)}\` is indented deeper than \`${shownKey(previous.key)}\` on the line above; it was read as its sibling.`,
        fix: `Indent \`${shownKey(entry.key)}\` to line up with \`${shownKey(previous.key)}\`.`,
      });
      removeRange(line, previous.keyColumn, entry.indent);
      entry.keyColumn = previous.keyColumn;
    }
    previous = { key: entry.key, keyColumn: entry.keyColumn, complete: isCompleteScalar(entry.value) };
  });
  return problems;
};

export interface RepairedText {
  lines: SourceLine[];
  text: string;
  problems: Problem[];
}

/**
 * Applies every repair; stops at errors (tabs) since YAML positions after
 * them would mislead. `skipBlockContent` leaves block scalar values to the
 * parser of that value.
 */
export function repairText(
  text: string,
  options: { knownKeys: readonly string[]; key?: string; skipBlockContent: boolean },
): RepairedText {
  const lines = splitLines(text);
  const problems = [...replaceNonBreakingSpaces(lines, [], options.key)];
  const tabs = findTabIndentation(lines, options.key);
  if (tabs.length > 0) return { lines, text: joinLines(lines), problems: [...problems, ...tabs] };
  problems.push(...addSpaceAfterColon(options.knownKeys)(lines, [], options.key));
  const skip = options.skipBlockContent ? blockScalarContent(lines) : [];
  for (const repair of [stripSlashComments, joinQuotedList, quoteLoneAsterisk, reindentSiblings])
    problems.push(...repair(lines, skip, options.key));
  return { lines, text: joinLines(lines), problems };
}
