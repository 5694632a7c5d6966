/** Reading ops_alert for delivery and for `npm run ops -- alerts`; raising lives in db/alerts.ts. */
import { sql } from 'kysely';
import type { AlertSeverity } from './alerts';
import type { Db } from './database';

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

interface RawAlert {
  id: string; alert_type: string; severity: AlertSeverity; title: string; message: string; source: string; workflow_id: string | null;
  repeat_count: number; created_at: Date; last_seen_at: Date; acknowledged_at: Date | null; delivered_at: Date | null;
  webhook_delivered_at: Date | null; delivery_error: string | null;
}

function toRow(r: RawAlert): AlertRow {
  return {
    id: Number(r.id), alertType: r.alert_type, severity: r.severity, title: r.title, message: r.message, source: r.source,
    workflowId: r.workflow_id, repeatCount: r.repeat_count, createdAt: r.created_at, lastSeenAt: r.last_seen_at,
    acknowledgedAt: r.acknowledged_at, deliveredAt: r.delivered_at, webhookDeliveredAt: r.webhook_delivered_at, deliveryError: r.delivery_error,
  };
}

/** Open (unacknowledged) alerts, newest first. */
export async function openAlerts(db: Db, limit = 100): Promise<AlertRow[]> {
  const r = await sql<RawAlert>`SELECT * FROM ops_alert WHERE acknowledged_at IS NULL ORDER BY created_at DESC, id DESC LIMIT ${limit}`.execute(db);
  return r.rows.map(toRow);
}

export async function alertById(db: Db, id: number): Promise<AlertRow | null> {
  const r = await sql<RawAlert>`SELECT * FROM ops_alert WHERE id = ${id}`.execute(db);
  return r.rows[0] ? toRow(r.rows[0]) : null;
}

/** Alerts still to deliver: not delivered, fewer than `maxAttempts` tries, raised within `days`. */
export async function undeliveredAlerts(db: Db, maxAttempts: number, days = 7, limit = 50): Promise<AlertRow[]> {
  const r = await sql<RawAlert>`
    SELECT * FROM ops_alert
     WHERE delivered_at IS NULL AND delivery_attempts < ${maxAttempts} AND created_at > now() - ${days} * interval '1 day'
     ORDER BY id LIMIT ${limit}`.execute(db);
  return r.rows.map(toRow);
}

export async function markWebhookDelivered(db: Db, id: number): Promise<void> {
  await sql`UPDATE ops_alert SET webhook_delivered_at = now() WHERE id = ${id}`.execute(db);
}

export async function markDelivery(db: Db, id: number, error: string | null): Promise<void> {
  await sql`UPDATE ops_alert SET delivery_attempts = delivery_attempts + 1, delivery_error = ${error?.slice(0, 500) ?? null},
                   delivered_at = CASE WHEN ${error === null} THEN now() ELSE delivered_at END
             WHERE id = ${id}`.execute(db);
}
