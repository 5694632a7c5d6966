import { alertDeliveryActivities } from './alert-delivery';
import { alertActivities } from './alerts';
import { scoreActivities } from './compass-score';
import { corporateActionActivities } from './corporate-actions';
import { counterpartyRiskActivities } from './counterparty-risk';
import { dartFinancialActivities } from './dart-financials';
import { dataCheckActivities } from './data-checks';
import type { ActivityDeps } from './deps';
import { dividendActivities } from './dividends';
import { emailActivities } from './emails';
import { listingActivities } from './listings';
import { pipelineActivities } from './pipeline-command';
import { postProcessingActivities } from './post-processing';
import { priceActivities } from './prices';
import { productActivities } from './products';
import { watchdogActivities } from './watchdog';

export function createActivities(deps: ActivityDeps) {
  return {
    ...priceActivities(deps),
    ...dartFinancialActivities(deps),
    ...listingActivities(deps),
    ...productActivities(deps),
    ...dividendActivities(deps),
    ...corporateActionActivities(deps),
    ...scoreActivities(deps),
    ...alertActivities(deps),
    ...dataCheckActivities(deps),
    ...postProcessingActivities(deps),
    ...counterpartyRiskActivities(deps),
    ...pipelineActivities(deps),
    ...emailActivities(deps),
    ...alertDeliveryActivities(deps),
    ...watchdogActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
