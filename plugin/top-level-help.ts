// `kubectl acr --help` without yargs: the command table laid out in the
// columns yargs uses for each command's own --help. It runs at every
// `kubectl acr -h`, so it loads nothing but the table.
import {
  COMMANDS,
  CONNECTION_GROUP,
  DESCRIPTION,
  EXAMPLES,
  GLOBAL_OPTIONS,
  SCRIPT_NAME,
  USAGE,
} from './command-table.js';

/** The width help is laid out for: the terminal's, at most 120; 100 when not a terminal. */
export function helpWidth(columns?: number): number {
  return Math.min(120, columns || 100);
}

/** Words of `text` in lines of at most `width` characters (a longer word stands alone). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

/** Rows of two columns, the second wrapped beside the first. */
function columns(rows: readonly (readonly [string, string])[], width: number): string[] {
  const left = Math.max(...rows.map(([name]) => name.length)) + 2;
  return rows.flatMap(([name, text]) => {
    const [first = '', ...rest] = wrapWords(text, Math.max(20, width - left - 2));
    return [`  ${name.padEnd(left)}${first}`.trimEnd(), ...rest.map((line) => `  ${' '.repeat(left)}${line}`)];
  });
}

const named = (text: string): string => text.replaceAll('$0', SCRIPT_NAME);

export function topLevelHelp(width: number): string {
  const options = Object.entries(GLOBAL_OPTIONS).map(
    ([name, option]) => [`--${name}`, `${option.describe ?? ''} [${String(option.type)}]`] as const,
  );
  return [
    named(USAGE),
    '',
    ...wrapWords(DESCRIPTION, width),
    '',
    'Commands:',
    ...columns(
      COMMANDS.map((entry) => [`${SCRIPT_NAME} ${entry.command}`, entry.describe]),
      width,
    ),
    '',
    CONNECTION_GROUP,
    ...columns(options, width),
    '',
    'Options:',
    ...columns(
      [
        ['-h, --help', 'Show help [boolean]'],
        ['--version', 'Show the version [boolean]'],
      ],
      width,
    ),
    '',
    'Examples:',
    ...EXAMPLES.flatMap(([command, text]) => [
      `  ${named(command)}`,
      ...wrapWords(text, width - 6).map((line) => `      ${line}`),
    ]),
    '',
  ].join('\n');
}
