/**
 * The instant every test's clocks stand at, unless a test pins its own: the worker's activity
 * deps (testDeps), the simulator (startSimulator's `now`) and the report API. A fixed instant
 * makes the suite give the same answers at any hour of any day it runs; tests/pinned-instants
 * runs the time-sensitive parts at the awkward instants on purpose.
 *
 * Friday 2026-12-04, 18:00 KST: a trading day, after the day's prices and listings are out,
 * outside DART's maintenance hour.
 */
import { kstDate } from '../../calendar/trading-calendar';
import { type Clock, fixedClock } from '../../shared/clock';

export const TEST_INSTANT = '2026-12-04T18:00:00+09:00';
export const testClock: Clock = fixedClock(TEST_INSTANT);
export const TEST_NOW = testClock();
/** The Korean date of TEST_INSTANT. */
export const TEST_TODAY = kstDate(TEST_NOW);

/**
 * For the few tests whose date comes from the Temporal server's clock (a schedule firing),
 * which no test can pin: when real midnight in `zone` is less than `marginMs` away, wait until it
 * has passed, so that the date the test reads and the date the firing uses are the same day.
 */
export async function clearOfMidnight(zone: string, marginMs = 120_000): Promise<void> {
  const now = Date.now();
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const msToMidnight = (86_400 - (get('hour') * 3600 + get('minute') * 60 + get('second'))) * 1000;
  if (msToMidnight < marginMs) await new Promise((r) => setTimeout(r, msToMidnight + 2_000));
}
