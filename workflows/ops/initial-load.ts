/**
 * The initial load (seed 001: an empty database to a scored market): each chain in dependency
 * order, as children under the same period ids the schedules use, so that a scheduled slot
 * firing during the load finds its work already claimed instead of doing it twice:
 * weekly refresh without its score (listing → stocks → ETFs → financials) → the daily chain
 * (five years of prices → the full score → post-processing) → monthly products →
 * quarterly corporate actions.
 */
import { executeChild, log, workflowInfo } from '@temporalio/workflow';
import { type IsoDate, kstDate } from '../../calendar/trading-calendar';
import { CHAINS, type ChainName, chainRunId } from '../../shared/chains';
import { chainAttributes } from '../chain-slot';
import { type ChainPolicy, runStartOptions } from '../policy';
import { trackProgress, stepOf } from '../progress';

export const INITIAL_LOAD = 'initial-load';

export interface InitialLoadInput {
  asOf?: IsoDate;
  /** Price history to load; default the worker's PRICE_BACKFILL_DAYS (five years). */
  backfillDays?: number;
  /** Chains to leave out, e.g. ['quarterly-corporate-actions']. */
  skip?: ChainName[];
  policy?: Partial<ChainPolicy>;
}

const ORDER: Array<{ chain: ChainName; args: (i: InitialLoadInput, asOf: IsoDate) => Record<string, unknown> }> = [
  { chain: 'weekly-refresh', args: (i, asOf) => ({ asOf, skipScore: true, policy: i.policy }) },
  { chain: 'daily-collection', args: (i, asOf) => ({ asOf, backfillDays: i.backfillDays, policy: i.policy }) },
  { chain: 'monthly-products', args: (i, asOf) => ({ asOf, policy: i.policy }) },
  { chain: 'quarterly-corporate-actions', args: (i, asOf) => ({ asOf, policy: i.policy }) },
];

export async function initialLoad(input: InitialLoadInput = {}): Promise<Record<string, unknown>> {
  const asOf = input.asOf ?? kstDate(workflowInfo().startTime);
  const progress = trackProgress(INITIAL_LOAD, ORDER.map((o) => o.chain));
  const results: Record<string, unknown> = {};
  for (const { chain, args } of ORDER) {
    const step = stepOf(progress, chain);
    if (input.skip?.includes(chain)) {
      step.state = 'skipped';
      continue;
    }
    const id = chainRunId(chain, asOf);
    Object.assign(step, { state: 'running', total: 1, note: `child ${id}` });
    log.info('initial load: starting chain', { chain, id });
    results[chain] = await executeChild(CHAINS[chain].workflowType, {
      ...runStartOptions(CHAINS[chain].workflowType),
      workflowId: id,
      args: [args(input, asOf)],
      staticSummary: `initial load: ${chain}`,
      typedSearchAttributes: chainAttributes(chain),
    });
    Object.assign(step, { state: 'done', done: 1 });
  }
  return results;
}
