/** Counterparty-risk steps 6–7: status.json and retention. */
import { Context } from '@temporalio/activity';
import { cacheFile } from '../reports/counterparty-risk/paths';
import { applyRetention, type RetentionResult } from '../reports/counterparty-risk/retention';
import { type LastRun, type LastSuccess, readStatus, type ReportStatus, updateStatus } from '../reports/counterparty-risk/status';
import type { ActivityDeps } from './deps';
import { cacheWriteFailure } from './counterparty-failures';

export type RunRecord = Omit<LastRun, 'finished_at' | 'workflow_id' | 'run_id'>;

export function counterpartyStatusActivities(deps: ActivityDeps) {
  const cfg = deps.cfg;
  return {
    async recordCounterpartyStatus(input: { run: RunRecord; success: Omit<LastSuccess, 'cache_file'> | null }): Promise<ReportStatus> {
      const wf = Context.current().info.workflowExecution;
      const run: LastRun = { ...input.run, finished_at: new Date().toISOString(), workflow_id: wf?.workflowId ?? 'standalone', run_id: wf?.runId ?? '' };
      const success = input.success ? { ...input.success, cache_file: cacheFile(cfg.CACHE_DIR, input.success.as_of) } : null;
      try {
        return await updateStatus(cfg.CACHE_DIR, run, success);
      } catch (err) {
        throw cacheWriteFailure('status.json', err);
      }
    },

    async applyCounterpartyRetention(input: { retentionDays: number }): Promise<RetentionResult> {
      const status = await readStatus(cfg.CACHE_DIR);
      const protect = status.last_success ? [cacheFile(cfg.CACHE_DIR, status.last_success.as_of)] : [];
      const result = await applyRetention({ cacheDir: cfg.CACHE_DIR, workDir: cfg.WORK_DIR, retentionDays: input.retentionDays, protect });
      if (result.deleted.length || result.errors.length) Context.current().log.info('retention applied', { deleted: result.deleted.length, errors: result.errors });
      return result;
    },
  };
}
