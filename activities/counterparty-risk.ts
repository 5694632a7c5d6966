// Every activity of the counterparty-risk report (seed 004), in step order.
import type { ActivityDeps } from './deps';
import { counterpartyReportActivities } from './counterparty-report';
import { counterpartySourceActivities } from './counterparty-source';
import { counterpartyStatusActivities } from './counterparty-status';

export function counterpartyRiskActivities(deps: ActivityDeps) {
  return {
    ...counterpartySourceActivities(deps),
    ...counterpartyReportActivities(deps),
    ...counterpartyStatusActivities(deps),
  };
}
