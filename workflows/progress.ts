/** Keeps a run's progress (shared/progress.ts) current: the `progress` query's answer and the Web UI's Current Details. */
import type { Duration } from '@temporalio/common';
import { setCurrentDetails, setHandler } from '@temporalio/workflow';
import { progressQuery, type StepProgress, type WorkflowProgress } from '../shared/progress';
import { renderProgress } from '../shared/progress-bars';
import type { QuotaWaitHooks } from './quota-wait';

export function newProgress(chain: string, stepNames: string[]): WorkflowProgress {
  return { chain, steps: stepNames.map((name) => ({ name, state: 'pending', done: 0, total: 0 })) };
}

/**
 * The progress of this run, served by the `progress` query and shown as bars in the Web UI's
 * Current Details. The object returned watches itself: any change to it (a step's state, a count,
 * a note, a trading date) redraws the details, so callers only mutate it. Current details are run
 * state, not history events, so they leave replay untouched.
 */
export function trackProgress(chain: string, stepNames: string[]): WorkflowProgress {
  const progress = newProgress(chain, stepNames);
  const publish = () => setCurrentDetails(['```', ...renderProgress(progress), '```'].join('\n'));
  const proxies = new WeakMap<object, object>();
  const watch = <T extends object>(target: T): T => {
    let proxy = proxies.get(target) as T | undefined;
    if (!proxy) {
      proxy = new Proxy(target, {
        get: (t, key) => {
          const v: unknown = Reflect.get(t, key);
          return typeof v === 'object' && v !== null ? watch(v) : v;
        },
        set: (t, key, value) => {
          const ok = Reflect.set(t, key, value);
          publish();
          return ok;
        },
      });
      proxies.set(target, proxy);
    }
    return proxy;
  };
  setHandler(progressQuery, () => progress);
  publish();
  return watch(progress);
}

export function stepOf(p: WorkflowProgress, name: string): StepProgress {
  const s = p.steps.find((x) => x.name === name);
  if (!s) throw new Error(`unknown step ${name}`);
  return s;
}

/** Shows a quota wait on the step (untilQuotaAllows hooks), so `ops progress` and the UI tell why it paused. */
export function quotaWaitNotes(step: StepProgress, recheck?: Duration): QuotaWaitHooks {
  return {
    recheck,
    onWait: (d) => (step.note = `waiting ${Math.ceil(d.waitMs / 60_000)} min for the ${d.source} daily quota to reset`),
    onResume: () => (step.note = undefined),
  };
}
