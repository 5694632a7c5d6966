import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Db } from './database';
import * as m001 from './migrations/2026_11_22_001_daily_collection';
import * as m002 from './migrations/2026_11_22_002_keyword_frequency';
import * as m003 from './migrations/2026_11_22_003_source_quota';
import * as m004 from './migrations/2026_11_22_004_financial_statement';
import * as m005 from './migrations/2026_11_22_005_job_runs';
import * as m006 from './migrations/2026_11_22_006_listings_and_products';
import * as m007 from './migrations/2026_11_22_007_score_checks_alerts';
import * as m008 from './migrations/2026_11_22_008_emails_watchlists';
import * as m009 from './migrations/2026_11_22_009_job_runs_external';
import * as m010 from './migrations/2026_11_22_010_rate_slot_last_sent';

/**
 * Migrations are listed here rather than read from the folder, so that the same list works
 * under tsx, jest and a compiled build. Add each new file to this map, in name order.
 */
const migrations: Record<string, Migration> = {
  '2026_11_22_001_daily_collection': m001,
  '2026_11_22_002_keyword_frequency': m002,
  '2026_11_22_003_source_quota': m003,
  '2026_11_22_004_financial_statement': m004,
  '2026_11_22_005_job_runs': m005,
  '2026_11_22_006_listings_and_products': m006,
  '2026_11_22_007_score_checks_alerts': m007,
  '2026_11_22_008_emails_watchlists': m008,
  '2026_11_22_009_job_runs_external': m009,
  '2026_11_22_010_rate_slot_last_sent': m010,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export interface MigrationReport {
  applied: string[];
  pending: number;
}

export async function migrateToLatest(db: Db): Promise<MigrationReport> {
  // Unordered: parts of the schema are written in parallel, and a database that already has a later
  // migration must still take an earlier one added after it. Each migration stands on its own.
  const migrator = new Migrator({ db, provider, migrationTableName: 'compass_migrations', migrationLockTableName: 'compass_migrations_lock', allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { applied: (results ?? []).map((r) => r.migrationName), pending: 0 };
}
