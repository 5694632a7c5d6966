/**
 * The KRX trading calendar, as pure date arithmetic on 'YYYY-MM-DD' strings.
 *
 * This module is imported by workflow code, so it must stay deterministic: no clock,
 * no I/O and no Node built-ins (@temporalio/common is workflow-safe). Korea has no daylight
 * saving time, which is why KST conversion is a fixed +9 h offset rather than an Intl lookup.
 */
import { ApplicationFailure } from '@temporalio/common';
import holidayData from './krx-holidays.json';

export type IsoDate = string; // 'YYYY-MM-DD'

const DAY_MS = 86_400_000;
export const KST_OFFSET_MS = 9 * 3_600_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const holidays: ReadonlySet<string> = new Set(
  Object.entries(holidayData.holidays as Record<string, string[]>).flatMap(([year, days]) =>
    days.map((md) => `${year}-${md}`),
  ),
);

/**
 * A date outside the holiday file's years. It is a non-retryable ApplicationFailure of type
 * 'CalendarRangeError' so that, thrown in workflow code, it fails the workflow at once (a plain
 * Error would fail the workflow task, which Temporal retries forever, leaving the run hanging);
 * thrown in an activity, it fails the activity without retries.
 */
export class CalendarRangeError extends ApplicationFailure {
  constructor(date: IsoDate) {
    super(
      `KRX holiday calendar covers ${holidayData.firstYear}-${holidayData.lastYear}; ${date} is outside it. ` +
        `Add ${date.slice(0, 4)}'s KRX holidays to calendar/krx-holidays.json and extend firstYear/lastYear to it.`,
      'CalendarRangeError',
      true,
    );
  }
}
// ApplicationFailure's `name` is a read-only prototype property: set ours the same way.
Object.defineProperty(CalendarRangeError.prototype, 'name', { value: 'CalendarRangeError' });

export function calendarYears(): { firstYear: number; lastYear: number } {
  return { firstYear: holidayData.firstYear, lastYear: holidayData.lastYear };
}

export function parseIsoDate(date: IsoDate): number {
  const m = ISO_DATE.exec(date);
  if (!m) throw new TypeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (formatIsoDate(ms) !== date) throw new TypeError(`not a calendar date: ${date}`);
  return ms;
}

export function formatIsoDate(utcMidnightMs: number): IsoDate {
  return new Date(utcMidnightMs).toISOString().slice(0, 10);
}

/** The calendar date in Korea at the given instant. */
export function kstDate(instant: Date | number): IsoDate {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  return formatIsoDate(ms + KST_OFFSET_MS);
}

/** "2026-11-22 16:30:00 KST": how instants are shown to the operator, who works in Korea. */
export function kstLabel(instant: Date | number, to: 'second' | 'minute' = 'second'): string {
  const ms = (typeof instant === 'number' ? instant : instant.getTime()) + KST_OFFSET_MS;
  return `${new Date(ms).toISOString().slice(0, to === 'second' ? 19 : 16).replace('T', ' ')} KST`;
}

/** Minutes since midnight, Korea time, at the given instant. */
export function kstMinuteOfDay(instant: Date | number): number {
  const ms = (typeof instant === 'number' ? instant : instant.getTime()) + KST_OFFSET_MS;
  return Math.floor((((ms % DAY_MS) + DAY_MS) % DAY_MS) / 60_000);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return formatIsoDate(parseIsoDate(date) + days * DAY_MS);
}

export function compactDate(date: IsoDate): string {
  return date.replace(/-/g, '');
}

export function fromCompactDate(yyyymmdd: string): IsoDate {
  if (!/^\d{8}$/.test(yyyymmdd)) throw new TypeError(`not a YYYYMMDD date: ${JSON.stringify(yyyymmdd)}`);
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
}

function checkRange(date: IsoDate): void {
  const year = Number(date.slice(0, 4));
  if (year < holidayData.firstYear || year > holidayData.lastYear) throw new CalendarRangeError(date);
}

export function isKrxHoliday(date: IsoDate): boolean {
  checkRange(date);
  return holidays.has(date);
}

export function isTradingDay(date: IsoDate): boolean {
  const weekday = new Date(parseIsoDate(date)).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return !isKrxHoliday(date);
}

/** Trading days in [from, to], oldest first. */
export function tradingDaysBetween(from: IsoDate, to: IsoDate): IsoDate[] {
  const out: IsoDate[] = [];
  for (let ms = parseIsoDate(from), end = parseIsoDate(to); ms <= end; ms += DAY_MS) {
    const d = formatIsoDate(ms);
    if (isTradingDay(d)) out.push(d);
  }
  return out;
}

/** The latest trading day on or before `date`. */
export function tradingDayOnOrBefore(date: IsoDate): IsoDate {
  let d = date;
  for (let i = 0; i < 30; i++, d = addDays(d, -1)) {
    if (isTradingDay(d)) return d;
  }
  throw new Error(`no trading day in the 30 days up to ${date}`);
}

/** Weekday holidays of the calendar, for a Temporal schedule's skip list. */
export function weekdayHolidays(): IsoDate[] {
  return [...holidays].filter((d) => isTradingDayIgnoringHolidays(d)).sort();
}

function isTradingDayIgnoringHolidays(date: IsoDate): boolean {
  const weekday = new Date(parseIsoDate(date)).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}
