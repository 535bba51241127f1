// Every host file install or mirror changes is recorded, before it changes,
// with its original bytes, mode and owner (or its absence), under
// /var/lib/acr-node-setup. A transaction also remembers the state before this
// run, so a failed kubelet restart can be rolled back to exactly that, and
// uninstall can put the node back to how it was before the first install.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../provider/cache/atomic-file.js';
import { onHost, STATE_DIR } from './host-paths.js';

/** What a file is to us: decides how uninstall undoes it when someone changed it after us. */
export type FileRole = 'binary' | 'provider-config' | 'provider-config-merged' | 'kubelet-flags' | 'mirror';

export type Original = { kind: 'absent' } | { kind: 'file'; mode: number; uid: number; gid: number; backup: string };

export interface JournalFile {
  /** Absolute host path. */
  path: string;
  role: FileRole;
  original: Original;
  /** sha256 of what we last wrote. */
  written: string;
}

export interface Journal {
  version: 1;
  files: JournalFile[];
  /** Directories we created (host paths), parents before children. */
  directories: string[];
  /** The words install appended to the kubelet's flags variable. */
  flags: { file: string; variable: string; words: string[] } | undefined;
  /** Set by `install --no-restart` until a restart happens. */
  restartPending: boolean;
}

const JOURNAL = `${STATE_DIR}/journal.json`;
const ORIGINALS = `${STATE_DIR}/originals`;

export function emptyJournal(): Journal {
  return { version: 1, files: [], directories: [], flags: undefined, restartPending: false };
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function readJournal(hostRoot: string): Journal | undefined {
  try {
    return JSON.parse(readFileSync(onHost(hostRoot, JOURNAL), 'utf8')) as Journal;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function readIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes bytes with exactly this mode (the umask would otherwise narrow it) and, as root, this owner. */
export function writeExact(
  path: string,
  data: string | Uint8Array,
  mode: number,
  owner?: { uid: number; gid: number },
): void {
  // Owner-only until the final mode is set, so a secret is never readable by others in between.
  writeFileAtomic(path, data, 0o600);
  chmodSync(path, mode);
  if (owner && process.getuid?.() === 0) chownSync(path, owner.uid, owner.gid);
}

interface Snapshot {
  data: Buffer | undefined;
  mode: number;
  uid: number;
  gid: number;
}

function snapshot(path: string): Snapshot {
  const data = readIfExists(path);
  if (data === undefined) return { data, mode: 0, uid: 0, gid: 0 };
  const st = statSync(path);
  return { data, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

function restoreSnapshot(path: string, before: Snapshot): void {
  if (before.data === undefined) rmSync(path, { force: true });
  else writeExact(path, before.data, before.mode, before);
}

export class HostTransaction {
  readonly journal: Journal;
  private readonly journalBefore: Buffer | undefined;
  private readonly before = new Map<string, Snapshot>();
  private readonly createdNow: string[] = [];
  /** Host paths this run changed, for the report. */
  readonly changed: Array<{ path: string; role: FileRole }> = [];

  /**
   * `dryRun: true` changes nothing: it only finds out what would change (the
   * readiness check and --dry-run use it).
   */
  constructor(
    readonly hostRoot: string,
    readonly options: { dryRun?: boolean } = {},
  ) {
    this.journalBefore = readIfExists(onHost(hostRoot, JOURNAL));
    this.journal = this.journalBefore ? (JSON.parse(this.journalBefore.toString('utf8')) as Journal) : emptyJournal();
  }

  private host(path: string): string {
    return onHost(this.hostRoot, path);
  }

  /** Creates a host directory and its missing parents, recording each one made. */
  ensureDirectory(path: string, mode: number): void {
    const missing: string[] = [];
    for (let dir = path; !exists(this.host(dir)); dir = dirname(dir)) missing.unshift(dir);
    if (this.options.dryRun) return;
    for (const dir of missing) {
      mkdirSync(this.host(dir), { mode });
      chmodSync(this.host(dir), mode);
      this.createdNow.push(dir);
      if (!dir.startsWith(STATE_DIR)) {
        this.journal.directories.push(dir);
        this.saveJournal();
      }
    }
  }

  current(path: string): Buffer | undefined {
    return readIfExists(this.host(path));
  }

  list(dir: string): string[] {
    try {
      return readdirSync(this.host(dir));
    } catch {
      return [];
    }
  }

  /** Writes a host file unless it already holds these bytes with this mode; true when it changed. */
  writeFile(path: string, data: string | Buffer, mode: number, role: FileRole): boolean {
    const target = this.host(path);
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const now = snapshot(target);
    if (now.data !== undefined && now.data.equals(bytes) && now.mode === mode) return false;
    this.changed.push({ path, role });
    if (this.options.dryRun) return true;
    this.remember(path, role, now);
    this.ensureDirectory(dirname(path), 0o755);
    writeExact(target, bytes, mode);
    this.journalEntry(path)!.written = sha256(bytes);
    this.saveJournal();
    return true;
  }

  /** Makes `path` a symbolic link to `target` (another name for an executable); true when it changed. */
  linkFile(path: string, target: string, role: FileRole): boolean {
    const host = this.host(path);
    try {
      if (readlinkSync(host) === target) return false;
    } catch {
      // absent, or not a link: made below
    }
    this.changed.push({ path, role });
    if (this.options.dryRun) return true;
    this.remember(path, role, snapshot(host));
    rmSync(host, { force: true });
    symlinkSync(target, host);
    this.journalEntry(path)!.written = sha256(target);
    this.saveJournal();
    return true;
  }

  /** Removes a host file we wrote (a Secret key no longer referenced); true when it existed. */
  removeFile(path: string, role: FileRole): boolean {
    const target = this.host(path);
    const now = snapshot(target);
    if (now.data === undefined) return false;
    this.changed.push({ path, role });
    if (this.options.dryRun) return true;
    this.remember(path, role, now);
    unlinkSync(target);
    return true;
  }

  /**
   * Someone else rewrote a file after we wrote it (ACK's console rewrites
   * kubelet-customized-args.conf): what uninstall should restore is now their
   * version without our part, not the bytes from before our first install.
   */
  rebaseOriginal(path: string, baseline: string): void {
    const entry = this.journalEntry(path);
    const current = this.current(path);
    if (!entry || current === undefined || sha256(current) === entry.written || this.options.dryRun) return;
    const st = statSync(this.host(path));
    const backup = sha256(path);
    this.ensureDirectory(ORIGINALS, 0o700);
    writeExact(this.host(`${ORIGINALS}/${backup}`), baseline, 0o600);
    entry.original = { kind: 'file', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, backup };
    this.saveJournal();
  }

  private journalEntry(path: string): JournalFile | undefined {
    return this.journal.files.find((f) => f.path === path);
  }

  private remember(path: string, role: FileRole, now: Snapshot): void {
    if (!this.before.has(path)) this.before.set(path, now);
    if (this.journalEntry(path)) return;
    let original: Original = { kind: 'absent' };
    if (now.data !== undefined) {
      const backup = sha256(path);
      this.ensureDirectory(ORIGINALS, 0o700);
      writeExact(this.host(`${ORIGINALS}/${backup}`), now.data, 0o600);
      original = { kind: 'file', mode: now.mode, uid: now.uid, gid: now.gid, backup };
    }
    this.journal.files.push({ path, role, original, written: '' });
    this.saveJournal();
  }

  saveJournal(): void {
    if (this.options.dryRun) return;
    this.ensureDirectory(STATE_DIR, 0o700);
    writeExact(this.host(JOURNAL), `${JSON.stringify(this.journal, null, 2)}\n`, 0o600);
  }

  /** Puts every file this run touched back as it was before the run, and the journal too. */
  rollback(): void {
    if (this.options.dryRun) return;
    for (const [path, before] of [...this.before].reverse()) restoreSnapshot(this.host(path), before);
    this.journal.directories = this.journal.directories.filter((d) => !this.createdNow.includes(d));
    if (this.journalBefore) writeExact(this.host(JOURNAL), this.journalBefore, 0o600);
    else rmSync(this.host(STATE_DIR), { recursive: true, force: true });
    for (const dir of [...this.createdNow].reverse()) {
      if (dir.startsWith(STATE_DIR)) continue;
      try {
        rmdirSync(this.host(dir));
      } catch {
        // not empty: something else put a file there since; leave it
      }
    }
  }
}

/** The original bytes of a journaled file (undefined when it did not exist). */
export function originalBytes(hostRoot: string, entry: JournalFile): Buffer | undefined {
  return entry.original.kind === 'file'
    ? readFileSync(onHost(hostRoot, `${ORIGINALS}/${entry.original.backup}`))
    : undefined;
}

/** Restores a journaled file to its original bytes, mode and owner, or removes it when it did not exist. */
export function restoreOriginal(hostRoot: string, entry: JournalFile): void {
  const target = onHost(hostRoot, entry.path);
  if (entry.original.kind === 'absent') rmSync(target, { force: true });
  else writeExact(target, originalBytes(hostRoot, entry)!, entry.original.mode, entry.original);
}

export function removeState(hostRoot: string): void {
  rmSync(onHost(hostRoot, STATE_DIR), { recursive: true, force: true });
}
