/**
 * What the weekly and monthly collection activities share: a step-log row around the body,
 * source failures turned into their Temporal failures, heartbeats that carry where a retry
 * should resume, and a heartbeat that keeps a long single call alive.
 */
import { Context, heartbeat } from '@temporalio/activity';
import type { ActivityDeps } from './deps';
import { failureRules, toActivityFailure } from './failures';
import { type StepOutcome, type StepRef, withStepLog } from './step-log';

export function sourceStep<T>(deps: ActivityDeps, ref: StepRef, body: () => Promise<StepOutcome<T>>): Promise<T> {
  return withStepLog(deps.db, ref, async () => {
    try {
      return await body();
    } catch (err) {
      throw toActivityFailure(err, failureRules(deps.cfg));
    }
  });
}

/** Resume details of the previous attempt: how many items it finished. */
export function resumedAt(): number {
  const d = Context.current().info.heartbeatDetails as { done?: unknown } | undefined;
  return typeof d?.done === 'number' && d.done > 0 ? d.done : 0;
}

/** Heartbeats every `everyMs` while `body` runs (a paged call that reports nothing until it ends). */
export async function whileHeartbeating<T>(details: () => unknown, body: () => Promise<T>, everyMs = 5_000): Promise<T> {
  heartbeat(details());
  const timer = setInterval(() => heartbeat(details()), everyMs);
  try {
    return await body();
  } finally {
    clearInterval(timer);
  }
}
