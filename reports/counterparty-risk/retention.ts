/**
 * Retention (seed: cache, jsonl and snapshot files older than CACHE_RETENTION_DAYS are
 * deleted). Age is the file's modification time, so a report recomputed for an old date is kept
 * for the full period. The cache file of `last_success` is never deleted: it is the API's
 * fallback when generation fails. Leftover temp files of crashed writes are swept too.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { CACHE_FILE_PATTERN, SNAPSHOT_FILE_PATTERN } from './paths';

const LEFTOVER_PATTERN = /(\.tmp|\.partial)$/;

export interface RetentionResult {
  deleted: string[];
  kept: number;
  errors: string[];
}

export async function applyRetention(o: { cacheDir: string; workDir: string; retentionDays: number; protect: string[]; now?: number }): Promise<RetentionResult> {
  const cutoff = (o.now ?? Date.now()) - o.retentionDays * 86_400_000;
  const protect = new Set(o.protect.map((p) => path.resolve(p)));
  const result: RetentionResult = { deleted: [], kept: 0, errors: [] };
  const sweep = async (dir: string, matches: (name: string) => boolean) => {
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const name of names) {
      if (!matches(name)) continue;
      const file = path.join(dir, name);
      try {
        const st = await fs.lstat(file);
        if (!st.isFile() || st.mtimeMs >= cutoff || protect.has(path.resolve(file))) {
          result.kept++;
          continue;
        }
        await fs.unlink(file);
        result.deleted.push(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') result.errors.push(`${file}: ${(err as Error).message}`);
      }
    }
  };
  const matches = (n: string) => CACHE_FILE_PATTERN.test(n) || SNAPSHOT_FILE_PATTERN.test(n) || n.endsWith('.jsonl') || LEFTOVER_PATTERN.test(n);
  for (const dir of new Set([path.resolve(o.cacheDir), path.resolve(o.workDir)])) await sweep(dir, matches);
  return result;
}
