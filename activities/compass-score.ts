import { ApplicationFailure } from '@temporalio/activity';
import type { RetryPolicy } from '@temporalio/common';
import type { IsoDate } from '../calendar/trading-calendar';
import { computeMarketScores, recomputeTicker, type ScoreOptions, type ScoreRunResult, type TickerScore, TickerNotPricedError } from '../scoring/compass-score';
import { callerRunIds } from './alerts';
import { budgetedAttempt } from './attempt-budget';
import type { ActivityDeps } from './deps';
import { withHeavySlot } from './heavy-work';
import { withStepLog } from './step-log';

export interface ComputeScoresInput {
  chain: string;
  scoreDate: IsoDate;
  /** The retry policy of the score's own failures, when the server's leaves room for crashes (shared/crash-retries.ts). */
  failureRetry?: RetryPolicy;
}

export interface RecomputeTickerInput {
  ticker: string;
  /** Default: the latest date with prices. */
  scoreDate?: IsoDate;
}

function scoreOptions(deps: ActivityDeps): ScoreOptions {
  return {
    minAxes: deps.cfg.SCORE_MIN_AXES,
    failAlertRate: deps.cfg.SCORE_FAIL_ALERT_RATE,
    alertDedupeWindowMin: deps.cfg.ALERT_DEDUPE_WINDOW_MIN,
    ...callerRunIds(),
  };
}

export function scoreActivities(deps: ActivityDeps) {
  return {
    async computeCompassScores(input: ComputeScoresInput): Promise<ScoreRunResult> {
      // Heartbeats while the one long statement runs, and keeps worker crashes out of the failure budget.
      return budgetedAttempt(() =>
        withStepLog(deps.db, { chain: input.chain, step: 'compass-score', tradingDate: input.scoreDate }, () =>
          withHeavySlot(deps, 'compass-score', async () => {
            const result = await computeMarketScores(deps.db, input.scoreDate, scoreOptions(deps));
            return { result, rowsIn: result.universe, rowsWritten: result.scored, details: { ...result } };
          }),
        ),
        input.failureRetry,
      );
    },

    /** Seed 001 Part 4.3 scenario 2: one ticker, ranked against the market of the score date. */
    async recomputeTickerScore(input: RecomputeTickerInput): Promise<TickerScore> {
      try {
        // Ranking needs the whole market's reading, so it is heavy work like the batch.
        return await withHeavySlot(deps, `compass-score ${input.ticker}`, () => recomputeTicker(deps.db, input.ticker, input.scoreDate ?? null, scoreOptions(deps)));
      } catch (err) {
        if (err instanceof TickerNotPricedError) throw ApplicationFailure.nonRetryable(err.message, 'TickerNotPriced');
        throw err;
      }
    },
  };
}
