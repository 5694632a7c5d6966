import { type Kysely, sql } from 'kysely';

/**
 * What the daily analysis pipeline (seed 000) writes and what its post-processing refreshes:
 * the keywords found per run date and market, and `mv_keyword_frequency`, their statistics.
 * The real pipeline's schema is not in the seed; this is the shape the demo pipeline
 * (dev/pipeline-demo/run.js) writes, enough for the view and its CONCURRENTLY refresh.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE pipeline_keyword (
      run_date   date    NOT NULL,
      market     text    NOT NULL,
      keyword    text    NOT NULL,
      mentions   integer NOT NULL CHECK (mentions >= 0),
      source     text    NOT NULL,
      written_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (run_date, market, keyword)
    )`.execute(db);

  await sql`
    CREATE MATERIALIZED VIEW mv_keyword_frequency AS
    SELECT market,
           keyword,
           sum(mentions)::bigint     AS mentions,
           count(*)::integer         AS run_days,
           min(run_date)             AS first_seen,
           max(run_date)             AS last_seen
      FROM pipeline_keyword
     GROUP BY market, keyword`.execute(db);
  // REFRESH MATERIALIZED VIEW CONCURRENTLY refuses a view without a unique index.
  await sql`CREATE UNIQUE INDEX mv_keyword_frequency_key ON mv_keyword_frequency (market, keyword)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP MATERIALIZED VIEW IF EXISTS mv_keyword_frequency`.execute(db);
  await sql`DROP TABLE IF EXISTS pipeline_keyword`.execute(db);
}
