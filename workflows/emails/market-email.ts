/** Schedule `daily-market-email` (07:30 KST, every day): seed 001's daily market summary email. */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { type EmailOutcome, type EmailRunInput, emailDate, sendAll } from './send-all';

const { prepareMarketEmail } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumAttempts: 4 },
});

export interface MarketEmailResult {
  date: string;
  /** Sections whose data was stale (the email says so in each, and an alert was raised). */
  stale: string[];
  asOf: { prices: string | null; score: string | null; indices: Record<string, string | null> };
  sends: EmailOutcome[];
}

export async function dailyMarketEmail(input: EmailRunInput = {}): Promise<MarketEmailResult> {
  const date = emailDate(input);
  const prepared = await prepareMarketEmail({ date });
  const sends = await sendAll('market', date, prepared.recipients.map((r) => ({ to: r.email, ...prepared.message })), input.retry);
  return { date, stale: prepared.stale, asOf: prepared.asOf, sends };
}
