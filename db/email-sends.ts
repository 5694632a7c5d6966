/**
 * The email send ledger (`email_send`): one row per send key (kind, day, recipient), written
 * before the message goes to the transport and again after. A send whose row says `sending`
 * when it is claimed again was interrupted between the two writes: the server may or may not
 * have taken it, so it becomes `uncertain` and is not sent again (at most once).
 */
import { sql } from 'kysely';
import type { Db } from './database';

export type SendStatus = 'sending' | 'sent' | 'failed' | 'refused' | 'uncertain';

export interface SendClaim {
  key: string;
  kind: string;
  sendDate: string;
  recipient: string;
  messageId: string;
  subject: string;
  workflowId: string | null;
  /** What the email reports (the score date of a watchlist alert), when that matters. */
  about?: string | null;
}

/** `send`: go ahead (the row is now `sending`); otherwise the status that stops this send. */
export type ClaimResult = 'send' | 'sent' | 'refused' | 'uncertain';

export async function claimSend(db: Db, c: SendClaim): Promise<ClaimResult> {
  return db.transaction().execute(async (trx) => {
    const inserted = await sql<{ send_key: string }>`
      INSERT INTO email_send (send_key, kind, send_date, recipient, status, attempts, message_id, subject, workflow_id, about)
      VALUES (${c.key}, ${c.kind}, ${c.sendDate}::date, ${c.recipient}, 'sending', 1, ${c.messageId}, ${c.subject}, ${c.workflowId}, ${c.about ?? null})
      ON CONFLICT (send_key) DO NOTHING RETURNING send_key`.execute(trx);
    if (inserted.rows.length) return 'send';
    const row = await sql<{ status: SendStatus }>`SELECT status FROM email_send WHERE send_key = ${c.key} FOR UPDATE`.execute(trx);
    const status = row.rows[0]!.status;
    if (status === 'failed') {
      await sql`UPDATE email_send SET status = 'sending', attempts = attempts + 1, subject = ${c.subject}, workflow_id = ${c.workflowId},
                       updated_at = now() WHERE send_key = ${c.key}`.execute(trx);
      return 'send';
    }
    if (status === 'sending') {
      await sql`UPDATE email_send SET status = 'uncertain', updated_at = now(),
                       error = 'an earlier attempt stopped between handing the message to the server and recording the result'
                 WHERE send_key = ${c.key}`.execute(trx);
      return 'uncertain';
    }
    return status;
  });
}

export async function recordSent(db: Db, key: string, transport: string, location: string): Promise<void> {
  await sql`UPDATE email_send SET status = 'sent', transport = ${transport}, location = ${location.slice(0, 500)}, error = NULL,
                   sent_at = now(), updated_at = now() WHERE send_key = ${key}`.execute(db);
}

export async function recordFailure(db: Db, key: string, status: 'failed' | 'refused', error: string): Promise<void> {
  await sql`UPDATE email_send SET status = ${status}, error = ${error.slice(0, 500)}, updated_at = now() WHERE send_key = ${key}`.execute(db);
}

/** Recipients (lower case) who already got (or may have got) an email of `kind` about `about`. */
export async function reportedTo(db: Db, kind: string, about: string): Promise<Set<string>> {
  const r = await sql<{ recipient: string }>`
    SELECT DISTINCT lower(recipient) AS recipient FROM email_send
     WHERE kind = ${kind} AND about = ${about} AND status IN ('sent', 'uncertain', 'sending')`.execute(db);
  return new Set(r.rows.map((x) => x.recipient));
}

export interface SendRow {
  sendKey: string;
  status: SendStatus;
  attempts: number;
  recipient: string;
  location: string | null;
  error: string | null;
}

export async function sendsOf(db: Db, kind: string, sendDate: string): Promise<SendRow[]> {
  const r = await sql<{ send_key: string; status: SendStatus; attempts: number; recipient: string; location: string | null; error: string | null }>`
    SELECT send_key, status, attempts, recipient, location, error FROM email_send
     WHERE kind = ${kind} AND send_date = ${sendDate}::date ORDER BY recipient`.execute(db);
  return r.rows.map((x) => ({ sendKey: x.send_key, status: x.status, attempts: x.attempts, recipient: x.recipient, location: x.location, error: x.error }));
}
