// `-o table|json|yaml`: one data value, three renderings. Tables are for
// people and follow kubectl's look; json and yaml are for scripts and carry
// the same data as the table, nothing less.

import { stringify } from 'yaml';

import type { OutputFormat } from './output-flag.js';

/** kubectl's table style: upper-case headers, columns three spaces apart, no trailing spaces. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join('\n') + '\n';
}

export function renderJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

export function renderYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}

/** The data in the chosen format; `table` calls back for the human rendering. */
export function render(format: OutputFormat, value: unknown, table: () => string): string {
  switch (format) {
    case 'json':
      return renderJson(value);
    case 'yaml':
      return renderYaml(value);
    case 'table':
      return table();
  }
}
