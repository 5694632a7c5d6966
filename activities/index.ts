import { scoreActivities } from './compass-score';
import { counterpartyRiskActivities } from './counterparty-risk';
import { dartFinancialActivities } from './dart-financials';
import type { ActivityDeps } from './deps';
import { pipelineActivities } from './pipeline-command';
import { postProcessingActivities } from './post-processing';
import { priceActivities } from './prices';

export function createActivities(deps: ActivityDeps) {
  return {
    ...priceActivities(deps),
    ...dartFinancialActivities(deps),
    ...scoreActivities(deps),
    ...postProcessingActivities(deps),
    ...counterpartyRiskActivities(deps),
    ...pipelineActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
