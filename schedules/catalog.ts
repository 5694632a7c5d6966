/**
 * The schedule catalog: every Temporal Schedule this project owns, as typed data.
 * `npm run schedules -- apply` makes the server match it; `diff` shows what apply would do;
 * `prune` deletes managed schedules that are no longer listed here.
 *
 * Times are Asia/Seoul wall-clock times unless an entry names another `timezone` (Korea has no
 * DST, so no slot is skipped or doubled); entries built from configuration come from `catalog(cfg)`.
 * Misfires are schedule policy, not code: `catchupWindow` is APScheduler's misfire_grace_time,
 * and `overlap: 'SKIP'` is the seed's "already running → skip" lock.
 *
 * What an entry starts is typed against the workflow function (`starts`): arguments the function does not
 * take do not compile. The functions are imported as types only: the catalog loads no workflow code.
 */
import type { DayOfWeek } from '@temporalio/client';
import type { ChainName } from '../shared/chains';
import { type TaskQueueSettings, taskQueueFor } from '../shared/task-queues';
import { runStartOptions } from '../shared/workflow-run-policy';
import type { WorkflowType } from '../shared/workflow-types';
import type * as workflows from '../workflows';

export const SCHEDULE_TIMEZONE = 'Asia/Seoul';

export interface CatalogCalendar {
  /** Omitted = every day of the week. */
  dayOfWeek?: { start: DayOfWeek; end: DayOfWeek } | DayOfWeek[];
  /** Omitted = every day of the month. With dayOfWeek, both must match (Temporal ANDs the fields, unlike cron). */
  dayOfMonth?: number | { start: number; end: number };
  /** 1–12; omitted = every month. */
  month?: number[];
  hour: number;
  minute: number;
}

type Workflows = typeof workflows;

/** A workflow of workflows/index.ts and arguments its function takes, for each workflow type. */
export type ScheduledWorkflow = { [W in WorkflowType]: { workflowType: W; args: Parameters<Workflows[W]> } }[WorkflowType];

export type ScheduleEntry = ScheduleSettings & ScheduledWorkflow;

export interface ScheduleSettings {
  /** Schedule id on the server, and prefix of every workflow id it starts. */
  id: string;
  /** For humans: shown in `schedules diff`, in the schedule's memo and as its initial note. */
  description: string;
  /** The chain the runs belong to: the CompassChain search attribute. */
  chain: string;
  /** When it fires: a calendar (wall-clock time in `timezone`), or a 5-field `cron` expression; exactly one. */
  calendar?: CatalogCalendar;
  cron?: string;
  /** IANA time zone of `calendar` or `cron`. Default: Asia/Seoul. */
  timezone?: string;
  /**
   * Set (to the reason) when configuration turns the schedule off: apply creates it paused, or pauses
   * it, with a note saying why; once unset again, apply resumes it if that note is still there.
   */
  disabledReason?: string;
  /** Also skip KRX weekday holidays (calendar/krx-holidays.json). */
  skipKrxHolidays: boolean;
  /**
   * The task queue of its runs: the queue of its workflow type's role (shared/task-queues.ts), set by `catalog(cfg)`.
   * Unset (CATALOG itself, or a catalog built without queue settings), the build context's queue: tests run every entry on theirs.
   */
  taskQueue?: string;
  overlap: 'SKIP' | 'BUFFER_ONE' | 'BUFFER_ALL' | 'CANCEL_OTHER' | 'TERMINATE_OTHER' | 'ALLOW_ALL';
  /** How late a missed slot may still start after an outage (APScheduler misfire_grace_time). */
  catchupWindow: string;
  /** Bounds each run, so a stuck run cannot block later slots under SKIP: the workflow's, from workflows/policy.ts (`starts`). */
  runTimeout: string;
}

/**
 * What a schedule starts: `workflowType` with `args`, which must be the arguments its workflow function takes,
 * and the run timeout workflows/policy.ts gives its runs (chainSlot's by the chain in its input).
 */
export function starts<W extends WorkflowType>(workflowType: W, ...args: Parameters<Workflows[W]>): { workflowType: W; args: Parameters<Workflows[W]>; runTimeout: string } {
  const chain = (args[0] as { chain?: ChainName } | undefined)?.chain;
  const timeout = runStartOptions(workflowType, chain).workflowRunTimeout;
  if (timeout === undefined) throw new TypeError(`${workflowType} has no run timeout in WORKFLOW_RUN_POLICY: a scheduled run without one can hold back every later slot`);
  return { workflowType, args, runTimeout: typeof timeout === 'number' ? `${timeout}ms` : timeout };
}

export const CATALOG: ScheduleEntry[] = [
  {
    id: 'daily-collection',
    description:
      'Seed 001 daily chain: load every missing trading date of prices (data.go.kr getStockPriceInfo), check them, then the Compass Score, then cache and materialized-view post-processing.',
    chain: 'daily-collection',
    calendar: { dayOfWeek: { start: 'MONDAY', end: 'FRIDAY' }, hour: 16, minute: 30 },
    skipKrxHolidays: true,
    // chainSlot runs the chain as daily-collection-<date>: the same id an operator's rerun uses.
    ...starts('chainSlot', { chain: 'daily-collection' }),
    overlap: 'SKIP',
    catchupWindow: '1 hour',
  },
  {
    id: 'weekly-refresh',
    description:
      'Seed 001 weekly chain: KRX stock listing, stocks (crno, DART corp_code), ETFs, DART financial statements of the latest fiscal year, then the full Compass Score; each step after the data checks of the one before.',
    chain: 'weekly-refresh',
    calendar: { dayOfWeek: ['SATURDAY'], hour: 10, minute: 0 },
    skipKrxHolidays: false,
    ...starts('chainSlot', { chain: 'weekly-refresh' }),
    overlap: 'SKIP',
    // A weekend job: after an outage it is still wanted the same day.
    catchupWindow: '12 hours',
  },
  {
    id: 'monthly-products',
    description:
      'Seed 001 monthly chain: bonds (~19,000), the six FSS finlife product types, DART and FSC dividends, side by side within each source’s quota.',
    chain: 'monthly-products',
    // The first Saturday: a Saturday that is also one of the first seven days.
    calendar: { dayOfWeek: ['SATURDAY'], dayOfMonth: { start: 1, end: 7 }, hour: 13, minute: 0 },
    skipKrxHolidays: false,
    ...starts('chainSlot', { chain: 'monthly-products' }),
    overlap: 'SKIP',
    catchupWindow: '1 day',
  },
  {
    id: 'quarterly-corporate-actions',
    description: 'Seed 001 quarterly job: DART corporate actions (major-event filings) of the past quarter.',
    chain: 'quarterly-corporate-actions',
    // First Sunday of January, April, July and October, after the monthly Saturday jobs.
    calendar: { month: [1, 4, 7, 10], dayOfWeek: ['SUNDAY'], dayOfMonth: { start: 1, end: 7 }, hour: 10, minute: 0 },
    skipKrxHolidays: false,
    ...starts('chainSlot', { chain: 'quarterly-corporate-actions' }),
    overlap: 'SKIP',
    catchupWindow: '1 day',
  },
  {
    id: 'daily-pipeline',
    description:
      'Seed 000 daily analysis pipeline: run PIPELINE_COMMAND (the LangGraph pipeline), then invalidate its Redis caches and refresh mv_keyword_frequency.',
    chain: 'daily-pipeline',
    // 40 minutes after the 15:30 close, as in the seed. Weekdays only, holidays included: the seed
    // runs Monday to Friday regardless, and its news and LLM analysis has input on KRX holidays too.
    calendar: { dayOfWeek: { start: 'MONDAY', end: 'FRIDAY' }, hour: 16, minute: 10 },
    skipKrxHolidays: false,
    ...starts('dailyPipeline', {}),
    overlap: 'SKIP',
    catchupWindow: '1 hour',
  },
  {
    id: 'daily-market-email',
    description:
      'Seed 001 daily market email: the four indices, KRX advancers/decliners and top movers, Compass Score highlights, each with its as-of date; stale sections say so and raise an alert.',
    chain: 'daily-market-email',
    calendar: { hour: 7, minute: 30 },
    skipKrxHolidays: false,
    ...starts('dailyMarketEmail', {}),
    overlap: 'SKIP',
    // A morning summary more than an hour late is still worth sending; the send ledger keeps it to one per recipient and day.
    catchupWindow: '1 hour',
  },
  {
    id: 'watchlist-score-alerts',
    description: 'Seed 001 watchlist alert: each user’s watched stocks whose Compass Score moved by WATCHLIST_ALERT_THRESHOLD (5) points or more.',
    chain: 'watchlist-score-alerts',
    calendar: { hour: 8, minute: 0 },
    skipKrxHolidays: false,
    ...starts('watchlistScoreAlerts', {}),
    overlap: 'SKIP',
    catchupWindow: '1 hour',
  },
  {
    id: 'ops-watchdog',
    description:
      'Watchdog: every schedule slot against the run it started (missed, late, stuck, failed), the prices/score/report deadlines, the end of the KRX holiday calendar (CALENDAR_ALERT_DAYS ahead), then delivery of open ops alerts by email and webhook.',
    chain: 'ops-watchdog',
    cron: '*/15 * * * *',
    skipKrxHolidays: false,
    ...starts('opsWatchdog', {}),
    overlap: 'SKIP',
    // The next run is 15 minutes away and checks everything again: no catching up.
    catchupWindow: '10 minutes',
  },
];

/** The configuration that catalog entries depend on (a subset of AppConfig); with the queue names, each entry goes to its role's queue. */
export interface CatalogSettings extends Partial<TaskQueueSettings> {
  REPORT_CRON: string;
  TZ: string;
  ENABLE_SCHEDULER: boolean;
}

export const DEFAULT_CATALOG_SETTINGS: CatalogSettings = { REPORT_CRON: '0 8 * * *', TZ: SCHEDULE_TIMEZONE, ENABLE_SCHEDULER: true };

/**
 * Seed 004's report: APScheduler's CronTrigger from REPORT_CRON in TZ becomes a cron spec in that
 * zone. Overlap ALLOW_ALL on purpose: the lock is the per-date workflow id, so every firing must
 * reach the workflow, which records SKIPPED_LOCKED when its date is already being made.
 */
export function counterpartyRiskSchedule(s: CatalogSettings): ScheduleEntry {
  return {
    id: 'counterparty-risk-report',
    description:
      'Seed 004 daily counterparty-risk report: wait for a stable SalesMap DB, snapshot and aggregate it, add LLM evidence, write report_cache/YYYYMMDD.json and status.json.',
    chain: 'counterparty-risk-report',
    cron: s.REPORT_CRON,
    timezone: s.TZ,
    skipKrxHolidays: false,
    ...starts('counterpartyRiskReport', { trigger: 'schedule' }),
    overlap: 'ALLOW_ALL',
    // The report is for the day: one late by up to an hour after an outage is still wanted.
    catchupWindow: '1 hour',
    disabledReason: s.ENABLE_SCHEDULER ? undefined : 'ENABLE_SCHEDULER=0: reports are made only on demand (POST /api/report/counterparty-risk/recompute)',
  };
}

/**
 * The whole catalog for a configuration: CATALOG (entries that need none) plus the entries
 * built from it, each on its role's task queue when the settings name the queues (AppConfig does).
 * Without settings, the seeds' defaults, and no queue of their own.
 */
export function catalog(settings: CatalogSettings = DEFAULT_CATALOG_SETTINGS): ScheduleEntry[] {
  const entries = [...CATALOG, counterpartyRiskSchedule(settings)];
  const { TEMPORAL_TASK_QUEUE: collection, TEMPORAL_TASK_QUEUE_REPORTS: reports, TEMPORAL_TASK_QUEUE_OPS: ops } = settings;
  if (!collection || !reports || !ops) return entries;
  return entries.map((e) => ({ ...e, taskQueue: taskQueueFor({ collection, reports, ops }, e.workflowType) }));
}
