/**
 * Operations alerts (`ops_alert`, seed 001 Part 3.4's OpsAlert plus issue 6's fields). Raising
 * the same open alert again within the dedupe window counts it (`repeat_count`, `last_seen_at`)
 * instead of adding a row, so a retried activity or a check that fails every run does not
 * flood whoever reads the table. Delivery (email, webhook) reads this table; it is not here.
 */
import { sql } from 'kysely';
import type { Db } from './database';
import type { Database } from './schema';

/** The levels ops_alert's CHECK constraint allows. */
export type AlertSeverity = Database['ops_alert']['severity'];

export interface AlertInput {
  alertType: string;
  severity: AlertSeverity;
  title: string;
  message: string;
  source: string;
  workflowId?: string | null;
  runId?: string | null;
  /** Which alerts count as the same; default alert type, source and title. */
  dedupeKey?: string;
  /** Default ALERT_DEDUPE_WINDOW_MIN's default, 60. */
  dedupeWindowMin?: number;
}

/** The seed keeps messages to 500 characters; titles are one line. */
const MESSAGE_MAX = 500;
const TITLE_MAX = 200;

/** Returns the id of the alert row: a new one, or the open one this raise was counted on. */
export async function raiseAlert(db: Db, a: AlertInput): Promise<number> {
  const key = a.dedupeKey ?? `${a.alertType}|${a.source}|${a.title}`;
  const windowMin = a.dedupeWindowMin ?? 60;
  const message = a.message.slice(0, MESSAGE_MAX);
  return db.transaction().execute(async (trx) => {
    // Serializes raisers of one key, so two at once cannot both insert.
    await trx
      .selectNoFrom((eb) => eb.fn('pg_advisory_xact_lock', [eb.fn('hashtext', [eb.val('ops_alert')]), eb.fn('hashtext', [eb.val(key)])]).as('locked'))
      .execute();
    const hit = await trx
      .updateTable('ops_alert')
      .set({
        repeat_count: (eb) => eb('repeat_count', '+', 1),
        last_seen_at: (eb) => eb.fn<Date>('now'),
        message,
        severity: a.severity,
        workflow_id: (eb) => eb.fn.coalesce(eb.val(a.workflowId ?? null), 'workflow_id'),
        run_id: (eb) => eb.fn.coalesce(eb.val(a.runId ?? null), 'run_id'),
      })
      .where('id', '=', (eb) =>
        eb
          .selectFrom('ops_alert')
          .select('id')
          .where('dedupe_key', '=', key)
          .where('acknowledged_at', 'is', null)
          .where('last_seen_at', '>', sql<Date>`now() - ${windowMin} * interval '1 minute'`)
          .orderBy('last_seen_at', 'desc')
          .limit(1),
      )
      .returning('id')
      .executeTakeFirst();
    if (hit) return Number(hit.id);
    const inserted = await trx
      .insertInto('ops_alert')
      .values({
        alert_type: a.alertType, severity: a.severity, title: a.title.slice(0, TITLE_MAX), message, source: a.source,
        workflow_id: a.workflowId ?? null, run_id: a.runId ?? null, dedupe_key: key,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(inserted.id);
  });
}

export async function acknowledgeAlert(db: Db, id: number): Promise<void> {
  await db
    .updateTable('ops_alert')
    .set({ acknowledged_at: (eb) => eb.fn<Date>('now') })
    .where('id', '=', String(id))
    .where('acknowledged_at', 'is', null)
    .execute();
}
