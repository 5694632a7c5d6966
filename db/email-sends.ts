/**
 * The email send ledger (`email_send`): one row per send key (kind, day, recipient), written
 * before the message goes to the transport and again after. A send whose row says `sending`
 * when it is claimed again was interrupted between the two writes: the server may or may not
 * have taken it, so it becomes `uncertain` and is not sent again (at most once).
 */
import type { Db } from './database';
import type { Database } from './schema';

/** The states email_send's CHECK constraint allows. */
export type SendStatus = Database['email_send']['status'];

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
    const inserted = await trx
      .insertInto('email_send')
      .values({
        send_key: c.key, kind: c.kind, send_date: c.sendDate, recipient: c.recipient, status: 'sending', attempts: 1,
        message_id: c.messageId, subject: c.subject, workflow_id: c.workflowId, about: c.about ?? null,
      })
      .onConflict((oc) => oc.column('send_key').doNothing())
      .returning('send_key')
      .executeTakeFirst();
    if (inserted) return 'send';
    const { status } = await trx.selectFrom('email_send').select('status').where('send_key', '=', c.key).forUpdate().executeTakeFirstOrThrow();
    if (status === 'failed') {
      await trx
        .updateTable('email_send')
        .set({ status: 'sending', attempts: (eb) => eb('attempts', '+', 1), subject: c.subject, workflow_id: c.workflowId, updated_at: (eb) => eb.fn<Date>('now') })
        .where('send_key', '=', c.key)
        .execute();
      return 'send';
    }
    if (status === 'sending') {
      await trx
        .updateTable('email_send')
        .set({
          status: 'uncertain', updated_at: (eb) => eb.fn<Date>('now'),
          error: 'an earlier attempt stopped between handing the message to the server and recording the result',
        })
        .where('send_key', '=', c.key)
        .execute();
      return 'uncertain';
    }
    return status;
  });
}

export async function recordSent(db: Db, key: string, transport: string, location: string): Promise<void> {
  await db
    .updateTable('email_send')
    .set({ status: 'sent', transport, location: location.slice(0, 500), error: null, sent_at: (eb) => eb.fn<Date>('now'), updated_at: (eb) => eb.fn<Date>('now') })
    .where('send_key', '=', key)
    .execute();
}

export async function recordFailure(db: Db, key: string, status: 'failed' | 'refused', error: string): Promise<void> {
  await db
    .updateTable('email_send')
    .set({ status, error: error.slice(0, 500), updated_at: (eb) => eb.fn<Date>('now') })
    .where('send_key', '=', key)
    .execute();
}

/** Recipients (lower case) who already got (or may have got) an email of `kind` about `about`. */
export async function reportedTo(db: Db, kind: string, about: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('email_send')
    .select((eb) => eb.fn<string>('lower', ['recipient']).as('recipient'))
    .distinct()
    .where('kind', '=', kind)
    .where('about', '=', about)
    .where('status', 'in', ['sent', 'uncertain', 'sending'])
    .execute();
  return new Set(rows.map((x) => x.recipient));
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
  const rows = await db
    .selectFrom('email_send')
    .select(['send_key', 'status', 'attempts', 'recipient', 'location', 'error'])
    .where('kind', '=', kind)
    .where('send_date', '=', sendDate)
    .orderBy('recipient')
    .execute();
  return rows.map((x) => ({ sendKey: x.send_key, status: x.status, attempts: x.attempts, recipient: x.recipient, location: x.location, error: x.error }));
}
