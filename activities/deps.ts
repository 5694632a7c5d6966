/**
 * What activities need from the outside world, built once per worker process from its own
 * environment. Secrets (API keys) are read here and stay inside the worker.
 */
import Redis from 'ioredis';
import type { Pool } from 'pg';
import type { AppConfig } from '../config/env';
import { requireDatabaseUrl } from '../config/env';
import { logger } from '../config/logger';
import { createPooledDb, type Db } from '../db/database';
import { PRICE_SOURCE_ID } from '../sources/datagokr/stock-price-info';
import { SourceClients } from './source-clients';

export interface ActivityDeps {
  db: Db;
  /** The pool behind `db`, watched for exhaustion by the worker (workers/db-pool-watch.ts). */
  dbPool: Pool;
  cfg: AppConfig;
  /** Every source's client, built on first use; see activities/source-clients.ts. */
  sources: SourceClients;
  priceSource: string;
  redis: Redis | null;
  /** The environment child processes inherit (the LLM keys of the pipeline command); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export function createActivityDeps(cfg: AppConfig): ActivityDeps {
  const { db, pool } = createPooledDb(requireDatabaseUrl(cfg), {
    max: cfg.WORKER_MAX_CONCURRENT_ACTIVITIES + 2,
    connectionWaitMs: cfg.DB_POOL_WAIT_MS,
    onIdleError: (err) => logger.warn({ err: err.message }, 'an idle PostgreSQL connection was closed'),
  });
  return {
    db,
    dbPool: pool,
    cfg,
    sources: new SourceClients(cfg, db),
    priceSource: PRICE_SOURCE_ID,
    redis: cfg.REDIS_URL ? new Redis(cfg.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 }) : null,
  };
}

export async function closeActivityDeps(deps: ActivityDeps): Promise<void> {
  await deps.db.destroy();
  deps.redis?.disconnect();
}
