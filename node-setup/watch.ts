// `mirror --watch`, the DaemonSet's long-running mode: every few seconds it
// mirrors the configuration and re-runs install (which changes nothing and
// restarts nothing when all is current), and keeps a readiness marker that
// says "installed and configuration current". A failed install is not
// retried in a tight loop: each failure doubles the wait, up to an hour.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../provider/cache/atomic-file.js';
import { install, type InstallOptions } from './install.js';

export interface WatchOptions {
  install: InstallOptions & { mirror: NonNullable<InstallOptions['mirror']> };
  intervalMs: number;
  readyFile: string;
  /** For tests: stop after this many rounds. */
  rounds?: number;
  sleep?: (ms: number) => Promise<void>;
}

const FIRST_BACKOFF_MS = 60_000;
const MAX_BACKOFF_MS = 3_600_000;

export async function watch(options: WatchOptions): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let previousLog = '';
  let backoffMs = 0;
  let retryAt = 0;
  for (let round = 0; options.rounds === undefined || round < options.rounds; round++) {
    if (round > 0) await sleep(options.intervalMs);
    const lines: string[] = [];
    const attempt = Date.now() >= retryAt;
    // While backing off, only find out whether everything is current.
    const result = await install({ ...options.install, dryRun: !attempt, log: (line) => lines.push(line) });
    if (!result.ok) {
      lines.push(result.message);
      if (attempt) {
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs === 0 ? FIRST_BACKOFF_MS : backoffMs * 2);
        retryAt = Date.now() + backoffMs;
        lines.push(`Next attempt in ${Math.round(backoffMs / 1000)}s.`);
      }
    } else if (attempt) {
      backoffMs = 0;
      if (result.changed.length > 0)
        lines.push(`Updated: ${result.changed.join(', ')}${result.restarted ? ' (kubelet restarted)' : ''}.`);
    }
    // A failed look-up of custom domains leaves the kubelet with the last known ones: working, but not current.
    const ready =
      result.ok &&
      result.mirrored !== false &&
      !result.restartPending &&
      result.discoveryFailure === undefined &&
      (attempt || result.changed.length === 0);
    markReady(options.readyFile, ready);
    const log = lines.join('\n');
    // Repeating the same problem every few seconds would drown the log.
    if (log !== '' && log !== previousLog) options.install.log(log);
    previousLog = log;
  }
}

function markReady(file: string, ready: boolean): void {
  if (ready) writeFileAtomic(file, `${new Date().toISOString()}\n`, 0o644);
  else rmSync(file, { force: true });
}

/** `ready`: the marker exists and is recent (a hung watcher must not look ready forever). */
export function isReady(file: string, maxAgeMs: number, now = Date.now()): { ready: boolean; reason: string } {
  try {
    const age = now - statSync(file).mtimeMs;
    readFileSync(file);
    if (age > maxAgeMs)
      return { ready: false, reason: `${file} is ${Math.round(age / 1000)}s old: the watcher has stopped checking.` };
    return { ready: true, reason: 'installed and configuration current' };
  } catch {
    return {
      ready: false,
      reason: `${file} is missing: not installed, configuration not current, or a restart pending (see the pod's log).`,
    };
  }
}
