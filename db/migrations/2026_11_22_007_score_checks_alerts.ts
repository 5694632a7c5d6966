import { type Kysely, sql } from 'kysely';

/**
 * The four-axis Compass Score's run record, the operations alerts (seed 001 Part 3.4, `OpsAlert`)
 * and the results of the blocking data checks (seed 001 Part 4.2).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Why a stock got no total, and on how many axes the total stands, kept per stock and day so
  // that a fail count can be explained stock by stock.
  await sql`ALTER TABLE compass_score_daily ADD COLUMN axis_count smallint, ADD COLUMN fail_reason text`.execute(db);

  await sql`
    CREATE TABLE compass_score_run (
      id                   bigserial PRIMARY KEY,
      score_date           date        NOT NULL,
      scope                text        NOT NULL CHECK (scope IN ('market', 'ticker')),
      ticker               text,
      universe             integer     NOT NULL,
      scored               integer     NOT NULL,
      failed               integer     NOT NULL,
      fail_rate            numeric(6,4) NOT NULL,
      insufficient_history integer     NOT NULL,
      axes                 jsonb       NOT NULL,
      fail_reasons         jsonb       NOT NULL,
      workflow_id          text,
      run_id               text,
      alert_id             bigint,
      started_at           timestamptz NOT NULL,
      finished_at          timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX compass_score_run_date_idx ON compass_score_run (score_date DESC, finished_at DESC)`.execute(db);

  await sql`
    CREATE TABLE ops_alert (
      id              bigserial PRIMARY KEY,
      alert_type      text        NOT NULL,
      severity        text        NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
      title           text        NOT NULL,
      message         text        NOT NULL,
      source          text        NOT NULL,
      workflow_id     text,
      run_id          text,
      dedupe_key      text        NOT NULL,
      repeat_count    integer     NOT NULL DEFAULT 1,
      created_at      timestamptz NOT NULL DEFAULT now(),
      last_seen_at    timestamptz NOT NULL DEFAULT now(),
      acknowledged_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX ops_alert_open_idx ON ops_alert (dedupe_key, last_seen_at DESC) WHERE acknowledged_at IS NULL`.execute(db);
  await sql`CREATE INDEX ops_alert_created_idx ON ops_alert (created_at DESC)`.execute(db);

  await sql`
    CREATE TABLE data_check_result (
      id          bigserial PRIMARY KEY,
      run_id      text        NOT NULL,
      chain       text        NOT NULL,
      data_group  text        NOT NULL,
      check_name  text        NOT NULL,
      as_of       date        NOT NULL,
      ok          boolean     NOT NULL,
      severity    text        NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
      expected    text        NOT NULL,
      found       text        NOT NULL,
      checked_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX data_check_result_group_idx ON data_check_result (data_group, checked_at DESC)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS data_check_result`.execute(db);
  await sql`DROP TABLE IF EXISTS ops_alert`.execute(db);
  await sql`DROP TABLE IF EXISTS compass_score_run`.execute(db);
  await sql`ALTER TABLE compass_score_daily DROP COLUMN IF EXISTS axis_count, DROP COLUMN IF EXISTS fail_reason`.execute(db);
}
