/**
 * Seed 001 Part 3.4's "DB connection pool exhausted" (critical): the worker samples its own
 * PostgreSQL pool and raises an alert when every connection has been in use, with callers
 * queued behind them, for DB_POOL_ALERT_AFTER_MS without a break. Activities then fail after
 * DB_POOL_WAIT_MS and are retried by Temporal, so nothing is lost, but the operator must hear
 * of it: a leak or a stuck query is the usual cause, and it does not heal by itself.
 *
 * The alert is written through a connection of its own, opened for it, because the pool it is
 * about has none to give.
 */
import type { Pool } from 'pg';
import type { AppConfig } from '../config/env';
import { requireDatabaseUrl } from '../config/env';
import type { Logger } from '../config/logger';
import { createDb } from '../db/database';
import { raiseAlert } from '../db/alerts';

/** What the watch reads of pg's Pool. */
export interface PoolGauge {
  totalCount: number;
  waitingCount: number;
}

export interface PoolExhaustion {
  max: number;
  waiting: number;
  forMs: number;
}

export interface DbPoolWatchOptions {
  pool: PoolGauge;
  max: number;
  alertAfterMs: number;
  /** Default a fifth of alertAfterMs, at most 5 s. */
  sampleMs?: number;
  /** Called once per episode: a pool that recovers and fills up again is a new episode. */
  onExhausted: (e: PoolExhaustion) => Promise<void>;
  onError?: (err: Error) => void;
}

export function watchDbPool(o: DbPoolWatchOptions): { stop(): void } {
  let fullSince: number | undefined;
  let raised = false;
  const sample = () => {
    const now = Date.now();
    if (o.pool.waitingCount > 0 && o.pool.totalCount >= o.max) {
      fullSince ??= now;
      if (!raised && now - fullSince >= o.alertAfterMs) {
        raised = true;
        o.onExhausted({ max: o.max, waiting: o.pool.waitingCount, forMs: now - fullSince }).catch((e: unknown) => o.onError?.(e as Error));
      }
    } else {
      fullSince = undefined;
      raised = false;
    }
  };
  const timer = setInterval(sample, o.sampleMs ?? Math.min(5_000, Math.max(10, Math.floor(o.alertAfterMs / 5))));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** The alert of an exhausted pool, written through a one-connection pool opened for it. */
export function raisePoolExhaustedAlert(databaseUrl: string, processName: string, dedupeWindowMin?: number) {
  return async (e: PoolExhaustion): Promise<void> => {
    const db = createDb(databaseUrl, 1);
    try {
      await raiseAlert(db, {
        alertType: 'db_pool_exhausted',
        severity: 'critical',
        title: `[DB 커넥션 풀 고갈] ${processName}`,
        message:
          `all ${e.max} connections of the ${processName} pool in use, with ${e.waiting} callers queued, for ${Math.round(e.forMs / 1000)} s. ` +
          'Activities waiting longer than DB_POOL_WAIT_MS fail and are retried; look in pg_stat_activity for long-running or idle-in-transaction sessions of this application.',
        source: 'postgres',
        dedupeKey: `db_pool_exhausted|${processName}`,
        dedupeWindowMin,
      });
    } finally {
      await db.destroy();
    }
  };
}

/** A worker process's watch over its own pool, with the settings of its configuration. */
export function watchWorkerPool(pool: Pool, processName: string, cfg: AppConfig, logger: Logger): { stop(): void } {
  return watchDbPool({
    pool,
    max: pool.options.max,
    alertAfterMs: cfg.DB_POOL_ALERT_AFTER_MS,
    onExhausted: raisePoolExhaustedAlert(requireDatabaseUrl(cfg), processName, cfg.ALERT_DEDUPE_WINDOW_MIN),
    onError: (err) => logger.error({ err: err.message }, 'the pool-exhausted alert could not be recorded'),
  });
}
