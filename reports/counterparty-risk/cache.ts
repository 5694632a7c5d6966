/** Reading the report cache (the API's side): report_cache/YYYYMMDD.json. */
import fs from 'node:fs/promises';
import { cacheFile } from './paths';
import type { CounterpartyRiskReport } from './report';

/** The cached report of `asOf`, or null when there is none. */
export async function readCachedReport(cacheDir: string, asOf: string): Promise<CounterpartyRiskReport | null> {
  return readReportFile(cacheFile(cacheDir, asOf));
}

export async function readReportFile(file: string): Promise<CounterpartyRiskReport | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  // Writes are atomic, so a file that does not parse was not written by the report: treat it as absent.
  try {
    const report = JSON.parse(text) as CounterpartyRiskReport;
    return report?.meta?.as_of ? report : null;
  } catch {
    return null;
  }
}
