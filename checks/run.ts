/**
 * Runs one data group's checks, stores every result in `data_check_result` and raises an alert
 * for each failure. A table that does not exist yet (its migration not applied) or SQL that no
 * longer matches the schema fails its check with that as the finding, rather than failing the
 * run: the workflow then blocks the dependents and the alert says why.
 */
import type { IsoDate } from '../calendar/trading-calendar';
import { type AlertInput, raiseAlert } from '../db/alerts';
import { unnestTable } from '../db/bulk-upsert';
import type { Db } from '../db/database';
import { CHECKS } from './registry';
import type { CheckDefinition, CheckOutcome, CheckSettings, DataGroup } from './types';

export interface DataCheckReport {
  group: DataGroup;
  ok: boolean;
  results: Array<{ name: string; ok: boolean; expected: string; found: string }>;
}

export interface DataCheckRun {
  chain: string;
  group: DataGroup;
  asOf: IsoDate;
  runId: string;
  settings: CheckSettings;
  /** Alert fields taken from the caller (workflow ids, dedupe window). */
  alert?: Pick<AlertInput, 'workflowId' | 'runId' | 'dedupeWindowMin'>;
}

/** PostgreSQL's class 42: syntax errors and undefined tables or columns (a schema mismatch). */
const SCHEMA_ERROR_CLASS = '42';

export async function runDataCheckGroup(db: Db, run: DataCheckRun): Promise<DataCheckReport> {
  const defs = CHECKS[run.group];
  const present = await existingTables(db, [...new Set(defs.flatMap((d) => d.tables))]);
  const results: DataCheckReport['results'] = [];
  for (const def of defs) {
    const outcome = await runOne(db, def, run, present);
    results.push({ name: def.name, ...outcome });
    await db
      .insertInto('data_check_result')
      .values({
        run_id: run.runId, chain: run.chain, data_group: run.group, check_name: def.name, as_of: run.asOf, ok: outcome.ok,
        severity: def.severity, expected: outcome.expected, found: outcome.found,
      })
      .execute();
    if (!outcome.ok) {
      await raiseAlert(db, {
        alertType: 'data_check_failure',
        severity: def.severity,
        title: `[데이터 검증 실패] ${run.group}: ${def.name}`,
        message: `${run.chain} ${run.asOf}: expected ${outcome.expected}; found ${outcome.found}`,
        source: 'data-checks',
        dedupeKey: `data_check|${run.group}|${def.name}|${run.asOf}`,
        ...run.alert,
      });
    }
  }
  return { group: run.group, ok: results.every((r) => r.ok), results };
}

async function runOne(db: Db, def: CheckDefinition, run: DataCheckRun, present: ReadonlySet<string>): Promise<CheckOutcome> {
  const missing = def.tables.filter((t) => !present.has(t));
  if (missing.length > 0) {
    return { ok: false, expected: `table ${def.tables.join(', ')} to exist`, found: `table missing: ${missing.join(', ')}` };
  }
  try {
    return await def.run(db, { asOf: run.asOf, settings: run.settings });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith(SCHEMA_ERROR_CLASS)) {
      return { ok: false, expected: 'the check query to match the schema', found: `query failed: ${(err as Error).message}` };
    }
    // Connection and other transient errors are the activity's to retry.
    throw err;
  }
}

async function existingTables(db: Db, names: string[]): Promise<Set<string>> {
  const rows = await db
    .selectFrom(unnestTable('t', { name: ['text', names] }))
    .select('t.name')
    .where((eb) => eb(eb.fn('to_regclass', ['t.name']), 'is not', null))
    .execute();
  return new Set(rows.map((x) => x.name));
}
