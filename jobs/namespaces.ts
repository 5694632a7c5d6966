/** Each scope of the job catalog has its own Temporal namespace: real and mock share nothing. */
import type { AppConfig } from '../config/env';
import type { JobScope } from '../shared/jobs';

export type JobNamespaces = Pick<AppConfig, 'JOBS_NAMESPACE_REAL' | 'JOBS_NAMESPACE_MOCK'>;

export const DEFAULT_JOB_NAMESPACES: JobNamespaces = { JOBS_NAMESPACE_REAL: 'compass-jobs-real', JOBS_NAMESPACE_MOCK: 'compass-jobs-mock' };

export function jobsNamespace(cfg: JobNamespaces, scope: JobScope): string {
  return scope === 'real' ? cfg.JOBS_NAMESPACE_REAL : cfg.JOBS_NAMESPACE_MOCK;
}

export function allJobNamespaces(cfg: JobNamespaces = DEFAULT_JOB_NAMESPACES): string[] {
  return [cfg.JOBS_NAMESPACE_REAL, cfg.JOBS_NAMESPACE_MOCK];
}
