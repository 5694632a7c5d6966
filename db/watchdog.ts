/** The watchdog's verdicts (`watchdog_verdict`): one per schedule slot or deadline, so each is alerted once. */
import type { Db } from './database';
import type { Database } from './schema';

export type Verdict = Database['watchdog_verdict']['verdict'];

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
  const rows = await db.selectFrom('watchdog_verdict').select('slot_at').where('subject', '=', subject).where('slot_at', '>=', from).execute();
  return new Set(rows.map((x) => x.slot_at.getTime()));
}

/** True when this call recorded the verdict; false when the slot already had one (the first verdict stands). */
export async function recordVerdict(db: Db, v: VerdictRow): Promise<boolean> {
  const r = await db
    .insertInto('watchdog_verdict')
    .values({ subject: v.subject, slot_at: v.slotAt, verdict: v.verdict, detail: v.detail.slice(0, 1000), workflow_id: v.workflowId, alert_id: v.alertId })
    .onConflict((oc) => oc.columns(['subject', 'slot_at']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function verdictsOf(db: Db, subject: string): Promise<VerdictRow[]> {
  const rows = await db
    .selectFrom('watchdog_verdict')
    .select(['subject', 'slot_at', 'verdict', 'detail', 'workflow_id', 'alert_id'])
    .where('subject', '=', subject)
    .orderBy('slot_at')
    .execute();
  return rows.map((x) => ({
    subject: x.subject, slotAt: x.slot_at, verdict: x.verdict, detail: x.detail, workflowId: x.workflow_id,
    alertId: x.alert_id === null ? null : Number(x.alert_id),
  }));
}

/** Price rows of trading date `day` in stock_price_daily: the prices deadline is met once there is one. */
export async function priceRowsOn(db: Db, day: string): Promise<number> {
  const r = await db.selectFrom('stock_price_daily').select((eb) => eb.fn.countAll<string>().as('n')).where('trade_date', '=', day).executeTakeFirstOrThrow();
  return Number(r.n);
}
