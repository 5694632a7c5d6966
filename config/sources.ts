/**
 * Keys, base URLs and limits of every external source (issue 3), read from the worker's
 * environment only. Limits a vendor does not publish are marked UNCONFIRMED and are settings.
 * README "Data sources" lists the same table.
 */
import { z } from 'zod';

const secret = z.string().trim().optional().transform((v) => (v === '' ? undefined : v));
const rps = (d: number) => z.coerce.number().positive().max(1000).default(d);
const perDay = (d: number) => z.coerce.number().int().min(1).default(d);

export const sourcesEnv = {
  /** real: the vendors' APIs with the keys below; mock: every source is the simulator. Default: real when DATAGOKR_API_KEY is set. */
  DATA_SCOPE: z.enum(['real', 'mock']).optional(),
  SOURCE_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),

  DART_API_KEY: secret,
  DART_BASE_URL: z.url().default('https://opendart.fss.or.kr/'),
  // Seed 001: 1 req/s. DART itself only warns at ~1,000 a minute (UNCONFIRMED per second).
  DART_RPS: rps(1),
  DART_DAILY_QUOTA: perDay(20_000),

  FSS_API_KEY: secret,
  FINLIFE_BASE_URL: z.url().default('https://finlife.fss.or.kr'),
  FSS_RPS: rps(1),
  // UNCONFIRMED: finlife has a daily cap (err_cd 020) but publishes no number.
  FSS_DAILY_QUOTA: perDay(10_000),

  // DATAGOKR_API_KEY, DATAGOKR_BASE_URL and DATAGOKR_RPS live in config/env.ts (the price chain came first).
  /** Per data.go.kr API (development accounts: 10,000 a day each). */
  DATAGOKR_DAILY_QUOTA: perDay(10_000),

  KRX_ID: secret,
  KRX_PW: secret,
  KRX_DATA_BASE_URL: z.url().default('https://data.krx.co.kr'),
  // No published limit; KRX closed the portal over bot load, so stay at one call a second.
  KRX_RPS: rps(1),

  KRX_OPENAPI_KEY: secret,
  /** Where the weekly listing and ETF loads read from; unset: openapi with KRX_OPENAPI_KEY or in mock scope, else portal (activities/listings.ts). */
  KRX_LISTING_SOURCE: z.enum(['portal', 'openapi']).optional(),
  KRX_OPENAPI_BASE_URL: z.url().default('https://data-dbg.krx.co.kr'),
  KRX_OPENAPI_RPS: rps(1),
  KRX_OPENAPI_DAILY_QUOTA: perDay(10_000),

  YAHOO_BASE_URL: z.url().default('https://query1.finance.yahoo.com'),
  YAHOO_RPS: rps(1),

  ALPHAVANTAGE_API_KEY: secret,
  ALPHAVANTAGE_BASE_URL: z.url().default('https://www.alphavantage.co'),
  // Free tier: 25 calls a day and 5 a minute.
  ALPHAVANTAGE_RPS: rps(5 / 60),
  ALPHAVANTAGE_DAILY_QUOTA: perDay(25),
};
