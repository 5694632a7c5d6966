import { type Kysely, sql } from 'kysely';

/**
 * One row per run of a service job (seed 002): what the seed kept as last_run_at, last_status and
 * last_error on the `jobs` row, kept here for every run. The job definitions themselves live in
 * jobs/catalog.json and on the Temporal schedules, not in this database.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE job_runs (
      run_id          text        PRIMARY KEY,
      job_id          text        NOT NULL,
      scope           text        NOT NULL CHECK (scope IN ('real', 'mock')),
      trigger_source  text        NOT NULL CHECK (trigger_source IN ('scheduler', 'manual', 'auto-reschedule')),
      params          jsonb       NOT NULL DEFAULT '{}'::jsonb,
      workflow_id     text        NOT NULL,
      workflow_run_id text        NOT NULL,
      slot            integer,
      started_at      timestamptz NOT NULL DEFAULT now(),
      ended_at        timestamptz,
      status          text        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'timed_out', 'skipped')),
      error           text,
      next_delay_sec  integer,
      summary         text
    )`.execute(db);
  await sql`CREATE INDEX job_runs_job_started ON job_runs (scope, job_id, started_at DESC)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS job_runs`.execute(db);
}
