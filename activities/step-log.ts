/**
 * The collection-run log (seed 001 Part 5, `data_collection_log`): one row per workflow run
 * and step, written by the activity itself so that start, end, status, row counts and the
 * error are recorded even when the attempt dies. Retries of the same step update its row.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Context } from '@temporalio/activity';
import type { Updateable } from 'kysely';
import type { Db } from '../db/database';
import type { Database } from '../db/schema';

export interface StepRef {
  chain: string;
  step: string;
  tradingDate?: string | null;
}

export interface StepOutcome<T> {
  result: T;
  rowsIn?: number;
  rowsWritten?: number;
  skipped?: boolean;
  details?: Record<string, unknown>;
}

/** Told of every step that ends well (the collection worker's metrics count the rows written per chain and step). */
export interface StepObserver {
  stepDone(ref: StepRef, rowsWritten: number): void;
}

/** The observer of the running activity, set around it by an activity interceptor (workers/collection-metrics.ts). */
export const stepObserver = new AsyncLocalStorage<StepObserver>();

export async function withStepLog<T>(db: Db, ref: StepRef, body: () => Promise<StepOutcome<T>>): Promise<T> {
  const info = Context.current().info;
  const key = { workflow_id: (info.workflowExecution?.workflowId ?? 'standalone'), run_id: (info.workflowExecution?.runId ?? info.activityId), step: ref.step };
  await db
    .insertInto('data_collection_log')
    .values({ ...key, chain: ref.chain, trading_date: ref.tradingDate ?? null, status: 'running', attempt: info.attempt, started_at: new Date() })
    .onConflict((oc) =>
      oc.columns(['workflow_id', 'run_id', 'step']).doUpdateSet({
        status: 'running',
        attempt: info.attempt,
        started_at: (eb) => eb.fn<Date>('now'),
        finished_at: null,
        error: null,
      }),
    )
    .execute();
  const finish = (values: { status: 'succeeded' | 'failed' | 'skipped' } & Pick<Updateable<Database['data_collection_log']>, 'error' | 'rows_in' | 'rows_written' | 'details'>) =>
    db.updateTable('data_collection_log').set({ ...values, finished_at: new Date() })
      .where('workflow_id', '=', key.workflow_id).where('run_id', '=', key.run_id).where('step', '=', key.step)
      .execute();
  try {
    const out = await body();
    await finish({
      status: out.skipped ? 'skipped' : 'succeeded',
      rows_in: out.rowsIn ?? null,
      rows_written: out.rowsWritten ?? null,
      details: out.details ? JSON.stringify(out.details) : null,
    });
    stepObserver.getStore()?.stepDone(ref, out.rowsWritten ?? 0);
    return out.result;
  } catch (err) {
    await finish({ status: 'failed', error: (err as Error).message?.slice(0, 2000) ?? String(err) }).catch(() => undefined);
    throw err;
  }
}
