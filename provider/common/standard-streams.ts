// stdin and stdout without stream objects: creating process.stdout's stream
// costs a short-lived program more than all its other work (the provider's
// cache hit, `kubectl acr --version`, a credential helper's `get`).
import { readSync, writeSync } from 'node:fs';

/**
 * Writes all of `text`. The kubelet's pipes are blocking, but a descriptor
 * someone made non-blocking answers EAGAIN when full: then try again.
 */
export function writeAll(fd: number, text: string): void {
  const data = Buffer.from(text);
  for (let offset = 0; offset < data.length;) {
    try {
      offset += writeSync(fd, data, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

/** Writes each line with its newline, in one write; nothing when there are none. */
export function writeLines(fd: number, lines: readonly string[]): void {
  if (lines.length > 0) writeAll(fd, lines.map((line) => `${line}\n`).join(''));
}

/**
 * Reads stdin to its end. Synchronous (no stream objects on the hot path);
 * a descriptor someone made non-blocking answers EAGAIN until data comes:
 * then wait a millisecond and read again.
 */
export function readStdin(): string {
  const chunks: Buffer[] = [];
  const buffer = Buffer.allocUnsafe(64 * 1024);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let read: number;
    try {
      read = readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 1);
        continue;
      }
      if (code === 'EOF') break;
      throw error;
    }
    if (read === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, read)));
  }
  return Buffer.concat(chunks).toString('utf8');
}
