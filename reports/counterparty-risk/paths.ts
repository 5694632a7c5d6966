/** Where the report's files live: the seed's names, under CACHE_DIR and WORK_DIR. */
import path from 'node:path';

export const STATUS_FILE = 'status.json';

/** report_cache/YYYYMMDD.json */
export function cacheFile(cacheDir: string, asOf: string): string {
  return path.join(cacheDir, `${asOf.replace(/-/g, '')}.json`);
}

export const CACHE_FILE_PATTERN = /^\d{8}\.json$/;
export const SNAPSHOT_FILE_PATTERN = /^salesmap_snapshot_.+\.db$/;

/** report_work/salesmap_snapshot_<as_of>_<HHMMSS>.db */
export function snapshotFile(workDir: string, asOf: string, hhmmss: string): string {
  return path.join(workDir, `salesmap_snapshot_${asOf}_${hhmmss}.db`);
}

/** report_work/llm_<as_of>_<HHMMSS>.jsonl: one line per LLM exchange of a run (never the key). */
export function llmLogFile(workDir: string, asOf: string, hhmmss: string): string {
  return path.join(workDir, `llm_${asOf}_${hhmmss}.jsonl`);
}

export function statusFile(cacheDir: string): string {
  return path.join(cacheDir, STATUS_FILE);
}
