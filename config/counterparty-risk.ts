/**
 * Environment of the counterparty-risk report (seed 004), merged into config/env.ts. Defaults
 * are the seed's own (TZ, REPORT_CRON, CACHE_DIR, WORK_DIR, DB_STABLE_WINDOW_SEC, DB_RETRY,
 * DB_RETRY_INTERVAL_SEC, CACHE_RETENTION_DAYS); the rest are this project's.
 */
import { z } from 'zod';
import { isValidTimeZone } from '../calendar/time-zone';
import { cronProblems } from '../schedules/cron';

const optionalString = z.string().trim().optional().transform((v) => (v === '' ? undefined : v));
const flag = z.enum(['1', '0', 'true', 'false', 'yes', 'no']).transform((v) => v === '1' || v === 'true' || v === 'yes');

export const counterpartyRiskEnv = {
  /** The report's time zone: the schedule's, and the one "today" and file time stamps are read in. */
  TZ: z.string().trim().default('Asia/Seoul').refine(isValidTimeZone, { message: 'must be an IANA time zone such as Asia/Seoul' }),
  REPORT_CRON: z.string().trim().default('0 8 * * *').superRefine((v, ctx) => {
    for (const message of cronProblems(v)) ctx.addIssue({ code: 'custom', message });
  }),
  /** 0: the report schedule is kept paused; reports are made only on demand (API recompute, GET without cache). */
  ENABLE_SCHEDULER: flag.default(true),
  /** The SalesMap SQLite file the report reads. Unset under `npm run dev`: a generated demo DB in .data/. */
  SALESMAP_DB_PATH: optionalString,
  CACHE_DIR: z.string().trim().min(1).default('report_cache'),
  WORK_DIR: z.string().trim().min(1).default('report_work'),
  DB_STABLE_WINDOW_SEC: z.coerce.number().int().min(0).max(86_400).default(180),
  DB_RETRY: z.coerce.number().int().min(1).max(1000).default(10),
  DB_RETRY_INTERVAL_SEC: z.coerce.number().int().min(1).max(3600).default(30),
  CACHE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(14),
  /** OpenAI-compatible API root, e.g. https://api.openai.com/v1. Unset: rule-based text (SUCCESS_WITH_FALLBACK). */
  LLM_BASE_URL: optionalString.refine((v) => v === undefined || /^https?:\/\//.test(v), { message: 'must start with http:// or https://' }),
  LLM_API_KEY: optionalString,
  LLM_MODEL: z.string().trim().min(1).default('gpt-4o-mini'),
  LLM_TIMEOUT_SEC: z.coerce.number().int().min(1).max(600).default(60),
  /** Bearer token of the report API. Required by `npm run api`; `npm run dev` generates one when unset. */
  API_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, { message: 'must be at least 16 characters' }),
  API_HOST: z.string().trim().min(1).default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** How long GET waits for a report it had to generate before serving the last success as stale. */
  API_GENERATE_WAIT_SEC: z.coerce.number().int().min(1).max(3600).default(420),
};
