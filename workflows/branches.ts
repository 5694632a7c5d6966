/**
 * Independent branches of a chain run side by side; one failing does not cancel the others
 * (their data is still worth having), and the chain fails at the end naming every branch
 * that failed.
 */
import { ApplicationFailure } from '@temporalio/workflow';

export interface SettledBranches<K extends string> {
  failed: Partial<Record<K, unknown>>;
  /** Throws one failure that names each failed branch and why. */
  throwIfAnyFailed(): void;
}

export async function settleBranches<K extends string>(branches: Record<K, () => Promise<void>>): Promise<SettledBranches<K>> {
  const names = Object.keys(branches) as K[];
  const outcomes = await Promise.allSettled(names.map((n) => branches[n]()));
  const failed: Partial<Record<K, unknown>> = {};
  outcomes.forEach((o, i) => {
    if (o.status === 'rejected') failed[names[i]!] = o.reason;
  });
  return {
    failed,
    throwIfAnyFailed() {
      const entries = Object.entries(failed) as Array<[K, unknown]>;
      if (entries.length === 0) return;
      const why = entries.map(([n, e]) => `${n}: ${describe(e)}`).join('; ');
      throw ApplicationFailure.nonRetryable(`${entries.length} of ${names.length} branches failed (${why})`, 'BranchesFailed', { failed: entries.map(([n]) => n) });
    },
  };
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // An activity or child failure wraps the useful message in its cause.
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : err.message;
}
