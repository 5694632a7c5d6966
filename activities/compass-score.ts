import type { IsoDate } from '../calendar/trading-calendar';
import { computeMarketScores, type ScoreRunResult } from '../scoring/compass-score';
import type { ActivityDeps } from './deps';
import { withStepLog } from './step-log';

export interface ComputeScoresInput {
  chain: string;
  scoreDate: IsoDate;
}

export function scoreActivities(deps: ActivityDeps) {
  return {
    async computeCompassScores(input: ComputeScoresInput): Promise<ScoreRunResult> {
      return withStepLog(deps.db, { chain: input.chain, step: 'compass-score', tradingDate: input.scoreDate }, async () => {
        const result = await computeMarketScores(deps.db, input.scoreDate);
        return { result, rowsIn: result.universe, rowsWritten: result.scored, details: { ...result } };
      });
    },
  };
}
