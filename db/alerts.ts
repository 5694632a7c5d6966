/**
 * Operations alerts (`ops_alert`, seed 001 Part 3.4's OpsAlert plus issue 6's fields). Raising
 * the same open alert again within the dedupe window counts it (`repeat_count`, `last_seen_at`)
 * instead of adding a row, so a retried activity or a check that fails every run does not
 * flood whoever reads the table. Delivery (email, webhook) reads this table; it is not here.
 */
import { sql } from 'kysely';
import type { Db } from './database';

export type AlertSeverity = 'critical' | 'warning' | 'info';

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
    await sql`SELECT pg_advisory_xact_lock(hashtext('ops_alert'), hashtext(${key}))`.execute(trx);
    const repeated = await sql<{ id: string }>`
      UPDATE ops_alert SET repeat_count = repeat_count + 1, last_seen_at = now(), message = ${message},
             severity = ${a.severity}, workflow_id = coalesce(${a.workflowId ?? null}, workflow_id), run_id = coalesce(${a.runId ?? null}, run_id)
       WHERE id = (SELECT id FROM ops_alert
                    WHERE dedupe_key = ${key} AND acknowledged_at IS NULL
                      AND last_seen_at > now() - ${windowMin} * interval '1 minute'
                    ORDER BY last_seen_at DESC LIMIT 1)
      RETURNING id`.execute(trx);
    const hit = repeated.rows[0];
    if (hit) return Number(hit.id);
    const inserted = await sql<{ id: string }>`
      INSERT INTO ops_alert (alert_type, severity, title, message, source, workflow_id, run_id, dedupe_key)
      VALUES (${a.alertType}, ${a.severity}, ${a.title.slice(0, TITLE_MAX)}, ${message}, ${a.source},
              ${a.workflowId ?? null}, ${a.runId ?? null}, ${key})
      RETURNING id`.execute(trx);
    return Number(inserted.rows[0]!.id);
  });
}

export async function acknowledgeAlert(db: Db, id: number): Promise<void> {
  await sql`UPDATE ops_alert SET acknowledged_at = now() WHERE id = ${id} AND acknowledged_at IS NULL`.execute(db);
}
