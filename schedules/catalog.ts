/**
 * The schedule catalog: every Temporal Schedule this project owns, as typed data.
 * `npm run schedules -- apply` makes the server match it; `diff` shows what apply would do;
 * `prune` deletes managed schedules that are no longer listed here.
 *
 * Times are Asia/Seoul wall-clock times (Korea has no DST, so no slot is skipped or doubled).
 * Misfires are schedule policy, not code: `catchupWindow` is APScheduler's misfire_grace_time,
 * and `overlap: 'SKIP'` is the seed's "already running → skip" lock.
 */
import type { DayOfWeek } from '@temporalio/client';

export const SCHEDULE_TIMEZONE = 'Asia/Seoul';

export interface CatalogCalendar {
  /** Omitted = every day of the week. */
  dayOfWeek?: { start: DayOfWeek; end: DayOfWeek } | DayOfWeek[];
  /** Omitted = every day of the month. */
  dayOfMonth?: number | { start: number; end: number };
  hour: number;
  minute: number;
}

export interface ScheduleEntry {
  /** Schedule id on the server, and prefix of every workflow id it starts. */
  id: string;
  /** For humans: shown in `schedules diff`, in the schedule's memo and as its initial note. */
  description: string;
  /** The chain the runs belong to: the CompassChain search attribute. */
  chain: string;
  calendar: CatalogCalendar;
  /** Also skip KRX weekday holidays (calendar/krx-holidays.json). */
  skipKrxHolidays: boolean;
  workflowType: string;
  args: unknown[];
  overlap: 'SKIP' | 'BUFFER_ONE' | 'BUFFER_ALL' | 'CANCEL_OTHER' | 'TERMINATE_OTHER' | 'ALLOW_ALL';
  /** How late a missed slot may still start after an outage (APScheduler misfire_grace_time). */
  catchupWindow: string;
  /** Bounds each run, so a stuck run cannot block later slots under SKIP. */
  runTimeout: string;
}

export const CATALOG: ScheduleEntry[] = [
  {
    id: 'daily-collection',
    description:
      'Seed 001 daily chain: load every missing trading date of prices (data.go.kr getStockPriceInfo), then the Compass Score, then cache and materialized-view post-processing.',
    chain: 'daily-collection',
    calendar: { dayOfWeek: { start: 'MONDAY', end: 'FRIDAY' }, hour: 16, minute: 30 },
    skipKrxHolidays: true,
    workflowType: 'dailyCollection',
    args: [{}],
    overlap: 'SKIP',
    catchupWindow: '1 hour',
    runTimeout: '6 hours',
  },
];
