/**
 * Wall-clock dates and times in an IANA time zone, for code outside workflows (activities, the
 * API, configuration). Workflows never call these: time-zone data can change between Node
 * releases, so a workflow gets such values from an activity, where they are recorded once.
 */
import type { IsoDate } from './trading-calendar';

export function isValidTimeZone(tz: string): boolean {
  if (!tz || tz.startsWith(':')) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function parts(instant: Date, tz: string): Record<string, string> {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  return Object.fromEntries(fmt.formatToParts(instant).map((p) => [p.type, p.value]));
}

/** The calendar date at `instant` in `tz`. */
export function dateInZone(instant: Date, tz: string): IsoDate {
  const p = parts(instant, tz);
  return `${p.year}-${p.month}-${p.day}`;
}

/** 'HHMMSS' at `instant` in `tz`. */
export function timeStampInZone(instant: Date, tz: string): string {
  const p = parts(instant, tz);
  return `${p.hour}${p.minute}${p.second}`;
}
