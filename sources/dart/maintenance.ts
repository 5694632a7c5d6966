/**
 * DART stops its API every night for maintenance (issue 3: 01:00–02:00 KST). Rather than spend
 * calls that can only fail (status 800), the client refuses them itself and says how long to
 * wait, which the activity turns into a retry delay (rate-limited → nextRetryDelay).
 */
import { KST_OFFSET_MS } from '../../calendar/trading-calendar';
import { SourceError } from '../errors';
import { SOURCE } from './envelope';

export interface MaintenanceWindow {
  /** Minutes after midnight KST, start inclusive, end exclusive. */
  startMinuteKst: number;
  endMinuteKst: number;
}

export const DART_MAINTENANCE: MaintenanceWindow = { startMinuteKst: 60, endMinuteKst: 120 };

const DAY_MS = 86_400_000;

/** 0 outside the window; inside it, the milliseconds until it ends. */
export function msUntilMaintenanceEnds(nowMs: number, window: MaintenanceWindow = DART_MAINTENANCE): number {
  const sinceMidnight = (((nowMs + KST_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
  const start = window.startMinuteKst * 60_000;
  const end = window.endMinuteKst * 60_000;
  // A window may wrap midnight (e.g. 23:30–00:30) if DART ever moves it.
  const inside = start <= end ? sinceMidnight >= start && sinceMidnight < end : sinceMidnight >= start || sinceMidnight < end;
  if (!inside) return 0;
  return (((end - sinceMidnight) % DAY_MS) + DAY_MS) % DAY_MS;
}

export function refuseDuringMaintenance(endpoint: string, nowMs: number, window: MaintenanceWindow = DART_MAINTENANCE): void {
  const wait = msUntilMaintenanceEnds(nowMs, window);
  if (wait > 0) {
    throw new SourceError(SOURCE, 'rate-limited', `${endpoint}: not called during DART's maintenance window (${hhmm(window.startMinuteKst)}–${hhmm(window.endMinuteKst)} KST)`, 'MAINTENANCE_WINDOW', wait);
  }
}

function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}
