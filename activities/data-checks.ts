/**
 * `runDataChecks`: the blocking checks of one data group (checks/), which the workflows run
 * after each step; a result with ok=false stops the steps that depend on that data.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { IsoDate } from '../calendar/trading-calendar';
import { type DataCheckReport, DATA_GROUPS, isDataGroup, runDataCheckGroup } from '../checks';
import { callerRunIds } from './alerts';
import type { ActivityDeps } from './deps';

export interface RunDataChecksInput {
  chain: string;
  group: string;
  asOf: IsoDate;
}

export function dataCheckActivities(deps: ActivityDeps) {
  return {
    async runDataChecks(input: RunDataChecksInput): Promise<DataCheckReport> {
      if (!isDataGroup(input.group)) {
        throw ApplicationFailure.nonRetryable(`unknown data group '${input.group}' (known: ${DATA_GROUPS.join(', ')})`, 'UnknownDataGroup');
      }
      const ids = callerRunIds();
      return runDataCheckGroup(deps.db, {
        chain: input.chain,
        group: input.group,
        asOf: input.asOf,
        runId: ids.runId ?? `standalone-${randomUUID()}`,
        settings: deps.cfg,
        alert: { ...ids, dedupeWindowMin: deps.cfg.ALERT_DEDUPE_WINDOW_MIN },
      });
    },
  };
}
