/** Schedule `watchlist-score-alerts` (08:00 KST, every day): each user's watched stocks whose Compass Score moved. */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { type EmailOutcome, type EmailRunInput, emailDate, sendAll } from './send-all';

const { prepareWatchlistEmails } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumAttempts: 4 },
});

export interface WatchlistAlertsInput extends EmailRunInput {
  /** Points of Compass Score change that make a stock worth an email; default WATCHLIST_ALERT_THRESHOLD (5). */
  threshold?: number;
}

export interface WatchlistAlertsResult {
  date: string;
  scoreDate: string | null;
  usersWithoutMoves: number;
  /** Users whose moves of this score date were emailed on an earlier day (no new score since). */
  alreadyReported: number;
  sends: EmailOutcome[];
}

export async function watchlistScoreAlerts(input: WatchlistAlertsInput = {}): Promise<WatchlistAlertsResult> {
  const date = emailDate(input);
  const prepared = await prepareWatchlistEmails({ date, threshold: input.threshold });
  const sends = await sendAll('watchlist', date, prepared.emails, input.retry);
  return { date, scoreDate: prepared.scoreDate, usersWithoutMoves: prepared.usersWithoutMoves, alreadyReported: prepared.alreadyReported, sends };
}
