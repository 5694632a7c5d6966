import { type Kysely, sql } from 'kysely';

/**
 * Runs reported from outside (seed 002's `POST /jobs/{job_id}/last-run`, a worker that is not one of
 * this project's Temporal workers): trigger_source 'external', and no workflow behind them, so the
 * workflow columns may be empty.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE job_runs
      DROP CONSTRAINT IF EXISTS job_runs_trigger_source_check,
      ADD CONSTRAINT job_runs_trigger_source_check CHECK (trigger_source IN ('scheduler', 'manual', 'auto-reschedule', 'external')),
      ALTER COLUMN workflow_id DROP NOT NULL,
      ALTER COLUMN workflow_run_id DROP NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM job_runs WHERE trigger_source = 'external' OR workflow_id IS NULL OR workflow_run_id IS NULL`.execute(db);
  await sql`
    ALTER TABLE job_runs
      DROP CONSTRAINT IF EXISTS job_runs_trigger_source_check,
      ADD CONSTRAINT job_runs_trigger_source_check CHECK (trigger_source IN ('scheduler', 'manual', 'auto-reschedule')),
      ALTER COLUMN workflow_id SET NOT NULL,
      ALTER COLUMN workflow_run_id SET NOT NULL`.execute(db);
}
