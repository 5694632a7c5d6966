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
import { type Clock, systemClock } from '../shared/clock';
import type { CollectionMetrics } from '../workers/collection-metrics';
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
  /**
   * What time it is, for every decision that depends on the calendar or the hour: "today" in Korea,
   * publication times, DART's maintenance window, the quota day, recorded timestamps. Tests pin it;
   * durations and pacing keep reading the real clock.
   */
  now: Clock;
  /** The collection worker's Prometheus metrics, when it serves them (workers/collection-metrics.ts: withCollectionMetrics). */
  metrics?: CollectionMetrics;
}

export function createActivityDeps(cfg: AppConfig, opts: { now?: Clock } = {}): ActivityDeps {
  const now = opts.now ?? systemClock;
  const { db, pool } = createPooledDb(requireDatabaseUrl(cfg), {
    max: cfg.WORKER_MAX_CONCURRENT_ACTIVITIES + 2,
    connectionWaitMs: cfg.DB_POOL_WAIT_MS,
    onIdleError: (err) => logger.warn({ err: err.message }, 'an idle PostgreSQL connection was closed'),
  });
  return {
    db,
    dbPool: pool,
    cfg,
    sources: new SourceClients(cfg, db, now),
    priceSource: PRICE_SOURCE_ID,
    redis: cfg.REDIS_URL ? new Redis(cfg.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 }) : null,
    now,
  };
}

export async function closeActivityDeps(deps: ActivityDeps): Promise<void> {
  await deps.db.destroy();
  deps.redis?.disconnect();
}
