/**
 * Recompute one ticker's Compass Score on demand (seed 001 Part 4.3 scenario 2). The ops CLI
 * starts it as `ops-recompute-<ticker>` and joins a run already going for that ticker.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { IsoDate } from '../../calendar/trading-calendar';
import type { Activities } from '../../activities';

const score = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes', heartbeatTimeout: '2 minutes', retry: { initialInterval: '5s', maximumAttempts: 3 } });

export async function recomputeTicker(input: { ticker: string; scoreDate?: IsoDate }) {
  if (!/^[0-9A-Z]{6}$/.test(input.ticker ?? '')) throw new TypeError(`ticker must be 6 KRX characters (e.g. 005930), got ${JSON.stringify(input.ticker)}`);
  return score.recomputeTickerScore(input);
}
