/**
 * The watchdog's checks (workflow `opsWatchdog`, schedule `ops-watchdog`): what should have
 * happened against what did.
 *  - Schedule slots: each schedule's fire times over the lookback window, as the server computes
 *    them from its spec (ListScheduleMatchingTimes), against the run the server says each slot
 *    started: the schedule's recent actions (its last ten), and for older slots the runs that
 *    visibility lists under the schedule (TemporalScheduledById / TemporalScheduledStartTime).
 *    No run → missed; a run that started late, is stuck, or failed → late / stuck / failed.
 *  - Deadlines: today's prices by 17:30, the score before the 07:30 email, the counterparty
 *    report by 08:30 (KST; WATCHDOG_*_DEADLINE).
 *  - The holiday calendar's end: calendar/krx-holidays.json covers up to its last year's 31
 *    December, after which every chain fails with CalendarRangeError; warned CALENDAR_ALERT_DAYS
 *    ahead, critical once past.
 * Each verdict is recorded once per (subject, slot) in watchdog_verdict, and every non-ok one
 * raises an ops alert naming the schedule (or deadline) and the slot.
 */
import { type Client, type ScheduleDescription, ScheduleNotFoundError, WorkflowNotFoundError, type WorkflowExecutionDescription } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import {
  addDays, calendarYears, type IsoDate, isTradingDay, kstDate, kstLabel, parseIsoDate, tradingDayOnOrBefore,
} from '../calendar/trading-calendar';
import { connectClient } from '../client/connection';
import { raiseAlert, type AlertSeverity } from '../db/alerts';
import { decidedSlots, priceRowsOn, recordVerdict, type Verdict } from '../db/watchdog';
import { latestScoreDate } from '../db/market-email';
import { catalog } from '../schedules/catalog';
import { CONFIG_PAUSE_PREFIX } from '../schedules/options';
import { counterpartyReportWorkflowId } from '../shared/counterparty-risk';
import { msToTimestamp, optionalDurationMs, timestampMs } from '../shared/duration';
import { SCHEDULED_START } from '../shared/search-attributes';
import type { ActivityDeps } from './deps';

export interface WatchdogFinding {
  subject: string;
  slot: string;
  verdict: Verdict;
  detail: string;
  workflowId?: string;
  alertId?: number;
}

export interface WatchdogCheckResult {
  /** Slots or deadlines judged in this check (each is judged once). */
  judged: number;
  /** Slots still open (a run in progress, or still inside the catch-up window). */
  pending: number;
  /** The non-ok verdicts of this check. */
  findings: WatchdogFinding[];
}

export interface CalendarHorizonResult {
  /** The Korean date judged. */
  today: IsoDate;
  /** The last day calendar/krx-holidays.json covers. */
  lastDay: IsoDate;
  /** Covered days from today on, today included: 0 or less once the file has run out. */
  daysLeft: number;
  /** A warning within CALENDAR_ALERT_DAYS of the end, critical past it; null while far from it. */
  alert: { severity: AlertSeverity; alertId: number } | null;
}

export interface WatchdogCheckInput {
  /** Default: every schedule of the catalog that configuration has not turned off. */
  scheduleIds?: string[];
  /** ISO instant to judge at (tests); default now. */
  now?: string;
}

/** The watchdog's own schedule (schedules/catalog.ts). */
export const WATCHDOG_SCHEDULE_ID = 'ops-watchdog';

/** "2026-11-22T07:30:00Z": how findings, alerts and dedupe keys name a slot (also the suffix of its run's id). */
export function slotSuffix(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The instant of HH:MM on `date` in Korea. */
export function kstInstant(date: IsoDate, hhmm: string): Date {
  return new Date(Date.parse(`${date}T${hhmm}:00+09:00`));
}

const minutes = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

/**
 * The fire times (ms) of schedule `scheduleId` in [from, to], as the server computes them from the
 * schedule's current spec: calendars, intervals, skipped KRX holidays, start and end, time zone.
 * (With a jitter they would be the jittered times, as are the recent actions'; the catalog sets none.)
 */
export async function scheduleFireTimes(client: Client, scheduleId: string, from: number, to: number): Promise<number[]> {
  const out: number[] = [];
  // The server lists the times after startTime, at most 1000 an answer: ask again after the last one until nothing new comes.
  for (let after = from - 1; ;) {
    const { startTime } = await client.workflowService.listScheduleMatchingTimes({
      namespace: client.options.namespace, scheduleId, startTime: msToTimestamp(after), endTime: msToTimestamp(to),
    });
    const times = (startTime ?? []).map(timestampMs).filter((t) => t > after && t <= to);
    if (times.length === 0) return out;
    out.push(...times);
    after = times[times.length - 1]!;
  }
}

/**
 * The workflow id each slot's run got, by slot time (ms), as the server recorded it: the schedule's
 * recent actions, then, if a slot is older than those ten, the runs visibility lists under the schedule.
 */
async function runsBySlot(client: Client, desc: ScheduleDescription, slots: number[], from: Date): Promise<Map<number, string>> {
  const runs = new Map<number, string>();
  for (const a of desc.info.recentActions) runs.set(a.scheduledAt.getTime(), a.action.workflow.workflowId);
  if (slots.every((s) => runs.has(s))) return runs;
  const query = `TemporalScheduledById = '${desc.scheduleId.replace(/'/g, "\\'")}' AND TemporalScheduledStartTime >= '${from.toISOString()}'`;
  for await (const w of client.workflow.list({ query })) {
    const at = w.typedSearchAttributes.get(SCHEDULED_START)?.getTime();
    if (at !== undefined && !runs.has(at)) runs.set(at, w.workflowId);
  }
  return runs;
}

async function describeRun(client: Client, workflowId: string): Promise<WorkflowExecutionDescription | null> {
  try {
    return await client.workflow.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

/** ": <type>: <message>" of the innermost cause of a closed run's failure (a source's non-retryable error, say), or "". */
async function failureOf(client: Client, workflowId: string): Promise<string> {
  const err: unknown = await client.workflow.getHandle(workflowId).result().then(() => null, (e: unknown) => e);
  let cause = err as { cause?: unknown; message?: string; type?: string } | null;
  while (cause && typeof cause === 'object' && cause.cause) cause = cause.cause as typeof cause;
  if (!cause?.message) return '';
  return `: ${cause.type ? `${cause.type}: ` : ''}${cause.message.slice(0, 300)}`;
}

interface Judgement {
  verdict: Verdict;
  detail: string;
  workflowId?: string;
}

const TITLES: Record<Exclude<Verdict, 'ok'>, { word: string; severity: AlertSeverity }> = {
  missed: { word: '누락', severity: 'critical' },
  late: { word: '지연', severity: 'warning' },
  stuck: { word: '멈춤', severity: 'warning' },
  failed: { word: '실패', severity: 'critical' },
};

async function judgeAndRecord(deps: ActivityDeps, subject: string, kindLabel: string, slot: Date, j: Judgement, out: WatchdogCheckResult): Promise<void> {
  let alertId: number | null = null;
  if (j.verdict !== 'ok') {
    const t = TITLES[j.verdict];
    // Raised before the verdict is recorded: a crash in between raises again, which the dedupe key folds into the same row.
    alertId = await raiseAlert(deps.db, {
      alertType: `${kindLabel}_${j.verdict}`,
      severity: t.severity,
      title: `[${kindLabel === 'schedule' ? '스케줄' : '마감'} ${t.word}] ${subject.replace(/^\w+:/, '')} · ${kstLabel(slot)}`,
      message: `${subject} slot ${slotSuffix(slot)} (${kstLabel(slot)}): ${j.detail}`,
      source: 'watchdog',
      workflowId: j.workflowId ?? null,
      dedupeKey: `watchdog|${subject}|${slotSuffix(slot)}|${j.verdict}`,
      dedupeWindowMin: deps.cfg.ALERT_DEDUPE_WINDOW_MIN,
    });
    out.findings.push({ subject, slot: slotSuffix(slot), verdict: j.verdict, detail: j.detail, workflowId: j.workflowId, alertId });
  }
  await recordVerdict(deps.db, { subject, slotAt: slot, verdict: j.verdict, detail: j.detail, workflowId: j.workflowId ?? null, alertId });
  out.judged++;
}

async function checkSchedule(deps: ActivityDeps, client: Client, id: string, now: number, out: WatchdogCheckResult): Promise<void> {
  const cfg = deps.cfg;
  const subject = `schedule:${id}`;
  let desc;
  try {
    desc = await client.schedule.getHandle(id).describe();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    const alertId = await raiseAlert(deps.db, {
      alertType: 'schedule_missing', severity: 'critical', title: `[스케줄 없음] ${id}`,
      message: `schedule ${id} is in the catalog but not on the server: none of its runs will start (npm run schedules -- apply)`,
      source: 'watchdog', dedupeKey: `watchdog|${subject}|missing`, dedupeWindowMin: cfg.ALERT_DEDUPE_WINDOW_MIN,
    });
    out.findings.push({ subject, slot: '-', verdict: 'missed', detail: 'schedule not found', alertId });
    return;
  }
  const { paused, note } = desc.state;
  if (paused && note?.startsWith(CONFIG_PAUSE_PREFIX)) return; // turned off by configuration, on purpose
  const graceMs = cfg.WATCHDOG_START_GRACE_SEC * 1000;
  const catchupMs = desc.policies.catchupWindow;
  // From the last spec change on (a pause or resume is not one): slots of an older spec are not this spec's to judge.
  const since = Math.max(desc.info.createdAt.getTime(), desc.info.lastUpdatedAt?.getTime() ?? 0);
  const from = new Date(Math.max(now - cfg.WATCHDOG_LOOKBACK_HOURS * 3600_000, since));
  const decided = await decidedSlots(deps.db, subject, from);
  const open = (await scheduleFireTimes(client, id, from.getTime(), now - graceMs)).filter((t) => !decided.has(t));
  if (open.length === 0) return;
  const runs = await runsBySlot(client, desc, open, from);
  const runTimeoutMs = desc.action.type === 'startWorkflow' ? optionalDurationMs(desc.action.workflowRunTimeout) : undefined;
  for (const slotMs of open) {
    const slot = new Date(slotMs);
    Context.current().heartbeat(`${id} ${slotSuffix(slot)}`);
    const workflowId = runs.get(slotMs);
    const run = workflowId === undefined ? null : await describeRun(client, workflowId);
    const age = now - slotMs;
    let j: Judgement | null = null;
    if (!run || workflowId === undefined) {
      if (paused) {
        j = { verdict: 'missed', detail: `no run: the schedule is paused${note ? ` (note: "${note}")` : ''}` };
      } else if (age > catchupMs + graceMs) {
        j = {
          verdict: 'missed',
          detail:
            `no run started within the catch-up window (${minutes(catchupMs)}): the schedule was paused at the time, the server was down ` +
            `past the window (${desc.info.numActionsMissedCatchupWindow} slots missed so far), or the overlap policy skipped it ` +
            `(${desc.info.numActionsSkippedOverlap} so far); recover with a backfill if the run is still wanted`,
        };
      }
    } else {
      const startedLate = run.startTime.getTime() - slot.getTime();
      const status = run.status.name;
      if (status === 'RUNNING') {
        if (runTimeoutMs && now - run.startTime.getTime() > runTimeoutMs * cfg.WATCHDOG_STUCK_RATIO) {
          j = { verdict: 'stuck', workflowId, detail: `still running after ${minutes(now - run.startTime.getTime())} (run timeout ${minutes(runTimeoutMs)}); with overlap SKIP it holds back later slots` };
        }
      } else if (status === 'COMPLETED' || status === 'CONTINUED_AS_NEW') {
        j = startedLate > cfg.WATCHDOG_LATE_START_MIN * 60_000
          ? { verdict: 'late', workflowId, detail: `started ${minutes(startedLate)} after its slot (catch-up after an outage or a blocked overlap)` }
          : { verdict: 'ok', workflowId, detail: `completed, started ${Math.round(startedLate / 1000)} s after its slot` };
      } else {
        j = { verdict: 'failed', workflowId, detail: `the run ended ${status}${await failureOf(client, workflowId)}` };
      }
    }
    if (j) await judgeAndRecord(deps, subject, 'schedule', slot, j, out);
    else out.pending++;
  }
}

/** The deadline checks of `day` (Korea) that are due at `now`. */
async function checkDeadlines(deps: ActivityDeps, client: Client, day: IsoDate, now: number, since: number, out: WatchdogCheckResult): Promise<void> {
  const cfg = deps.cfg;
  const due = async (name: string, hhmm: string, judge: (deadline: Date) => Promise<Judgement>) => {
    const deadline = kstInstant(day, hhmm);
    if (deadline.getTime() > now || deadline.getTime() < since) return;
    const subject = `deadline:${name}`;
    if ((await decidedSlots(deps.db, subject, deadline)).has(deadline.getTime())) return;
    await judgeAndRecord(deps, subject, 'deadline', deadline, await judge(deadline), out);
  };
  let tradingDay = false;
  try {
    tradingDay = isTradingDay(day);
  } catch {
    tradingDay = false; // outside the holiday file's years: no price deadline rather than a guess
  }
  if (tradingDay) {
    await due('prices', cfg.WATCHDOG_PRICES_DEADLINE, async () => {
      const n = await priceRowsOn(deps.db, day);
      return n > 0
        ? { verdict: 'ok', detail: `${n} price rows for ${day}` }
        : { verdict: 'missed', detail: `no prices of ${day} in stock_price_daily by ${cfg.WATCHDOG_PRICES_DEADLINE} KST (daily-collection)` };
    });
  }
  await due('score', cfg.WATCHDOG_SCORE_DEADLINE, async () => {
    let needed: IsoDate;
    try {
      needed = tradingDayOnOrBefore(addDays(day, -1));
    } catch {
      return { verdict: 'ok', detail: 'outside the trading calendar: not judged' };
    }
    const have = await latestScoreDate(deps.db, day);
    return have !== null && have >= needed
      ? { verdict: 'ok', detail: `Compass Score of ${have}` }
      : { verdict: 'missed', detail: `the Compass Score of ${needed} was not there before the ${cfg.WATCHDOG_SCORE_DEADLINE} market email (latest: ${have ?? 'none'})` };
  });
  const report = catalog(cfg).find((e) => e.id === 'counterparty-risk-report');
  if (report && !report.disabledReason) {
    await due('counterparty-report', cfg.WATCHDOG_REPORT_DEADLINE, async (deadline) => {
      const workflowId = counterpartyReportWorkflowId(day);
      const run = await describeRun(client, workflowId);
      if (!run) return { verdict: 'missed', workflowId, detail: `no counterparty-risk report run for ${day} by ${cfg.WATCHDOG_REPORT_DEADLINE} KST` };
      if (run.status.name === 'RUNNING') return { verdict: 'late', workflowId, detail: `the report of ${day} was still running at ${cfg.WATCHDOG_REPORT_DEADLINE} KST` };
      if (run.status.name !== 'COMPLETED') return { verdict: 'failed', workflowId, detail: `the report run of ${day} ended ${run.status.name}${await failureOf(client, workflowId)}` };
      const outcome = (await client.workflow.getHandle(workflowId).result()) as { result?: string; msg?: string } | undefined;
      if (outcome?.result === 'FAILED') return { verdict: 'failed', workflowId, detail: `the report of ${day} was recorded FAILED: ${outcome.msg ?? ''}`.trim() };
      const closed = run.closeTime?.getTime() ?? 0;
      return closed > deadline.getTime()
        ? { verdict: 'late', workflowId, detail: `the report of ${day} finished ${minutes(closed - deadline.getTime())} after the deadline` }
        : { verdict: 'ok', workflowId, detail: 'report finished in time' };
    });
  }
}

/** Alerts before, and after, the day the KRX holiday file runs out (one open alert each, raised again every run). */
async function checkCalendarHorizon(deps: ActivityDeps, now: number): Promise<CalendarHorizonResult> {
  const { firstYear, lastYear } = calendarYears();
  const today = kstDate(now);
  const lastDay = `${lastYear}-12-31`;
  const daysLeft = (parseIsoDate(lastDay) - parseIsoDate(today)) / 86_400_000 + 1;
  if (daysLeft > deps.cfg.CALENDAR_ALERT_DAYS) return { today, lastDay, daysLeft, alert: null };
  const ended = daysLeft <= 0;
  const severity: AlertSeverity = ended ? 'critical' : 'warning';
  const state = ended
    ? `ran out on ${lastDay} (today is ${today} KST): every chain run for a later date fails with CalendarRangeError`
    : `has ${daysLeft} day(s) left, today (${today} KST) included: from ${addDays(lastDay, 1)} every chain run fails with CalendarRangeError`;
  const alertId = await raiseAlert(deps.db, {
    alertType: ended ? 'calendar_data_ended' : 'calendar_data_ending',
    severity,
    title: `[휴장일 데이터 ${ended ? '만료' : '만료 임박'}] calendar/krx-holidays.json · ${lastDay}까지`,
    message:
      `The KRX holiday calendar (calendar/krx-holidays.json, ${firstYear}-${lastYear}) ${state}. ` +
      `Add ${lastYear + 1}'s KRX holidays to the file, set lastYear to ${lastYear + 1}, then deploy the worker and apply the schedules (npm run schedules -- apply).`,
    source: 'watchdog',
    dedupeKey: `watchdog|calendar:krx-holidays|${lastDay}|${ended ? 'ended' : 'ending'}`,
    dedupeWindowMin: deps.cfg.ALERT_DEDUPE_WINDOW_MIN,
  });
  return { today, lastDay, daysLeft, alert: { severity, alertId } };
}

export function watchdogActivities(deps: ActivityDeps) {
  /** The instant to judge at: the input's (tests), else the deps' clock. */
  const nowOf = (input: { now?: string }): number => (input.now ? Date.parse(input.now) : deps.now());
  async function withClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const client = await connectClient(deps.cfg, { logLevel: 'debug' });
    try {
      return await fn(client);
    } finally {
      await client.connection.close();
    }
  }
  return {
    async checkScheduleSlots(input: WatchdogCheckInput = {}): Promise<WatchdogCheckResult> {
      const now = nowOf(input);
      const ids = input.scheduleIds ?? catalog(deps.cfg).filter((e) => !e.disabledReason).map((e) => e.id);
      const out: WatchdogCheckResult = { judged: 0, pending: 0, findings: [] };
      await withClient(async (client) => {
        for (const id of ids) await checkSchedule(deps, client, id, now, out);
      });
      return out;
    },
    /** Deadlines of today and yesterday (Korea), so a check just after midnight still judges yesterday's. */
    async checkDeadlines(input: { now?: string } = {}): Promise<WatchdogCheckResult> {
      const now = nowOf(input);
      const today = kstDate(now);
      const out: WatchdogCheckResult = { judged: 0, pending: 0, findings: [] };
      await withClient(async (client) => {
        // Deadlines from the day the watchdog schedule was created: a fresh install is not behind on days it did not exist.
        const since = await client.schedule.getHandle(WATCHDOG_SCHEDULE_ID).describe().then(
          (d) => d.info.createdAt.getTime(),
          (err: unknown) => {
            if (err instanceof ScheduleNotFoundError) return -Infinity;
            throw err;
          },
        );
        for (const day of [addDays(today, -1), today]) await checkDeadlines(deps, client, day, now, since, out);
      });
      return out;
    },
    async checkCalendarHorizon(input: { now?: string } = {}): Promise<CalendarHorizonResult> {
      return checkCalendarHorizon(deps, nowOf(input));
    },
  };
}
