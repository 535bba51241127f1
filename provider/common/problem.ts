/**
 * Something wrong with input a user wrote (configuration, flags, a request),
 * carrying what an operator needs to fix it. Positions are 1-based.
 */
export interface Problem {
  severity: 'error' | 'warning';
  /** Stable identifier tests and `status -o json` rely on, e.g. `yaml-syntax`, `unknown-key`, `plaintext-secret`. */
  code: string;
  /** The ConfigMap key the problem is in, e.g. `acr-registry-info`. */
  key?: string;
  /** Position in the text that was parsed (the file for a file, the key's value for ConfigMap data). */
  line?: number;
  column?: number;
  /** What is wrong, in one sentence. Never contains a secret value. */
  message: string;
  /** How to fix it, in one sentence. */
  fix: string;
}

export function formatProblem(problem: Problem, source?: string): string {
  const where = [
    source,
    problem.key,
    problem.line !== undefined ? `line ${problem.line}` : undefined,
    problem.column !== undefined ? `column ${problem.column}` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  return `${problem.severity}${where ? ` (${where})` : ''}: ${problem.message} Fix: ${problem.fix}`;
}
