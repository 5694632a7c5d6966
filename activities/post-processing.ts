/**
 * Post-processing after fresh prices and scores: drop the cached answers that are now stale,
 * and refresh the materialized views built on prices. Both are safe to repeat.
 */
import { heartbeat, log } from '@temporalio/activity';
import { sql } from 'kysely';
import type { ActivityDeps } from './deps';
import { withStepLog } from './step-log';

export const PRICE_MATERIALIZED_VIEWS = ['mv_market_daily_summary', 'mv_stock_price_52w'] as const;

export interface InvalidateCachesInput {
  chain: string;
  tradingDate: string;
  /** Overrides CACHE_INVALIDATE_PATTERNS for this run. */
  patterns?: string[];
}

export interface InvalidateCachesResult {
  skipped: boolean;
  reason?: string;
  deleted: number;
  patterns: string[];
}

export function postProcessingActivities(deps: ActivityDeps) {
  return {
    async invalidateCaches(input: InvalidateCachesInput): Promise<InvalidateCachesResult> {
      const patterns = input.patterns ?? deps.cfg.CACHE_INVALIDATE_PATTERNS;
      return withStepLog(deps.db, { chain: input.chain, step: 'invalidate-caches', tradingDate: input.tradingDate }, async () => {
        if (!deps.redis) {
          const result = { skipped: true, reason: 'REDIS_URL is not set', deleted: 0, patterns };
          return { result, skipped: true, details: result };
        }
        if (deps.redis.status === 'wait') await deps.redis.connect();
        let deleted = 0;
        for (const pattern of patterns) {
          // SCAN walks the keyspace in small steps, so a large cache never blocks Redis the way KEYS would.
          let cursor = '0';
          do {
            const [next, keys] = await deps.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
            cursor = next;
            if (keys.length) deleted += await deps.redis.unlink(...keys);
            heartbeat({ pattern, deleted });
          } while (cursor !== '0');
        }
        log.info('cache keys unlinked', { deleted, patterns });
        const result = { skipped: false, deleted, patterns };
        return { result, rowsWritten: deleted, details: result };
      });
    },

    async refreshMaterializedViews(input: { chain: string; tradingDate: string }): Promise<{ refreshed: string[]; ms: number }> {
      return withStepLog(deps.db, { chain: input.chain, step: 'refresh-views', tradingDate: input.tradingDate }, async () => {
        const started = Date.now();
        for (const view of PRICE_MATERIALIZED_VIEWS) {
          // CONCURRENTLY keeps the views readable while they refresh; it needs their unique indexes.
          await sql`REFRESH MATERIALIZED VIEW CONCURRENTLY ${sql.table(view)}`.execute(deps.db);
          heartbeat({ view });
        }
        const result = { refreshed: [...PRICE_MATERIALIZED_VIEWS], ms: Date.now() - started };
        return { result, details: result };
      });
    },
  };
}
