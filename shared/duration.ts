/**
 * Durations and protobuf times in milliseconds. The SDK's own converters live in its internal
 * `lib/` paths (or are exported marked "internal use only"), so the few this project needs are here.
 * Pure: workflows use `durationMs` for their timers.
 */
import type { Duration, Timestamp } from '@temporalio/common';

const UNIT_MS: Record<string, number> = {
  ms: 1, msec: 1, msecs: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
  // The SDK's (the `ms` package's) year: 365.25 days.
  y: 31_557_600_000, yr: 31_557_600_000, yrs: 31_557_600_000, year: 31_557_600_000, years: 31_557_600_000,
};

/** Milliseconds of a Duration, read as the SDK reads it: a number is milliseconds, a string "10s", "1.5 hours", "30m". */
export function durationMs(d: Duration): number {
  if (typeof d === 'number') return d;
  const m = /^\s*(-?\d*\.?\d+)\s*([a-z]*)\s*$/i.exec(d);
  const unit = m ? UNIT_MS[(m[2] || 'ms').toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new TypeError(`not a duration: "${d}" (a number of milliseconds, or e.g. "30s", "10 minutes", "6 hours")`);
  return Number(m[1]) * unit;
}

export function optionalDurationMs(d: Duration | undefined): number | undefined {
  return d === undefined ? undefined : durationMs(d);
}

/** `{ seconds, nanos }`: the wire form of both google.protobuf.Timestamp (ms since the epoch) and google.protobuf.Duration. */
export function msToTimestamp(ms: number): Timestamp {
  const seconds = Math.floor(ms / 1000);
  // The typings name only Long for int64 fields; protobufjs encodes a plain number as well, and no Long is needed for times.
  return { seconds: seconds as unknown as NonNullable<Timestamp['seconds']>, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** Milliseconds of a protobuf Timestamp or Duration (seconds may come as a Long from the gRPC client). */
export function timestampMs(ts: Timestamp): number {
  const seconds: unknown = ts.seconds ?? 0;
  return Number(typeof seconds === 'number' ? seconds : String(seconds)) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}
