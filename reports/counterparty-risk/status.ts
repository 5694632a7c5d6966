/**
 * status.json: `last_run` (result, code, msg, as_of, db_signature) and `last_success`
 * (as_of, db_signature, generated_at), the seed's fields, plus where each came from.
 *
 * Updates are read-modify-write, serialised within a process and written atomically, so a
 * reader never sees a torn file. `last_success` keeps the newest report date that succeeded:
 * recomputing an old date does not move the API's stale fallback back in time.
 */
import fs from 'node:fs/promises';
import type { ReportRunResult } from '../../shared/counterparty-risk';
import { writeFileAtomic } from './atomic-file';
import { statusFile } from './paths';

export interface LastRun {
  result: ReportRunResult;
  code: string | null;
  msg: string;
  as_of: string;
  db_signature: string | null;
  finished_at: string;
  workflow_id: string;
  run_id: string;
  trigger: string;
}

export interface LastSuccess {
  as_of: string;
  db_signature: string;
  generated_at: string;
  cache_file: string;
}

export interface ReportStatus {
  last_run: LastRun | null;
  last_success: LastSuccess | null;
}

export async function readStatus(cacheDir: string): Promise<ReportStatus> {
  try {
    const parsed = JSON.parse(await fs.readFile(statusFile(cacheDir), 'utf8')) as Partial<ReportStatus>;
    return { last_run: parsed.last_run ?? null, last_success: parsed.last_success ?? null };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { last_run: null, last_success: null };
    throw err;
  }
}

let queue: Promise<unknown> = Promise.resolve();

export function updateStatus(cacheDir: string, run: LastRun, success: LastSuccess | null): Promise<ReportStatus> {
  const next = queue.then(async () => {
    await fs.mkdir(cacheDir, { recursive: true });
    const current = await readStatus(cacheDir);
    const keepOld = current.last_success && success && current.last_success.as_of > success.as_of;
    const status: ReportStatus = { last_run: run, last_success: success && !keepOld ? success : current.last_success };
    await writeFileAtomic(statusFile(cacheDir), JSON.stringify(status, null, 2) + '\n', { uniqueTemp: true });
    return status;
  });
  queue = next.catch(() => undefined);
  return next;
}
