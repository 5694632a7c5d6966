import { scoreActivities } from './compass-score';
import type { ActivityDeps } from './deps';
import { postProcessingActivities } from './post-processing';
import { priceActivities } from './prices';

export function createActivities(deps: ActivityDeps) {
  return {
    ...priceActivities(deps),
    ...scoreActivities(deps),
    ...postProcessingActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
