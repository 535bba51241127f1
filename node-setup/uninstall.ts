// `uninstall`: puts every file install and mirror touched back to its
// original bytes, mode and owner (or removes it), removes the directories we
// created, and restarts the kubelet when its flags or config changed. A file
// someone edited after us keeps their edit: only our part is taken out.
import { readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { writeFileAtomic } from '../provider/cache/atomic-file.js';
import { removeProviders } from './credential-provider-config.js';
import { removeWords } from './environment-file.js';
import { readJournal, removeState, restoreOriginal, sha256, writeExact, type JournalFile } from './host-journal.js';
import { onHost } from './host-paths.js';
import { PROVIDER_NAME } from '../provider/common/executable-names.js';
import { DEFAULT_CACHE_DIR } from '../provider/common/paths.js';
import { restartAndWait, type KubeletControl } from './install.js';

export interface UninstallOptions {
  hostRoot: string;
  restart: boolean;
  kubelet: KubeletControl;
  log: (line: string) => void;
}

export type UninstallResult = { ok: true; restored: string[]; restarted: boolean } | { ok: false; message: string };

function readCurrent(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Undoes one file; returns a note when it kept someone else's later edit. */
function undo(hostRoot: string, entry: JournalFile, flagWords: string[], flagVariable: string): string | undefined {
  const path = onHost(hostRoot, entry.path);
  const current = readCurrent(path);
  if (
    current === undefined ||
    sha256(current) === entry.written ||
    entry.role === 'binary' ||
    entry.role === 'provider-config' ||
    entry.role === 'mirror'
  ) {
    restoreOriginal(hostRoot, entry);
    return undefined;
  }
  const mode = statSync(path).mode & 0o7777;
  if (entry.role === 'kubelet-flags') {
    writeExact(path, removeWords(current.toString('utf8'), flagVariable, flagWords), mode);
    return `${entry.path} was edited after install: only our flags were removed from it.`;
  }
  const removed = removeProviders(current.toString('utf8'));
  if (!removed.ok) {
    restoreOriginal(hostRoot, entry);
    return `${entry.path} was edited after install and is no longer a valid config (${removed.message}): restored the original.`;
  }
  writeExact(path, removed.text, mode);
  return `${entry.path} was edited after install: only the ${PROVIDER_NAME} entries were removed from it.`;
}

export async function uninstall(options: UninstallOptions): Promise<UninstallResult> {
  const { hostRoot, log } = options;
  const journal = readJournal(hostRoot);
  if (!journal) {
    log('Nothing to uninstall: no record of an install on this node.');
    return { ok: true, restored: [], restarted: false };
  }
  const kubeletInputs = journal.files.some(
    (f) => f.role === 'kubelet-flags' || f.role === 'provider-config' || f.role === 'provider-config-merged',
  );
  for (const entry of [...journal.files].reverse()) {
    const note = undo(hostRoot, entry, journal.flags?.words ?? [], journal.flags?.variable ?? '');
    if (note) log(note);
  }
  removeState(hostRoot);
  // The provider's cache is ours entirely; other directories only go if they are empty again.
  for (const dir of [...journal.directories].reverse()) {
    if (dir === DEFAULT_CACHE_DIR) {
      rmSync(onHost(hostRoot, dir), { recursive: true, force: true });
      continue;
    }
    try {
      rmdirSync(onHost(hostRoot, dir));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') log(`Kept ${dir}: ${code === 'ENOTEMPTY' ? 'something else put files there' : code}.`);
    }
  }
  const restored = journal.files.map((f) => f.path);
  if (!kubeletInputs) return { ok: true, restored, restarted: false };
  if (!options.restart) {
    log(
      'The kubelet must be restarted to stop using the credential provider (--no-restart given): run `systemctl restart kubelet` on the node.',
    );
    return { ok: true, restored, restarted: false };
  }
  log(`Restarting the kubelet: ${options.kubelet.restartCommand}`);
  const health = await restartAndWait(options.kubelet);
  if (!health.ok)
    return {
      ok: false,
      message: `Every file was restored, but the kubelet did not come back healthy: ${health.message}. Check the kubelet now.`,
    };
  return { ok: true, restored, restarted: true };
}

export function writeTerminationMessage(path: string, message: string): void {
  try {
    writeFileSync(path, message.slice(0, 4000));
  } catch {
    // Not in a container: the log line is the report.
  }
}

/** `uninstall --stay`: the node is restored; say so to the readiness probe until the DaemonSet is deleted. */
export async function stayRestored(readyFile: string, say: (line: string) => void): Promise<never> {
  for (let round = 0; ; round++) {
    writeFileAtomic(readyFile, `restored ${new Date().toISOString()}\n`, 0o644);
    if (round === 0) say('The node is restored; waiting to be deleted.');
    await new Promise((resolve) => setTimeout(resolve, 20_000));
  }
}
