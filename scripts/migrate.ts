/** npm run migrate: brings the database to the latest schema (kysely migrations in db/migrations). */
import { loadConfig, requireDatabaseUrl } from '../config/env';
import { logger } from '../config/logger';
import { createDb } from '../db/database';
import { migrateToLatest } from '../db/migrate';

async function main(): Promise<void> {
  const db = createDb(requireDatabaseUrl(loadConfig()), 2);
  try {
    const { applied } = await migrateToLatest(db);
    logger.info({ applied }, applied.length ? 'migrations applied' : 'database schema is up to date');
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  logger.fatal({ err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
});
