/** Shared by the simulator-* suites: how a real client's failure looks, and one-shot source faults. */
import type { FaultRule, Simulator, SourceName } from '../../dev/simulator/server';
import { SourceError } from '../../sources/errors';

export interface Failure {
  cls: string;
  code?: string;
  wait?: number;
  message?: string;
}

/** The class and code of the SourceError a call fails with; 'none' when it succeeds. */
export async function failureOf(p: Promise<unknown>): Promise<Failure> {
  const e = await p.then(() => null, (err: unknown) => err);
  if (e === null) return { cls: 'none' };
  if (!(e instanceof SourceError)) return { cls: `other: ${String(e)}` };
  return { cls: e.failureClass, code: e.code, wait: e.retryAfterMs, message: e.message };
}

/** The next request of `source` gets this fault. */
export function faultOnce(sim: Simulator, source: SourceName, rule: Omit<FaultRule, 'source'>): void {
  sim.setFaults({ rules: [{ ...rule, source, times: 1 }] });
}
