/**
 * What activities need from the outside world, built once per worker process from its own
 * environment. Secrets (API keys) are read here and stay inside the worker.
 */
import Redis from 'ioredis';
import type { AppConfig } from '../config/env';
import { requireDatabaseUrl } from '../config/env';
import { createDb, type Db } from '../db/database';
import { RequestPacer } from '../sources/http';
import { PRICE_SOURCE_ID, StockPriceInfoClient } from '../sources/datagokr/stock-price-info';

/** The simulator's key; not a secret, and refused by the real API. */
export const SIMULATOR_DATAGOKR_KEY = 'sim-datagokr-key';

export interface ActivityDeps {
  db: Db;
  cfg: AppConfig;
  prices: StockPriceInfoClient;
  priceSource: string;
  redis: Redis | null;
  /** The environment child processes inherit (the LLM keys of the pipeline command); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export function priceClientFor(cfg: AppConfig): StockPriceInfoClient {
  const mock = cfg.scope === 'mock';
  if (mock && !cfg.SIMULATOR_URL) {
    throw new Error('no DATAGOKR_API_KEY and no SIMULATOR_URL: set one (npm run dev sets SIMULATOR_URL)');
  }
  return new StockPriceInfoClient({
    baseUrl: mock ? cfg.SIMULATOR_URL! : cfg.DATAGOKR_BASE_URL,
    serviceKey: mock ? SIMULATOR_DATAGOKR_KEY : cfg.DATAGOKR_API_KEY!,
    pageSize: cfg.DATAGOKR_PAGE_SIZE,
    timeoutMs: cfg.DATAGOKR_TIMEOUT_MS,
    pacer: new RequestPacer(cfg.DATAGOKR_RPS),
  });
}

export function createActivityDeps(cfg: AppConfig): ActivityDeps {
  return {
    db: createDb(requireDatabaseUrl(cfg), cfg.WORKER_MAX_CONCURRENT_ACTIVITIES + 2),
    cfg,
    prices: priceClientFor(cfg),
    priceSource: PRICE_SOURCE_ID,
    redis: cfg.REDIS_URL ? new Redis(cfg.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 }) : null,
  };
}

export async function closeActivityDeps(deps: ActivityDeps): Promise<void> {
  await deps.db.destroy();
  deps.redis?.disconnect();
}
