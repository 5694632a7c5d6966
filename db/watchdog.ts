/** The watchdog's verdicts (`watchdog_verdict`): one per schedule slot or deadline, so each is alerted once. */
import { sql } from 'kysely';
import type { Db } from './database';

export type Verdict = 'ok' | 'missed' | 'late' | 'stuck' | 'failed';

export interface VerdictRow {
  subject: string;
  slotAt: Date;
  verdict: Verdict;
  detail: string;
  workflowId: string | null;
  alertId: number | null;
}

/** Slot times (ms) that already have a verdict for `subject` since `from`. */
export async function decidedSlots(db: Db, subject: string, from: Date): Promise<Set<number>> {
  const r = await sql<{ slot_at: Date }>`SELECT slot_at FROM watchdog_verdict WHERE subject = ${subject} AND slot_at >= ${from}`.execute(db);
  return new Set(r.rows.map((x) => new Date(x.slot_at).getTime()));
}

export async function recordVerdict(db: Db, v: VerdictRow): Promise<boolean> {
  const r = await sql`
    INSERT INTO watchdog_verdict (subject, slot_at, verdict, detail, workflow_id, alert_id)
    VALUES (${v.subject}, ${v.slotAt}, ${v.verdict}, ${v.detail.slice(0, 1000)}, ${v.workflowId}, ${v.alertId})
    ON CONFLICT (subject, slot_at) DO NOTHING`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

export async function verdictsOf(db: Db, subject: string): Promise<VerdictRow[]> {
  const r = await sql<{ subject: string; slot_at: Date; verdict: Verdict; detail: string; workflow_id: string | null; alert_id: string | null }>`
    SELECT * FROM watchdog_verdict WHERE subject = ${subject} ORDER BY slot_at`.execute(db);
  return r.rows.map((x) => ({
    subject: x.subject, slotAt: new Date(x.slot_at), verdict: x.verdict, detail: x.detail, workflowId: x.workflow_id,
    alertId: x.alert_id === null ? null : Number(x.alert_id),
  }));
}
