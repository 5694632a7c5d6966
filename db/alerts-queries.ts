/** Reading ops_alert for delivery and for `npm run ops -- alerts`; raising lives in db/alerts.ts. */
import { type Selectable, sql } from 'kysely';
import type { AlertSeverity } from './alerts';
import type { Db } from './database';
import type { Database } from './schema';

export interface AlertRow {
  id: number;
  alertType: string;
  severity: AlertSeverity;
  title: string;
  message: string;
  source: string;
  workflowId: string | null;
  repeatCount: number;
  createdAt: Date;
  lastSeenAt: Date;
  acknowledgedAt: Date | null;
  deliveredAt: Date | null;
  webhookDeliveredAt: Date | null;
  deliveryError: string | null;
}

function toRow(r: Selectable<Database['ops_alert']>): AlertRow {
  return {
    id: Number(r.id), alertType: r.alert_type, severity: r.severity, title: r.title, message: r.message, source: r.source,
    workflowId: r.workflow_id, repeatCount: r.repeat_count, createdAt: r.created_at, lastSeenAt: r.last_seen_at,
    acknowledgedAt: r.acknowledged_at, deliveredAt: r.delivered_at, webhookDeliveredAt: r.webhook_delivered_at, deliveryError: r.delivery_error,
  };
}

/** Open (unacknowledged) alerts, newest first. */
export async function openAlerts(db: Db, limit = 100): Promise<AlertRow[]> {
  const rows = await db
    .selectFrom('ops_alert')
    .selectAll()
    .where('acknowledged_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toRow);
}

export async function alertById(db: Db, id: number): Promise<AlertRow | null> {
  const row = await db.selectFrom('ops_alert').selectAll().where('id', '=', String(id)).executeTakeFirst();
  return row ? toRow(row) : null;
}

/** Alerts still to deliver: not delivered, fewer than `maxAttempts` tries, raised within `days`. */
export async function undeliveredAlerts(db: Db, maxAttempts: number, days = 7, limit = 50): Promise<AlertRow[]> {
  const rows = await db
    .selectFrom('ops_alert')
    .selectAll()
    .where('delivered_at', 'is', null)
    .where('delivery_attempts', '<', maxAttempts)
    .where('created_at', '>', sql<Date>`now() - ${days} * interval '1 day'`)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toRow);
}

export async function markWebhookDelivered(db: Db, id: number): Promise<void> {
  await db
    .updateTable('ops_alert')
    .set({ webhook_delivered_at: (eb) => eb.fn<Date>('now') })
    .where('id', '=', String(id))
    .execute();
}

export async function markDelivery(db: Db, id: number, error: string | null): Promise<void> {
  await db
    .updateTable('ops_alert')
    .set({
      delivery_attempts: (eb) => eb('delivery_attempts', '+', 1),
      delivery_error: error?.slice(0, 500) ?? null,
      // A failed try leaves delivered_at as it was.
      delivered_at: (eb) => (error === null ? eb.fn<Date>('now') : eb.ref('delivered_at')),
    })
    .where('id', '=', String(id))
    .execute();
}
