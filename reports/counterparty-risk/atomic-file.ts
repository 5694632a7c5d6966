/**
 * Replacing a file so that readers see the old content or the new, never a mix or nothing:
 * write a temp file in the same directory, fsync it, rename it over the target (atomic on
 * POSIX within one file system), then fsync the directory so the rename survives a power cut.
 *
 * It is two phases so that the crash window between them can be exercised for real
 * (tests/fixtures/crash-mid-write.ts kills a process there).
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export interface PreparedWrite {
  target: string;
  temp: string;
  /** Renames the temp file over the target and makes the rename durable. */
  commit(): Promise<void>;
  /** Removes the temp file (best effort), after a failed write. */
  discard(): Promise<void>;
}

/**
 * The temp file's name. `unique: false` gives one fixed name per target: the per-date workflow id
 * guarantees a single writer of a date's cache, and a retry then overwrites a crashed attempt's
 * leftover instead of adding another. Files with several concurrent writers (status.json) use
 * unique names.
 */
export function tempFileFor(target: string, unique: boolean): string {
  const suffix = unique ? `.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp` : '.tmp';
  return path.join(path.dirname(target), `.${path.basename(target)}${suffix}`);
}

export async function prepareAtomicWrite(target: string, data: string | Uint8Array, opts: { uniqueTemp?: boolean } = {}): Promise<PreparedWrite> {
  const temp = tempFileFor(target, opts.uniqueTemp ?? false);
  const discard = () => fs.unlink(temp).catch(() => undefined);
  try {
    const fh = await fs.open(temp, 'w', 0o644);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (err) {
    await discard();
    throw err;
  }
  return {
    target,
    temp,
    discard,
    commit: async () => {
      await fs.rename(temp, target);
      await fsyncDirectory(path.dirname(target));
    },
  };
}

export async function writeFileAtomic(target: string, data: string | Uint8Array, opts: { uniqueTemp?: boolean } = {}): Promise<void> {
  const w = await prepareAtomicWrite(target, data, opts);
  try {
    await w.commit();
  } catch (err) {
    await w.discard();
    throw err;
  }
}

async function fsyncDirectory(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } catch (err) {
    // Some file systems cannot fsync a directory; the rename itself has happened.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL' && (err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
  } finally {
    await fh.close();
  }
}
