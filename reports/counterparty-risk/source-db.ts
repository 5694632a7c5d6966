/**
 * The SalesMap source DB as the seed sees it: a file that another process replaces now and then.
 * Its signature is `mtime-size`; it counts as stable once its last modification is at least
 * the stability window old, so a copy is never taken while it is being replaced.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface SourceDbState {
  exists: boolean;
  /** `<mtime in ms>-<size in bytes>`, the seed's `mtime-size`. */
  signature: string | null;
  /** Seconds since the last modification (negative when the mtime is in the future). */
  ageSec: number | null;
}

export async function sourceDbState(file: string, now = Date.now()): Promise<SourceDbState> {
  try {
    const st = await fsp.stat(file);
    return { exists: true, signature: signatureOf(st), ageSec: (now - st.mtimeMs) / 1000 };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, signature: null, ageSec: null };
    throw err;
  }
}

export function signatureOf(st: fs.Stats): string {
  return `${Math.trunc(st.mtimeMs)}-${st.size}`;
}

export function isStable(state: SourceDbState, windowSec: number): boolean {
  return state.exists && state.ageSec !== null && state.ageSec >= windowSec;
}

/**
 * Copies `source` to `target` through a temp file, calling `progress` after each chunk (the
 * activity heartbeats there), and returns the source's signature read before and after the copy.
 */
export async function copyWithProgress(source: string, target: string, progress: (bytes: number) => void): Promise<{ before: string; after: string; bytes: number }> {
  const before = signatureOf(await fsp.stat(source));
  const temp = `${target}.partial`;
  let bytes = 0;
  try {
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        progress(bytes);
        done(null, chunk);
      },
    });
    await pipeline(fs.createReadStream(source, { highWaterMark: 1 << 20 }), counter, fs.createWriteStream(temp));
    const fh = await fsp.open(temp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(temp, target);
  } catch (err) {
    await fsp.unlink(temp).catch(() => undefined);
    throw err;
  }
  const after = signatureOf(await fsp.stat(source));
  return { before, after, bytes };
}
