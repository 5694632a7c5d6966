/** The report's run settings from the worker's configuration (workflows cannot read the environment). */
import type { AppConfig } from '../../config/env';
import type { ReportRunSettings } from '../../shared/counterparty-risk';

export function reportSettings(cfg: AppConfig): ReportRunSettings {
  return {
    timezone: cfg.TZ,
    stableWindowSec: cfg.DB_STABLE_WINDOW_SEC,
    dbRetry: cfg.DB_RETRY,
    dbRetryIntervalSec: cfg.DB_RETRY_INTERVAL_SEC,
    llmTimeoutSec: cfg.LLM_TIMEOUT_SEC,
    retentionDays: cfg.CACHE_RETENTION_DAYS,
  };
}
