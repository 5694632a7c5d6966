/**
 * Configuration from the environment (and `.env` when present), validated once at start.
 * Every variable is documented in .env.example; a wrong or missing value stops the process
 * with one line per problem instead of failing later in the middle of a run.
 */
import fs from 'node:fs';
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import { counterpartyRiskEnv } from './counterparty-risk';
import { sourcesEnv } from './sources';
import { splitCommandLine } from './command-line';
import { DEFAULT_TASK_QUEUES, WORKER_ROLES, type WorkerRole } from '../shared/task-queues';

loadDotenv({ quiet: true });

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || protocols.some((p) => v.startsWith(p)), {
      message: `must start with ${protocols.join(' or ')}`,
    });

const hhmm = z.string().trim().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');

const optionalText = z.string().trim().optional().transform((v) => (v === '' ? undefined : v));

const UNREADABLE: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'a directory, not a file' };

/** A PEM file read when connecting to Temporal: it must exist, be readable, and hold a `-----BEGIN <label>-----` block. */
const pemFile = (label: RegExp, what: string) =>
  optionalText.superRefine((file, ctx) => {
    if (file === undefined) return;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      ctx.addIssue({ code: 'custom', message: `cannot read ${file}: ${UNREADABLE[code] ?? (err as Error).message}` });
      return;
    }
    if (!label.test(text)) ctx.addIssue({ code: 'custom', message: `${file} is not a PEM ${what}` });
  });
const pemCertificate = pemFile(/-----BEGIN CERTIFICATE-----/, 'certificate (no -----BEGIN CERTIFICATE----- line)');

const schema = z.object({
  TEMPORAL_ADDRESS: z.string().regex(/^[\w.-]+:\d+$/, 'must be host:port').default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  // Task queues by role (shared/task-queues.ts, README "Which processes run where"): TEMPORAL_TASK_QUEUE is the collection queue.
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUES.collection),
  TEMPORAL_TASK_QUEUE_REPORTS: z.string().min(1).default(DEFAULT_TASK_QUEUES.reports),
  TEMPORAL_TASK_QUEUE_OPS: z.string().min(1).default(DEFAULT_TASK_QUEUES.ops),
  // The roles a worker process serves (one Worker each, on the role's queue); all three by default, as in dev.
  WORKER_ROLES: z
    .string()
    .default(WORKER_ROLES.join(','))
    .transform((v) => [...new Set(v.split(',').map((s) => s.trim()).filter(Boolean))])
    .superRefine((roles, ctx) => {
      const unknown = roles.filter((r) => !(WORKER_ROLES as readonly string[]).includes(r));
      if (unknown.length > 0 || roles.length === 0) {
        ctx.addIssue({ code: 'custom', message: `${unknown.length ? `unknown role ${unknown.join(', ')}: ` : ''}must list ${WORKER_ROLES.join(', ')} (one or more, comma-separated)` });
      }
    })
    .transform((v) => v as WorkerRole[]),
  // A real cluster (README "Production"): mTLS client pair, the server's CA and name, TLS with the system roots, an API key.
  // Any of them turns TLS on; client/connection-options.ts turns them into the options of every connection.
  TEMPORAL_TLS_CERT: pemCertificate,
  TEMPORAL_TLS_KEY: pemFile(/-----BEGIN (RSA |EC )?PRIVATE KEY-----/, 'private key (no -----BEGIN PRIVATE KEY----- line; an encrypted key must be decrypted first)'),
  TEMPORAL_TLS_CA: pemCertificate,
  TEMPORAL_TLS_SERVER_NAME: optionalText.refine((v) => v === undefined || /^[A-Za-z0-9.-]+$/.test(v), { message: 'must be a host name, e.g. temporal.internal' }),
  TEMPORAL_TLS: bool.optional(),
  // A secret: sent as `authorization: Bearer …`, never logged, never in an error.
  TEMPORAL_API_KEY: optionalText.refine((v) => v === undefined || !/\s/.test(v), { message: 'must be one token, without spaces or line breaks' }),
  // The Temporal Web UI, for the operations page's links to runs (npm run dev's UI is on 8233).
  TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233').transform((v) => v.replace(/\/+$/, '')),
  DATABASE_URL: optionalUrl(['postgres://', 'postgresql://']),
  REDIS_URL: optionalUrl(['redis://', 'rediss://']),
  DATAGOKR_BASE_URL: z.url().default('https://apis.data.go.kr'),
  DATAGOKR_API_KEY: z.string().trim().optional().transform((v) => (v === '' ? undefined : v)),
  DATAGOKR_PAGE_SIZE: z.coerce.number().int().min(100).max(10_000).default(3000),
  DATAGOKR_RPS: z.coerce.number().positive().max(1000).default(20),
  DATAGOKR_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  PRICE_BACKFILL_DAYS: z.coerce.number().int().min(1).max(20 * 366).default(1825),
  CACHE_INVALIDATE_PATTERNS: z
    .string()
    .default('compass:score:*,compass:price:*')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
  SIMULATOR_URL: optionalUrl(['http://', 'https://']),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  LOG_PRETTY: bool.default(false),
  WORKFLOW_BUNDLE_PATH: z.string().trim().optional().transform((v) => (v === '' ? undefined : v)),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(200).default(8),
  // Seed 001 Part 3.5: one heavy job at a time, across every chain and worker (activities/heavy-work.ts).
  HEAVY_WORK_SLOTS: z.coerce.number().int().min(1).max(16).default(1),
  // Keys, base URLs and limits of the other sources: config/sources.ts.
  ...sourcesEnv,
  // Counterparty-risk report (seed 004): config/counterparty-risk.ts.
  ...counterpartyRiskEnv,
  // Daily analysis pipeline (seed 000). The command runs without a shell; see config/command-line.ts.
  PIPELINE_COMMAND: z
    .string()
    .default('python -m datapipeline.run --backend live --market KR')
    .refine((v) => parsesAsCommand(v), { message: 'must be a program and its arguments, with balanced quotes' })
    .transform((v) => splitCommandLine(v)),
  PIPELINE_CWD: z.string().trim().optional().transform((v) => (v === '' ? undefined : v)),
  // At most 25 minutes, so two attempts and the post-processing fit in the schedule's 1-hour run timeout.
  PIPELINE_TIMEOUT_SEC: z.coerce.number().int().min(1).max(1500).default(600),
  PIPELINE_KILL_GRACE_SEC: z.coerce.number().int().min(1).max(60).default(10),
  PIPELINE_REQUIRED_ENV: z
    .string()
    .default('OPENAI_API_KEY,ANTHROPIC_API_KEY')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
  PIPELINE_CACHE_PATTERNS: z
    .string()
    .default('compass:keyword:*,compass:pipeline:*')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
  // Service jobs (seed 002): one namespace per scope, and the scopes a jobs worker process serves.
  JOBS_NAMESPACE_REAL: z.string().min(1).default('compass-jobs-real'),
  JOBS_NAMESPACE_MOCK: z.string().min(1).default('compass-jobs-mock'),
  JOBS_SCOPES: z
    .string()
    .default('real,mock')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .refine((v) => v.length > 0 && v.every((s) => s === 'real' || s === 'mock'), { message: 'must list real and/or mock, comma-separated' })
    .transform((v) => v as Array<'real' | 'mock'>),
  // The jobs REST API (seed 002 §8, `npm run jobs-api`; the token is API_TOKEN, as for the report API).
  JOBS_API_HOST: z.string().trim().min(1).default('127.0.0.1'),
  JOBS_API_PORT: z.coerce.number().int().min(0).max(65535).default(9095),
  // Prometheus: job metrics and (merged in) the Temporal SDK's, on METRICS_PORT; the SDK's own exporter listens on METRICS_SDK_PORT.
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  METRICS_SDK_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
  // The collection worker's own metrics (rows, source requests and failures, quotas, activity latency: workers/collection-metrics.ts).
  COLLECTION_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9466),
  // Where both metrics endpoints listen: loopback by default, 0.0.0.0 in a container that Prometheus scrapes from outside.
  METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  // Compass Score (README "Compass Score"): the fewest axes a total may stand on, and the batch fail rate that raises a warning alert.
  SCORE_MIN_AXES: z.coerce.number().int().min(1).max(4).default(2),
  SCORE_FAIL_ALERT_RATE: z.coerce.number().min(0).max(1).default(0.3),
  // ops_alert: an identical open alert within this many minutes is counted again, not inserted again.
  ALERT_DEDUPE_WINDOW_MIN: z.coerce.number().int().min(1).default(60),
  // A source that has failed transiently (5xx, timeout, reset) on this many attempts of one activity in a row raises a
  // warning (seed 001 Part 3.4: "KRX server not responding"); retries go on. 0 turns it off.
  SOURCE_DOWN_ALERT_ATTEMPTS: z.coerce.number().int().min(0).default(3),
  // Seconds between retries after a network error (refused, reset, DNS; seed 001 Part 3.3: 10 s). 5xx and timeouts back off 30/60/120 s.
  SOURCE_NETWORK_RETRY_SEC: z.coerce.number().positive().max(3600).default(10),
  // The worker's PostgreSQL pool: how long an activity waits for a connection before failing (retryably), and how long
  // callers may queue on a full pool before a critical "pool exhausted" alert (seed 001 Part 3.4).
  DB_POOL_WAIT_MS: z.coerce.number().int().min(100).default(60_000),
  DB_POOL_ALERT_AFTER_MS: z.coerce.number().int().min(100).default(30_000),
  // Blocking data checks (checks/): what each data group must show before its dependents run.
  CHECK_PRICE_COVERAGE: z.coerce.number().min(0).max(1).default(0.95),
  CHECK_STOCKS_MIN: z.coerce.number().int().min(0).default(2500),
  CHECK_STOCKS_MAX: z.coerce.number().int().min(0).default(3500),
  CHECK_ETFS_MIN: z.coerce.number().int().min(0).default(400),
  CHECK_FINANCIALS_COVERAGE: z.coerce.number().min(0).max(1).default(0.8),
  CHECK_BONDS_MIN: z.coerce.number().int().min(0).default(10000),
  CHECK_DIVIDENDS_MIN: z.coerce.number().int().min(0).default(100),
  CHECK_SCORE_COVERAGE: z.coerce.number().min(0).max(1).default(0.7),
  // Emails and operations alerts (issue 6, README "Emails and alerts"). Without SMTP_URL, messages go to OUTBOX_DIR as .eml files.
  SMTP_URL: optionalUrl(['smtp://', 'smtps://']),
  EMAIL_FROM: z.string().trim().min(3).default('Compass <no-reply@compass.local>'),
  OUTBOX_DIR: z.string().trim().min(1).default('.data/outbox'),
  ALERT_EMAIL_TO: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
  ALERT_WEBHOOK_URL: optionalUrl(['http://', 'https://']),
  // Watchlist alerts: a stock is listed when its Compass Score moved by at least this many points.
  WATCHLIST_ALERT_THRESHOLD: z.coerce.number().positive().max(100).default(5),
  // Watchdog: how long after a slot (past its catch-up window) a run may still appear; when a run counts as late or stuck.
  WATCHDOG_LOOKBACK_HOURS: z.coerce.number().positive().max(24 * 14).default(26),
  WATCHDOG_START_GRACE_SEC: z.coerce.number().int().min(0).default(120),
  WATCHDOG_LATE_START_MIN: z.coerce.number().min(0).default(10),
  WATCHDOG_STUCK_RATIO: z.coerce.number().positive().max(1).default(0.5),
  // Deadlines, HH:MM in Asia/Seoul: today's prices (trading days), the score before the market email, the counterparty report.
  WATCHDOG_PRICES_DEADLINE: hhmm.default('17:30'),
  WATCHDOG_SCORE_DEADLINE: hhmm.default('07:30'),
  WATCHDOG_REPORT_DEADLINE: hhmm.default('08:30'),
  // Watchdog: warn this many days before calendar/krx-holidays.json runs out (critical once it has).
  CALENDAR_ALERT_DAYS: z.coerce.number().int().min(0).default(60),
}).superRefine(temporalTlsPairing, { when: () => true }); // also when other fields are wrong: one line per problem, all at once

const NEEDS_TLS = ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CA', 'TEMPORAL_TLS_SERVER_NAME', 'TEMPORAL_API_KEY'] as const;

/** The Temporal settings that only make sense together. */
function temporalTlsPairing(v: Partial<Record<(typeof NEEDS_TLS)[number], string>> & { TEMPORAL_TLS?: boolean }, ctx: z.RefinementCtx): void {
  const problem = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
  if (v.TEMPORAL_TLS_CERT && !v.TEMPORAL_TLS_KEY) problem('TEMPORAL_TLS_KEY', 'required with TEMPORAL_TLS_CERT (the client certificate\'s private key)');
  if (v.TEMPORAL_TLS_KEY && !v.TEMPORAL_TLS_CERT) problem('TEMPORAL_TLS_CERT', 'required with TEMPORAL_TLS_KEY (the certificate of that private key)');
  const set = NEEDS_TLS.filter((k) => v[k]);
  if (v.TEMPORAL_TLS === false && set.length > 0) {
    problem('TEMPORAL_TLS', `is false, but ${set.join(', ')} ${set.length > 1 ? 'need' : 'needs'} TLS: drop TEMPORAL_TLS=false or ${set.length > 1 ? 'them' : 'it'}`);
  }
}

function parsesAsCommand(v: string): boolean {
  try {
    return splitCommandLine(v).length > 0;
  } catch {
    return false;
  }
}

export type AppConfig = z.infer<typeof schema> & {
  /** DATA_SCOPE, else 'real' when a data.go.kr key is configured; 'mock' when the simulator stands in for every source. */
  scope: 'real' | 'mock';
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example.`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const cfg = parsed.data;
  const scope = cfg.DATA_SCOPE ?? (cfg.DATAGOKR_API_KEY ? 'real' : 'mock');
  return { ...cfg, scope };
}

/** Database URL, required by every process that touches PostgreSQL. */
export function requireDatabaseUrl(cfg: AppConfig): string {
  if (!cfg.DATABASE_URL) {
    throw new ConfigError(['DATABASE_URL: required (npm run dev sets it to its embedded PostgreSQL)']);
  }
  return cfg.DATABASE_URL;
}
