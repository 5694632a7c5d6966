import { type Kysely, sql } from 'kysely';

/**
 * When the last call of each rate-limited source really went out. A reserved slot says when a call
 * may go; a worker that wakes late after its slot (a busy event loop, a starved CPU) would otherwise
 * send close behind the next one, which woke on time. Each sender confirms against this column at the
 * moment it sends (db/source-budget.ts), so two sends are 1/rps apart whatever their timers did.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE source_rate_slot ADD COLUMN last_sent_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE source_rate_slot DROP COLUMN IF EXISTS last_sent_at`.execute(db);
}
