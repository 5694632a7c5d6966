/**
 * What the collection schedules start: one slot of a chain. It runs the chain itself as a
 * child under the chain's period id (shared/chains.ts), so that a scheduled firing and an
 * operator's rerun of the same period never both run: whichever comes second finds the id
 * taken. The schedule then records the slot as skipped, naming the run that holds it.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { executeChild, log, upsertMemo, workflowInfo } from '@temporalio/workflow';
import { type IsoDate, kstDate } from '../calendar/trading-calendar';
import { CHAINS, type ChainName, chainRunId } from '../shared/chains';
import { CHAIN, SCHEDULED_START, SCOPE } from '../shared/search-attributes';
import { runStartOptions } from './policy';

export interface ChainSlotInput {
  chain: ChainName;
  /** Default: the schedule slot's date in Korea (the start date for a manual start). */
  asOf?: IsoDate;
  /** Passed on to the chain workflow besides `asOf`. */
  args?: Record<string, unknown>;
}

export interface ChainSlotResult {
  chain: ChainName;
  runId: string;
  status: 'ran' | 'skipped';
  reason?: string;
  result?: unknown;
}

export async function chainSlot(input: ChainSlotInput): Promise<ChainSlotResult> {
  const info = workflowInfo();
  const asOf = input.asOf ?? kstDate(info.typedSearchAttributes.get(SCHEDULED_START) ?? info.startTime);
  const id = chainRunId(input.chain, asOf);
  upsertMemo({ chainRun: id });
  try {
    const result = await executeChild(CHAINS[input.chain].workflowType, {
      ...runStartOptions(CHAINS[input.chain].workflowType),
      workflowId: id,
      args: [{ ...input.args, asOf }],
      staticSummary: `${input.chain} for ${asOf}`,
      typedSearchAttributes: chainAttributes(input.chain),
    });
    return { chain: input.chain, runId: id, status: 'ran', result };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const reason = `${id} is already running (started by an operator or an earlier slot); this slot is skipped`;
    log.warn('[SKIP] chain run already in progress', { id });
    return { chain: input.chain, runId: id, status: 'skipped', reason };
  }
}

/** The chain (and the scope, when the launcher has one) on the child too, for the Web UI's filters. */
export function chainAttributes(chain: ChainName) {
  const scope = workflowInfo().typedSearchAttributes.get(SCOPE);
  return [{ key: CHAIN, value: chain }, ...(scope ? [{ key: SCOPE, value: scope }] : [])];
}
