// One token per registry entry per refresh, shared by every namespace: each
// entry goes through the one resolution driver, with the caller's caches
// deciding whether the cloud is asked at all.
import type { Failure } from '../../provider/common/failure.js';
import type { AcrConfiguration } from '../../provider/configuration/model.js';
import type { ResolutionIo } from '../../provider/credentials/resolution-io.js';
import { resolveEntryCredentials } from '../../provider/credentials/resolve-credentials.js';
import type { EntryState } from './sync-plan.js';

export interface EntryTokens {
  states: EntryState[];
  failures: Failure[];
  /** epoch ms: when the first token reaches its refresh threshold; undefined without tokens. */
  refreshAt: number | undefined;
  /** Every secret value met: for redaction of whatever is printed. */
  secrets: string[];
}

export async function entryTokens(config: AcrConfiguration, io: ResolutionIo): Promise<EntryTokens> {
  const results = await Promise.all(config.registries.map((entry) => resolveEntryCredentials(entry, io)));
  const thresholdMs = config.expiringThresholdSeconds * 1000;
  const states: EntryState[] = [];
  const failures: Failure[] = [];
  const secrets: string[] = [];
  let refreshAt: number | undefined;
  results.forEach((result, i) => {
    const entry = config.registries[i]!;
    secrets.push(...result.secrets);
    if (result.kind === 'served') {
      const { username, password, expiresAt } = result.token;
      states.push({ entry, token: { username, password, expiresAt, authHosts: result.authHosts } });
      refreshAt = Math.min(refreshAt ?? Infinity, expiresAt - thresholdMs);
    } else {
      states.push({ entry, token: undefined });
      if (result.kind === 'failed') failures.push(result.failure);
    }
  });
  return { states, failures, refreshAt, secrets };
}
