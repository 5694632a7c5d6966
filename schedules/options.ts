/** Turns a catalog entry into the Temporal ScheduleOptions that apply sends. */
import { createHash } from 'node:crypto';
import { type CalendarSpec, type ScheduleOptions, ScheduleOverlapPolicy, type ScheduleSpec } from '@temporalio/client';
import { weekdayHolidays } from '../calendar/trading-calendar';
import { CHAIN, CONFIG_HASH, SCOPE } from '../shared/search-attributes';
import { runStartOptions } from '../shared/workflow-run-policy';
import { SCHEDULE_TIMEZONE, type ScheduleEntry } from './catalog';

export const MANAGED_BY = 'compass-schedules';

export interface BuildContext {
  /** The queue of entries without one of their own (catalog(cfg) gives each its role's queue; tests give none). */
  taskQueue: string;
  scope: 'real' | 'mock';
}

/** Each KRX weekday holiday as a whole-day exclusion (every field must match, so hours and minutes are '*'). */
export function holidaySkips(): CalendarSpec[] {
  return weekdayHolidays().map((d) => ({
    year: Number(d.slice(0, 4)),
    month: MONTHS[Number(d.slice(5, 7)) - 1]!,
    dayOfMonth: Number(d.slice(8, 10)),
    hour: '*',
    minute: '*',
    second: '*',
    comment: `KRX holiday ${d}`,
  }));
}

const MONTHS = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'] as const;

export function buildScheduleOptions(entry: ScheduleEntry, ctx: BuildContext): { options: ScheduleOptions; hash: string } {
  const skip = entry.skipKrxHolidays ? holidaySkips() : [];
  const timezone = entry.timezone ?? SCHEDULE_TIMEZONE;
  // A cron entry goes to the server as a cron string; describe() returns it compiled into calendars,
  // which is why diff compares the CompassConfigHash fingerprint and not the described spec.
  const spec: ScheduleSpec = entry.cron !== undefined
    ? { cronExpressions: [entry.cron.trim()], skip, timezone }
    : { calendars: [calendarOf(entry)], skip, timezone };
  // The run timeout is the entry's (the policy table's, unless a test overrides it); the rest of the table's
  // bounds are set only where it has them, so that the action, and its fingerprint, stay as they were without.
  const { workflowExecutionTimeout, retry } = runStartOptions(entry.workflowType, entry.workflowType === 'chainSlot' ? entry.args[0].chain : undefined);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: entry.workflowType,
    taskQueue: entry.taskQueue ?? ctx.taskQueue,
    workflowId: entry.id,
    args: entry.args,
    workflowRunTimeout: entry.runTimeout as ScheduleOptions['action']['workflowRunTimeout'],
    ...(workflowExecutionTimeout !== undefined && { workflowExecutionTimeout }),
    ...(retry !== undefined && { retry }),
    memo: { chain: entry.chain, schedule: entry.id, description: entry.description },
    typedSearchAttributes: [
      { key: CHAIN, value: entry.chain },
      { key: SCOPE, value: ctx.scope },
    ],
    staticSummary: `${entry.chain} (schedule ${entry.id})`,
  };
  const policies = {
    overlap: ScheduleOverlapPolicy[entry.overlap],
    catchupWindow: entry.catchupWindow as NonNullable<ScheduleOptions['policies']>['catchupWindow'],
  };
  const hash = fingerprint({ spec, action: { ...action, typedSearchAttributes: [entry.chain, ctx.scope] }, policies });
  const options: ScheduleOptions = {
    scheduleId: entry.id,
    spec,
    action,
    policies,
    memo: { managedBy: MANAGED_BY, description: entry.description },
    typedSearchAttributes: [{ key: CONFIG_HASH, value: hash }],
    state: entry.disabledReason
      ? { paused: true, note: configPauseNote(entry.disabledReason) }
      : { note: entry.description.slice(0, 200) },
  };
  return { options, hash };
}

function calendarOf(entry: ScheduleEntry): CalendarSpec {
  const c = entry.calendar!;
  return {
    hour: c.hour,
    minute: c.minute,
    ...(c.dayOfWeek ? { dayOfWeek: Array.isArray(c.dayOfWeek) ? c.dayOfWeek : [c.dayOfWeek] } : {}),
    ...(c.dayOfMonth !== undefined ? { dayOfMonth: typeof c.dayOfMonth === 'number' ? c.dayOfMonth : [c.dayOfMonth] } : {}),
    ...(c.month ? { month: c.month.map((m) => MONTHS[m - 1]!) } : {}),
    comment: entry.description.slice(0, 100),
  };
}

/** Notes of pauses made by configuration start with this, so apply can tell them from an operator's. */
export const CONFIG_PAUSE_PREFIX = 'paused by configuration: ';

export function configPauseNote(reason: string): string {
  return `${CONFIG_PAUSE_PREFIX}${reason}`.slice(0, 200);
}

/**
 * The paused state apply should set, or null to keep the server's: configuration pauses a schedule
 * (ENABLE_SCHEDULER=0) and resumes only a pause it made itself; an operator's pause is left alone.
 */
export function desiredPauseState(entry: Pick<ScheduleEntry, 'disabledReason' | 'description'>, current: { paused: boolean; note?: string }): { paused: boolean; note: string } | null {
  if (entry.disabledReason) {
    const note = configPauseNote(entry.disabledReason);
    if (current.paused && (current.note === note || !current.note?.startsWith(CONFIG_PAUSE_PREFIX))) return null;
    return { paused: true, note };
  }
  if (current.paused && current.note?.startsWith(CONFIG_PAUSE_PREFIX)) return { paused: false, note: entry.description.slice(0, 200) };
  return null;
}

/** "spec=…;action=…;policies=…": one short hash per part, so diff can name what changed. */
export function fingerprint(parts: Record<'spec' | 'action' | 'policies', unknown>): string {
  return Object.entries(parts)
    .map(([k, v]) => `${k}=${createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 10)}`)
    .join(';');
}

export function changedParts(storedHash: string | undefined, desiredHash: string): string[] {
  if (!storedHash) return ['spec', 'action', 'policies'];
  const stored = new Map(storedHash.split(';').map((p) => p.split('=') as [string, string]));
  return desiredHash
    .split(';')
    .map((p) => p.split('=') as [string, string])
    .filter(([k, v]) => stored.get(k) !== v)
    .map(([k]) => k);
}
