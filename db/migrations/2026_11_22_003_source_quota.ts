import { type Kysely, sql } from 'kysely';

/**
 * Shared request budgets of the external sources, so that every worker process on every
 * machine draws from one count (issue 3): the calls made per quota and Korean day, and the
 * next free request slot per rate-limited source. Rows are tiny and updated in place.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE source_quota_usage (
      quota_key  text    NOT NULL,
      kst_day    date    NOT NULL,
      used       integer NOT NULL CHECK (used >= 0),
      daily_limit integer NOT NULL CHECK (daily_limit > 0),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (quota_key, kst_day)
    )`.execute(db);
  await sql`
    CREATE TABLE source_rate_slot (
      rate_key text PRIMARY KEY,
      next_at  timestamptz NOT NULL
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS source_rate_slot`.execute(db);
  await sql`DROP TABLE IF EXISTS source_quota_usage`.execute(db);
}
