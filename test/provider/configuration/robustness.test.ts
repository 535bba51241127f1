// Whatever an operator types, the parser answers with a result, never an
// exception, and every problem points inside the text it was given.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseConfigurationData,
  parseConfigurationFile,
  type ParseResult,
} from '../../../provider/configuration/parse-configuration.js';

const fixturesDir = new URL('fixtures/', import.meta.url);
const fixtures = readdirSync(fixturesDir).map((name) => readFileSync(new URL(name, fixturesDir), 'utf8'));

/** Deterministic, so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const INSERTIONS = [
  '\t',
  ':',
  ' ',
  '  ',
  '"',
  "'",
  '- ',
  '\n',
  '|',
  '#',
  '//',
  ',',
  '{',
  '[',
  '\u00a0',
  '&a ',
  '*a',
  '!!int ',
  '---\n',
  'é',
];

function mutate(text: string, next: () => number): string {
  let result = text;
  const edits = 1 + Math.floor(next() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (result.length + 1));
    if (next() < 0.4) result = result.slice(0, at) + result.slice(at + 1 + Math.floor(next() * 4));
    else result = result.slice(0, at) + (INSERTIONS[Math.floor(next() * INSERTIONS.length)] ?? '') + result.slice(at);
  }
  return result;
}

function checkResult(result: ParseResult, text: string): void {
  const hasError = result.problems.some((problem) => problem.severity === 'error');
  expect(result.ok).toBe(!hasError);
  const lineCount = text.split('\n').length;
  for (const problem of result.problems) {
    expect(problem.message.length).toBeGreaterThan(0);
    expect(problem.fix.length).toBeGreaterThan(0);
    if (problem.line !== undefined) {
      expect(problem.line).toBeGreaterThanOrEqual(1);
      expect(problem.line).toBeLessThanOrEqual(lineCount);
      expect(problem.column).toBeGreaterThanOrEqual(1);
    }
  }
}

describe('robustness', () => {
  it('answers 1500 mutated reference examples without throwing, with positions inside the file', () => {
    const next = random(20261124);
    for (let i = 0; i < 1500; i++) {
      const text = mutate(fixtures[i % fixtures.length] ?? '', next);
      let result: ParseResult | undefined;
      expect(() => (result = parseConfigurationFile(text)), JSON.stringify(text)).not.toThrow();
      if (result) checkResult(result, text);
    }
  });

  it('answers 1500 mutated acr-registry-info values without throwing, with positions inside the value', () => {
    const next = random(42);
    const values = fixtures.map((text) => {
      const result = parseConfigurationFile(text);
      return result.ok ? (result.config.data['acr-registry-info'] ?? '') : '';
    });
    for (let i = 0; i < 1500; i++) {
      const value = mutate(values[i % values.length] ?? '', next);
      let result: ParseResult | undefined;
      expect(
        () => (result = parseConfigurationData({ 'acr-registry-info': value, rrsa: mutate('enable: true', next) })),
        JSON.stringify(value),
      ).not.toThrow();
      if (result) {
        const hasError = result.problems.some((problem) => problem.severity === 'error');
        expect(result.ok).toBe(!hasError);
        for (const problem of result.problems.filter((p) => p.key === 'acr-registry-info' && p.line !== undefined)) {
          expect(problem.line).toBeLessThanOrEqual(value.split('\n').length);
        }
      }
    }
  });
});
