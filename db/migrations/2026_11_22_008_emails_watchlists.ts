import { type Kysely, sql } from 'kysely';

/**
 * Issue 6: the users and watchlists of the two morning emails, the send ledger that makes each
 * email at-most-once per recipient and day, the alert delivery columns of ops_alert (table of
 * migration 007), and the watchdog's verdict per schedule slot or deadline.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE app_user (
      id            bigserial PRIMARY KEY,
      email         text        NOT NULL UNIQUE,
      display_name  text        NOT NULL,
      market_email  boolean     NOT NULL DEFAULT true,
      is_active     boolean     NOT NULL DEFAULT true,
      created_at    timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE watchlist_item (
      user_id   bigint      NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      ticker    text        NOT NULL,
      added_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, ticker)
    )`.execute(db);

  // One row per (email kind, day, recipient): written before the SMTP conversation and again after.
  // `about`: what the email reported (the watchlist alert's score date), so the same news is not sent twice.
  await sql`
    CREATE TABLE email_send (
      send_key     text        PRIMARY KEY,
      kind         text        NOT NULL,
      send_date    date        NOT NULL,
      recipient    text        NOT NULL,
      status       text        NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'refused', 'uncertain')),
      attempts     integer     NOT NULL DEFAULT 0,
      message_id   text        NOT NULL,
      subject      text,
      about        text,
      transport    text,
      location     text,
      error        text,
      workflow_id  text,
      created_at   timestamptz NOT NULL DEFAULT now(),
      updated_at   timestamptz NOT NULL DEFAULT now(),
      sent_at      timestamptz
    )`.execute(db);
  await sql`CREATE INDEX email_send_date_idx ON email_send (send_date, kind)`.execute(db);
  await sql`CREATE INDEX email_send_about_idx ON email_send (kind, recipient, about) WHERE about IS NOT NULL`.execute(db);

  await sql`
    ALTER TABLE ops_alert
      ADD COLUMN delivered_at         timestamptz,
      ADD COLUMN webhook_delivered_at timestamptz,
      ADD COLUMN delivery_error    text,
      ADD COLUMN delivery_attempts integer NOT NULL DEFAULT 0`.execute(db);
  await sql`CREATE INDEX ops_alert_undelivered_idx ON ops_alert (id) WHERE delivered_at IS NULL`.execute(db);

  // subject: "schedule:<id>" or "deadline:<name>"; slot_at: the slot's nominal time or the deadline.
  await sql`
    CREATE TABLE watchdog_verdict (
      subject     text        NOT NULL,
      slot_at     timestamptz NOT NULL,
      verdict     text        NOT NULL CHECK (verdict IN ('ok', 'missed', 'late', 'stuck', 'failed')),
      detail      text        NOT NULL,
      workflow_id text,
      alert_id    bigint,
      checked_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (subject, slot_at)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS watchdog_verdict`.execute(db);
  await sql`DROP INDEX IF EXISTS ops_alert_undelivered_idx`.execute(db);
  await sql`ALTER TABLE ops_alert DROP COLUMN IF EXISTS delivered_at, DROP COLUMN IF EXISTS webhook_delivered_at, DROP COLUMN IF EXISTS delivery_error, DROP COLUMN IF EXISTS delivery_attempts`.execute(db);
  await sql`DROP TABLE IF EXISTS email_send`.execute(db);
  await sql`DROP TABLE IF EXISTS watchlist_item`.execute(db);
  await sql`DROP TABLE IF EXISTS app_user`.execute(db);
}
