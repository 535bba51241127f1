// The provider's configuration: the mirrored file, else the default (Personal
// Edition of the node's region with the node's identity). A file that does
// not validate falls back to the last one that did, kept in the cache, so a
// bad edit never breaks running pulls.
import { readFileSync } from 'node:fs';
import type { CacheStore } from '../cache/cache-store.js';
import { isStoredConfiguration } from '../cache/records.js';
import { EXIT } from '../common/exit-codes.js';
import type { Failure } from '../common/failure.js';
import { formatProblem, type Problem } from '../common/problem.js';
import type { AcrConfiguration } from '../configuration/model.js';
import { parseConfigurationData, parseConfigurationFile } from '../configuration/parse-configuration.js';
import type { Logger } from './provide-credentials.js';

export interface ProviderConfiguration {
  config: AcrConfiguration;
  /** Repeated on every answer while the file stays invalid. */
  notes: string[];
}

export type LoadedConfiguration = { ok: true; value: ProviderConfiguration } | { ok: false; failure: Failure };

function lastValidKey(configPath: string): string[] {
  return ['last-valid', configPath];
}

function describeProblems(problems: Problem[], source: string): string {
  return problems
    .filter((p) => p.severity === 'error')
    .map((p) => formatProblem(p, source))
    .join('; ');
}

function fallBack(configPath: string, store: CacheStore, reason: string, fix: string | undefined): LoadedConfiguration {
  const stored = store.read('configuration', lastValidKey(configPath), isStoredConfiguration);
  const parsed = stored ? parseConfigurationFile(stored.text) : undefined;
  if (parsed?.ok) {
    const note = `acr-credential-provider: warning: the configuration ${configPath} is invalid, using the last valid one: ${reason}`;
    return { ok: true, value: { config: parsed.config, notes: [note] } };
  }
  return {
    ok: false,
    failure: {
      exitCode: EXIT.usage,
      message: `the configuration ${configPath} is invalid and there is no last valid one to use: ${reason}`,
      fix,
    },
  };
}

export function loadProviderConfiguration(configPath: string, store: CacheStore, logger: Logger): LoadedConfiguration {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      logger.log(
        'debug',
        `no configuration at ${configPath}: Personal Edition of the node's region with the node's identity`,
      );
      const parsed = parseConfigurationData({});
      if (parsed.ok) return { ok: true, value: { config: parsed.config, notes: [] } };
      const problems = describeProblems(parsed.problems, 'default');
      return {
        ok: false,
        failure: { exitCode: EXIT.usage, message: `the default configuration is invalid: ${problems}` },
      };
    }
    const reason = `cannot read ${configPath} (${code ?? 'error'})`;
    return fallBack(configPath, store, reason, `let the provider (root on the node) read ${configPath}`);
  }
  const parsed = parseConfigurationFile(text);
  if (parsed.ok) {
    for (const problem of parsed.problems) logger.log('info', formatProblem(problem, configPath));
    const stored = store.read('configuration', lastValidKey(configPath), isStoredConfiguration);
    if (stored?.text !== text) store.write('configuration', lastValidKey(configPath), { text });
    return { ok: true, value: { config: parsed.config, notes: [] } };
  }
  // Each problem carries its own fix.
  return fallBack(configPath, store, describeProblems(parsed.problems, configPath), undefined);
}
