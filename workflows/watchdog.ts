/**
 * Schedule `ops-watchdog` (every 15 minutes): finds schedule slots that were missed, started late,
 * got stuck or failed, deadlines that passed unmet and a KRX holiday calendar about to run out
 * (activities/watchdog.ts), then delivers every undelivered ops alert by email and webhook
 * (activities/alert-delivery.ts).
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AlertDeliveryResult } from '../activities/alert-delivery';
import type { CalendarHorizonResult, WatchdogCheckResult } from '../activities/watchdog';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumAttempts: 3 },
});

export interface WatchdogInput {
  /** Only these schedules (default: the catalog's). */
  scheduleIds?: string[];
  /** Set false to skip the deadline checks (today's deadlines and the holiday calendar's end). */
  deadlines?: boolean;
  /** Set false to leave alerts undelivered. */
  deliver?: boolean;
}

export interface WatchdogResult {
  schedules: WatchdogCheckResult;
  deadlines: WatchdogCheckResult | null;
  calendar: CalendarHorizonResult | null;
  delivery: AlertDeliveryResult | null;
}

export async function opsWatchdog(input: WatchdogInput = {}): Promise<WatchdogResult> {
  const schedules = await acts.checkScheduleSlots({ scheduleIds: input.scheduleIds });
  const deadlines = input.deadlines === false ? null : await acts.checkDeadlines({});
  // Runs started before the calendar check existed replay without it.
  const calendar = input.deadlines !== false && patched('calendar-horizon') ? await acts.checkCalendarHorizon({}) : null;
  const delivery = input.deliver === false ? null : await acts.deliverOpsAlerts();
  return { schedules, deadlines, calendar, delivery };
}
