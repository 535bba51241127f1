// systemd EnvironmentFile= and Environment= syntax, as far as kubelet units
// use it: `NAME=value`, `NAME="value"` or `NAME='value'`, `#`/`;` comments.
// Edits touch only the one assignment they change, so every other byte of an
// operator's file stays as it was.

export interface Assignment {
  name: string;
  /** The value without its quotes. */
  value: string;
  /** 0-based line of the assignment. */
  line: number;
}

const ASSIGNMENT = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*?)\s*$/;

function unquote(raw: string): string {
  if (raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw.at(-1) === raw[0]) return raw.slice(1, -1);
  return raw;
}

export function parseEnvironmentFile(text: string): Assignment[] {
  const assignments: Assignment[] = [];
  text.split('\n').forEach((lineText, line) => {
    if (/^\s*[#;]/.test(lineText)) return;
    const match = ASSIGNMENT.exec(lineText);
    if (match) assignments.push({ name: match[1]!, value: unquote(match[2]!), line });
  });
  return assignments;
}

/** The value systemd ends up with: the last assignment wins. */
export function variableValue(text: string, name: string): string | undefined {
  return parseEnvironmentFile(text).findLast((a) => a.name === name)?.value;
}

/** Splits a value the way systemd splits an unquoted `$NAME` in ExecStart: on whitespace. */
export function words(value: string): string[] {
  return value.split(/\s+/).filter((word) => word !== '');
}

/**
 * Appends words to NAME's last assignment (keeping its quoting), adds the
 * assignment when there is none, creates the file when `text` is undefined.
 */
export function appendWords(text: string | undefined, name: string, added: string[]): string {
  const addition = added.join(' ');
  if (text === undefined) return `${name}="${addition}"\n`;
  const target = parseEnvironmentFile(text).findLast((a) => a.name === name);
  if (!target) return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${name}="${addition}"\n`;
  const lines = text.split('\n');
  const match = ASSIGNMENT.exec(lines[target.line]!)!;
  const raw = match[2]!;
  const quote = raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw.at(-1) === raw[0] ? raw[0] : '';
  const inner = unquote(raw).replace(/\s+$/, '');
  // An unquoted value with our words appended gains a space, which systemd only keeps inside quotes.
  const q = quote || '"';
  const value = `${q}${inner}${inner === '' ? '' : ' '}${addition}${q}`;
  const prefix = lines[target.line]!.slice(0, lines[target.line]!.indexOf('=') + 1);
  lines[target.line] = `${prefix}${value}`;
  return lines.join('\n');
}

/**
 * Removes exactly these words from every assignment of NAME: the reverse of
 * appendWords for a file someone edited after us (other words keep their
 * order; spacing between them becomes single spaces).
 */
export function removeWords(text: string, name: string, removed: string[]): string {
  const lines = text.split('\n');
  for (const assignment of parseEnvironmentFile(text).filter((a) => a.name === name)) {
    const line = lines[assignment.line]!;
    const eq = line.indexOf('=');
    const raw = line.slice(eq + 1).trim();
    const quote = raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw.at(-1) === raw[0] ? raw[0] : '';
    const kept = words(assignment.value).filter((word) => !removed.includes(word));
    lines[assignment.line] = `${line.slice(0, eq + 1)}${quote}${kept.join(' ')}${quote}`;
  }
  return lines.join('\n');
}
