import { scoreActivities } from './compass-score';
import { counterpartyRiskActivities } from './counterparty-risk';
import type { ActivityDeps } from './deps';
import { pipelineActivities } from './pipeline-command';
import { postProcessingActivities } from './post-processing';
import { priceActivities } from './prices';

export function createActivities(deps: ActivityDeps) {
  return {
    ...priceActivities(deps),
    ...scoreActivities(deps),
    ...postProcessingActivities(deps),
    ...counterpartyRiskActivities(deps),
    ...pipelineActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
