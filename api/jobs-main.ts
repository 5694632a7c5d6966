/**
 * Entry point of the jobs REST API and the operations page (/admin) alone: `npm run jobs-api` (API_TOKEN required; `npm run dev` starts
 * it too). Listens on JOBS_API_HOST:JOBS_API_PORT; reads and writes jobs/catalog.json and applies it
 * to each scope's namespace, like `npm run jobs`.
 */
import { Client } from '@temporalio/client';
import { connectTemporalClient } from '../client/connection';
import { ConfigError, loadConfig } from '../config/env';
import { logger } from '../config/logger';
import { createDb } from '../db/database';
import { jobsNamespace } from '../jobs/namespaces';
import { operatorDatabaseUrl } from '../config/database-url';
import { systemClock } from '../shared/clock';
import { adminRoutes } from './admin-routes';
import { closeOnSignals } from './http';
import { startJobsApi } from './jobs-api';

async function main(): Promise<void> {
  const cfg = loadConfig();
  if (!cfg.API_TOKEN) throw new ConfigError(['API_TOKEN: required by the jobs API outside `npm run dev` (a random string of 16 characters or more)']);
  const connection = await connectTemporalClient(cfg);
  const clients = { real: new Client({ connection, namespace: jobsNamespace(cfg, 'real') }), mock: new Client({ connection, namespace: jobsNamespace(cfg, 'mock') }) };
  // Without DATABASE_URL: the database of a running `npm run dev`, as `npm run jobs` does.
  const db = createDb(operatorDatabaseUrl(cfg.DATABASE_URL), 4);
  // The operations page and the collection-log API (api/admin-routes.ts) read the collection namespace.
  const collection = new Client({ connection, namespace: cfg.TEMPORAL_NAMESPACE });
  const extraRoutes = adminRoutes({ db, client: collection, cfg, now: systemClock, token: cfg.API_TOKEN });
  const server = await startJobsApi({ cfg, clientFor: (scope) => clients[scope], db, token: cfg.API_TOKEN, extraRoutes });
  logger.info({ url: server.url }, 'jobs API listening');
  closeOnSignals(async () => {
    await server.close();
    await db.destroy();
    await connection.close();
  });
}

main().catch((err) => {
  logger.fatal({ err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
});
