/**
 * The command line of `npm run ops` (scripts/ops.ts), checked in full before any service is
 * asked: a command to carry out, or a UsageError (exit 2) and nothing started. Dates must be
 * real and not after `today` in Korea, which the CLI computes from its clock.
 */
import { OperatorDateError, parseOperatorDate } from '../../calendar/operator-date';
import type { IsoDate } from '../../calendar/trading-calendar';
import { backfillPrices, initialLoad, type OperationSpec, recomputeTicker, rerunChain } from '../../client/ops';
import { CHAINS, isChainName, type ChainName } from '../../shared/chains';
import { parseCommandLine, UsageError } from './cli-args';

export const USAGE = `usage: npm run ops -- status | progress <workflow-id> [--watch] | rerun <chain> <YYYY-MM-DD> [--join]
                     | backfill <from> <to> | recompute <ticker> | initial-load [--backfill-days N] [--skip a,b] | quotas | alerts | ack <id>
chains: ${Object.keys(CHAINS).join(', ')}`;

export type OpsCommand =
  | { command: 'status' } | { command: 'quotas' } | { command: 'alerts' }
  | { command: 'progress'; workflowId: string; watch: boolean }
  | { command: 'ack'; alertId: number }
  | { command: 'start'; operation: OperationSpec };

/** Each command's arguments and flags: any other is refused rather than ignored. */
const COMMANDS: Record<string, { args: string[]; flags: string[] }> = {
  status: { args: [], flags: [] },
  progress: { args: ['<workflow-id>'], flags: ['watch'] },
  rerun: { args: ['<chain>', '<YYYY-MM-DD>'], flags: ['join'] },
  backfill: { args: ['<from>', '<to>'], flags: [] },
  recompute: { args: ['<ticker>'], flags: [] },
  'initial-load': { args: [], flags: ['backfill-days', 'skip'] },
  quotas: { args: [], flags: [] },
  alerts: { args: [], flags: [] },
  ack: { args: ['<id>'], flags: [] },
};

export function parseOpsArgs(argv: string[], today: IsoDate): OpsCommand {
  const { positionals, values } = parseCommandLine(argv, {
    watch: { type: 'boolean' }, join: { type: 'boolean' }, 'backfill-days': { type: 'string' }, skip: { type: 'string' },
  }, USAGE);
  const [command = '', ...args] = positionals;
  const shape = COMMANDS[command];
  if (!shape) throw new UsageError(USAGE);
  if (args.length !== shape.args.length) throw new UsageError(`${command} takes ${shape.args.join(' ') || 'no arguments'}; got ${JSON.stringify(args)}\n${USAGE}`);
  const stray = Object.keys(values).find((f) => !shape.flags.includes(f));
  if (stray) throw new UsageError(`${command} takes no --${stray}\n${USAGE}`);

  const date = (text: string): IsoDate => {
    try {
      return parseOperatorDate(text, { today, zone: 'KST' });
    } catch (err) {
      throw err instanceof OperatorDateError ? new UsageError(err.message) : err;
    }
  };
  switch (command) {
    case 'status':
    case 'quotas':
    case 'alerts':
      return { command };
    case 'progress':
      return { command, workflowId: args[0]!, watch: values.watch === true };
    case 'ack': {
      const alertId = Number(args[0]);
      if (!(Number.isInteger(alertId) && alertId > 0)) throw new UsageError('ack needs an alert id (see `npm run ops -- alerts`)');
      return { command, alertId };
    }
    case 'rerun': {
      const [chain, day] = args as [string, string];
      if (!isChainName(chain)) throw new UsageError(`unknown chain ${JSON.stringify(chain)}; one of ${Object.keys(CHAINS).join(', ')}`);
      return { command: 'start', operation: rerunChain(chain, date(day), values.join === true) };
    }
    case 'backfill': {
      const [from, to] = args.map(date) as [IsoDate, IsoDate];
      if (from > to) throw new UsageError(`backfill: <from> ${from} is after <to> ${to}`);
      return { command: 'start', operation: backfillPrices(from, to) };
    }
    case 'recompute': {
      const ticker = args[0]!.toUpperCase();
      if (!/^[0-9A-Z]{6}$/.test(ticker)) throw new UsageError(`ticker must be 6 KRX characters, e.g. 005930; got ${JSON.stringify(args[0])}`);
      return { command: 'start', operation: recomputeTicker(ticker) };
    }
    case 'initial-load': {
      const days = values['backfill-days'];
      const skip = values.skip?.split(',').filter(Boolean) ?? [];
      const bad = skip.filter((c) => !isChainName(c));
      if (bad.length) throw new UsageError(`--skip: unknown chain ${bad.join(', ')}`);
      if (days !== undefined && !(Number(days) >= 1)) throw new UsageError('--backfill-days must be a positive number');
      return { command: 'start', operation: initialLoad({ backfillDays: days ? Number(days) : undefined, skip: skip as ChainName[] }) };
    }
    default:
      throw new UsageError(USAGE);
  }
}
