/** `npm run ops -- alerts` and `ops -- ack <id>`: the open operations alerts, and acknowledging one. */
import { kstLabel } from '../calendar/trading-calendar';
import { acknowledgeAlert } from '../db/alerts';
import { alertById, type AlertRow, openAlerts } from '../db/alerts-queries';
import type { Db } from '../db/database';

function when(d: Date | null): string {
  return d ? kstLabel(d, 'minute') : '-';
}

function delivery(a: AlertRow): string {
  if (a.deliveredAt) return `delivered ${when(a.deliveredAt)}`;
  return a.deliveryError ? `undelivered: ${a.deliveryError.slice(0, 60)}` : 'not delivered yet';
}

/** One block per open alert, newest first; a line saying so when there is none. */
export async function renderOpenAlerts(db: Db): Promise<string[]> {
  const rows = await openAlerts(db);
  if (rows.length === 0) return ['no open alerts'];
  return rows.flatMap((a) => [
    `#${a.id}  ${a.severity.toUpperCase().padEnd(8)} ${when(a.createdAt)}  ${a.alertType}  ×${a.repeatCount}  (${a.source}${a.workflowId ? `, ${a.workflowId}` : ''})`,
    `      ${a.title}`,
    `      ${a.message.slice(0, 300)}`,
    `      ${delivery(a)}`,
  ]);
}

export type AckOutcome = 'acknowledged' | 'already-acknowledged' | 'not-found';

export async function ackAlert(db: Db, id: number): Promise<AckOutcome> {
  const before = await alertById(db, id);
  if (!before) return 'not-found';
  if (before.acknowledgedAt) return 'already-acknowledged';
  await acknowledgeAlert(db, id);
  return 'acknowledged';
}
