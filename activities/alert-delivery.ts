/**
 * `deliverOpsAlerts`: sends every undelivered ops_alert row to ALERT_EMAIL_TO (one email per
 * address, at most once, through the email ledger) and to ALERT_WEBHOOK_URL (a Slack-compatible
 * `{"text": …}` POST, recorded so a partial failure does not post twice). An identical alert
 * raised again within the dedupe window only counts on its row (db/alerts.ts), so it is
 * delivered once. A row that keeps failing is given up after MAX_DELIVERY_ATTEMPTS.
 */
import { Context } from '@temporalio/activity';
import { kstDate } from '../calendar/trading-calendar';
import { type AlertRow, markDelivery, markWebhookDelivered, undeliveredAlerts } from '../db/alerts-queries';
import { alertWebhookPayload, renderAlertEmail } from '../emails/templates/alert';
import type { ActivityDeps } from './deps';
import { type EmailHooks, sendKey, sendOnce } from './emails';

export const MAX_DELIVERY_ATTEMPTS = 5;
const WEBHOOK_TIMEOUT_MS = 10_000;

export interface AlertDeliveryResult {
  delivered: number[];
  failed: Array<{ id: number; error: string }>;
  /** Why nothing was attempted (no channel configured), when so. */
  skipped?: string;
}

export async function postWebhook(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
}

async function deliverOne(deps: ActivityDeps, hooks: EmailHooks, a: AlertRow): Promise<string | null> {
  const errors: string[] = [];
  const url = deps.cfg.ALERT_WEBHOOK_URL;
  if (url && !a.webhookDeliveredAt) {
    try {
      await postWebhook(url, alertWebhookPayload(a));
      await markWebhookDelivered(deps.db, a.id);
    } catch (err) {
      errors.push(`webhook: ${(err as Error).message}`);
    }
  }
  const mail = renderAlertEmail(a);
  const sendDate = kstDate(a.createdAt);
  for (const to of deps.cfg.ALERT_EMAIL_TO) {
    try {
      const r = await sendOnce(deps, hooks, sendKey('alert', sendDate, to, String(a.id)), { kind: 'alert', sendDate, to, ...mail });
      if (r.status === 'uncertain') errors.push(`email ${to}: delivery uncertain (not resent)`);
    } catch (err) {
      errors.push(`email ${to}: ${(err as Error).message}`);
    }
  }
  return errors.length ? errors.join('; ') : null;
}

export function alertDeliveryActivities(deps: ActivityDeps, hooks: EmailHooks = {}) {
  return {
    async deliverOpsAlerts(): Promise<AlertDeliveryResult> {
      if (!deps.cfg.ALERT_WEBHOOK_URL && deps.cfg.ALERT_EMAIL_TO.length === 0) {
        return { delivered: [], failed: [], skipped: 'neither ALERT_EMAIL_TO nor ALERT_WEBHOOK_URL is set' };
      }
      const result: AlertDeliveryResult = { delivered: [], failed: [] };
      for (const a of await undeliveredAlerts(deps.db, MAX_DELIVERY_ATTEMPTS)) {
        Context.current().heartbeat(a.id);
        const error = await deliverOne(deps, hooks, a);
        await markDelivery(deps.db, a.id, error);
        if (error) result.failed.push({ id: a.id, error });
        else result.delivered.push(a.id);
      }
      return result;
    },
  };
}
