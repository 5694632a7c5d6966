/**
 * The times a schedule spec fires in a time range, computed from the spec itself (the SDK has no
 * "list past fire times" call). Works on what `ScheduleHandle.describe()` returns: calendars
 * (ranges of second, minute, hour, day of month, month, year, day of week in the spec's time
 * zone), intervals (epoch-aligned `every` + `offset`), `skip` calendars and startAt/endAt.
 * Times are nominal (before jitter), as in the ids and TemporalScheduledStartTime of the runs.
 */
import type { CalendarSpecDescription, IntervalSpecDescription, Range, ScheduleSpecDescription } from '@temporalio/client';

const MONTHS = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'];
const DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

interface LocalTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  weekday: number; // 0 = Sunday
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localTime(instant: number, timeZone: string): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(instant)) p[part.type] = part.value;
  return {
    year: Number(p.year), month: Number(p.month), day: Number(p.day), hour: Number(p.hour), minute: Number(p.minute),
    weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday!),
  };
}

function toNumber(v: number | string): number {
  if (typeof v === 'number') return v;
  const m = MONTHS.indexOf(v);
  if (m >= 0) return m + 1;
  return DAYS.indexOf(v);
}

/** Whether `value` is in the ranges; an empty list means `whenEmpty`. */
function inRanges(value: number, ranges: Array<Range<number | string>> | undefined, whenEmpty: boolean | number): boolean {
  if (!ranges || ranges.length === 0) return typeof whenEmpty === 'boolean' ? whenEmpty : value === whenEmpty;
  return ranges.some((r) => {
    const start = toNumber(r.start);
    const end = Math.max(start, toNumber(r.end ?? r.start));
    const step = r.step && r.step > 0 ? r.step : 1;
    return value >= start && value <= end && (value - start) % step === 0;
  });
}

function matchesMinute(c: CalendarSpecDescription, t: LocalTime): boolean {
  return (
    inRanges(t.minute, c.minute, 0) &&
    inRanges(t.hour, c.hour, 0) &&
    inRanges(t.day, c.dayOfMonth, true) &&
    inRanges(t.month, c.month, true) &&
    inRanges(t.year, c.year, true) &&
    inRanges(t.weekday, c.dayOfWeek, true)
  );
}

function matchingSeconds(c: CalendarSpecDescription): number[] {
  const out: number[] = [];
  for (let s = 0; s < 60; s++) if (inRanges(s, c.second, 0)) out.push(s);
  return out;
}

const MINUTE = 60_000;

/** Calendar fire times in [from, to], in ascending order. */
function calendarTimes(calendars: CalendarSpecDescription[], timeZone: string, from: number, to: number): number[] {
  const out = new Set<number>();
  const seconds = calendars.map(matchingSeconds);
  for (let m = Math.floor(from / MINUTE) * MINUTE; m <= to; m += MINUTE) {
    const t = localTime(m, timeZone);
    calendars.forEach((c, i) => {
      if (!matchesMinute(c, t)) return;
      for (const s of seconds[i]!) {
        const at = m + s * 1000;
        if (at >= from && at <= to) out.add(at);
      }
    });
  }
  return [...out].sort((a, b) => a - b);
}

function intervalTimes(intervals: IntervalSpecDescription[], from: number, to: number): number[] {
  const out = new Set<number>();
  for (const iv of intervals) {
    const every = Math.max(1000, Math.round(iv.every / 1000) * 1000);
    const offset = Math.round((iv.offset ?? 0) / 1000) * 1000;
    for (let at = Math.ceil((from - offset) / every) * every + offset; at <= to; at += every) out.add(at);
  }
  return [...out];
}

/** Every nominal fire time of `spec` in [from, to], ascending. */
export function fireTimes(spec: ScheduleSpecDescription, from: Date, to: Date): Date[] {
  const lo = Math.max(from.getTime(), spec.startAt ? new Date(spec.startAt).getTime() : -Infinity);
  const hi = Math.min(to.getTime(), spec.endAt ? new Date(spec.endAt).getTime() : Infinity);
  if (lo > hi) return [];
  const tz = spec.timezone || 'UTC';
  const times = new Set<number>([...calendarTimes(spec.calendars ?? [], tz, lo, hi), ...intervalTimes(spec.intervals ?? [], lo, hi)]);
  const skip = spec.skip ?? [];
  const skipped = (at: number) => {
    if (skip.length === 0) return false;
    const t = localTime(at, tz);
    const sec = new Date(at).getUTCSeconds();
    return skip.some((c) => matchesMinute(c, t) && inRanges(sec, c.second, 0));
  };
  return [...times].filter((at) => !skipped(at)).sort((a, b) => a - b).map((at) => new Date(at));
}
