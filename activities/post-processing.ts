/**
 * Post-processing after fresh data (prices and scores, or the analysis pipeline's keywords):
 * drop the cached answers that are now stale, and refresh the materialized views built on
 * that data. Both are safe to repeat, and both chains use them.
 */
import { heartbeat, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { sql } from 'kysely';
import type { Database } from '../db/schema';
import type { ActivityDeps } from './deps';
import { withHeavySlot } from './heavy-work';
import { withStepLog } from './step-log';

export const PRICE_MATERIALIZED_VIEWS = ['mv_market_daily_summary', 'mv_stock_price_52w'] as const satisfies readonly (keyof Database)[];
/** Built on the analysis pipeline's keywords (seed 000). */
export const KEYWORD_MATERIALIZED_VIEWS = ['mv_keyword_frequency'] as const satisfies readonly (keyof Database)[];
/** The views a run may ask to refresh: a name from workflow input never reaches SQL unchecked. */
const KNOWN_VIEWS: readonly string[] = [...PRICE_MATERIALIZED_VIEWS, ...KEYWORD_MATERIALIZED_VIEWS];

/** Which configured pattern list a run deletes when it gives none itself. */
export type CachePatternSet = 'collection' | 'pipeline';

export interface InvalidateCachesInput {
  chain: string;
  tradingDate: string;
  /** Overrides the configured patterns for this run. */
  patterns?: string[];
  /** 'collection' (default): CACHE_INVALIDATE_PATTERNS; 'pipeline': PIPELINE_CACHE_PATTERNS. */
  patternSet?: CachePatternSet;
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
      const patterns = input.patterns ?? (input.patternSet === 'pipeline' ? deps.cfg.PIPELINE_CACHE_PATTERNS : deps.cfg.CACHE_INVALIDATE_PATTERNS);
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

    /** Refreshes the given views, by default the price views (the daily collection chain's). */
    async refreshMaterializedViews(input: { chain: string; tradingDate: string; views?: string[] }): Promise<{ refreshed: string[]; ms: number }> {
      const views = input.views ?? [...PRICE_MATERIALIZED_VIEWS];
      const unknown = views.filter((v) => !KNOWN_VIEWS.includes(v));
      if (unknown.length) {
        throw ApplicationFailure.nonRetryable(`unknown materialized view(s): ${unknown.join(', ')}; known: ${KNOWN_VIEWS.join(', ')}`, 'UnknownView');
      }
      // A whole-table rewrite: heavy work under the global limit (activities/heavy-work.ts).
      return withStepLog(deps.db, { chain: input.chain, step: 'refresh-views', tradingDate: input.tradingDate }, () => withHeavySlot(deps, 'refresh-views', async () => {
        const started = Date.now();
        for (const view of views) {
          // CONCURRENTLY keeps the views readable while they refresh; it needs their unique indexes.
          // Raw: kysely has no builder for REFRESH; the name goes in as an identifier (sql.table), from KNOWN_VIEWS only.
          await sql`REFRESH MATERIALIZED VIEW CONCURRENTLY ${sql.table(view)}`.execute(deps.db);
          heartbeat({ view });
        }
        const result = { refreshed: [...views], ms: Date.now() - started };
        return { result, details: result };
      }));
    },
  };
}
