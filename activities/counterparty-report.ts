/**
 * Counterparty-risk steps 3–5: aggregate the snapshot, add evidence and actions (LLM, else
 * rule-based), and write report_cache/YYYYMMDD.json atomically.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { aggregateSnapshot, SchemaError } from '../reports/counterparty-risk/aggregate';
import { writeFileAtomic } from '../reports/counterparty-risk/atomic-file';
import { fallbackAdvice } from '../reports/counterparty-risk/fallback';
import { adviseWithLlm } from '../reports/counterparty-risk/llm';
import { cacheFile, llmLogFile } from '../reports/counterparty-risk/paths';
import type { CounterpartyRiskReport, EnrichedAggregate, ReportMeta, RiskAggregate } from '../reports/counterparty-risk/report';
import { REPORT_FAILURES } from '../shared/counterparty-risk';
import type { ActivityDeps } from './deps';
import { cacheWriteFailure, nonRetryable } from './counterparty-failures';

export interface AdviceResult {
  report: EnrichedAggregate;
  llm: ReportMeta['llm'];
}

export interface WriteCacheInput {
  report: EnrichedAggregate;
  result: ReportMeta['result'];
  llm: ReportMeta['llm'];
  dbSignature: string;
  snapshot: string;
}

export interface WrittenCache {
  file: string;
  generatedAt: string;
}

export function counterpartyReportActivities(deps: ActivityDeps) {
  const cfg = deps.cfg;
  return {
    async aggregateCounterpartyRisk(input: { asOf: string; snapshot: string }): Promise<RiskAggregate> {
      try {
        return await aggregateSnapshot(input.snapshot, input.asOf);
      } catch (err) {
        if (err instanceof SchemaError) throw nonRetryable(REPORT_FAILURES.dbSchemaInvalid, err.message);
        // SQLite's own errors ("file is not a database", "no such column"): the same snapshot fails the same way again.
        if (!(err as NodeJS.ErrnoException).code) throw nonRetryable(REPORT_FAILURES.dbSchemaInvalid, `the snapshot cannot be read as the SalesMap DB: ${(err as Error).message}`);
        throw err;
      }
    },

    /** Never fails for an LLM problem: the counterparties it did not answer for get rule-based text. */
    async adviseCounterpartyRisk(input: { aggregate: RiskAggregate; stamp: string; timeoutSec: number }): Promise<AdviceResult> {
      const ctx = Context.current();
      const { aggregate } = input;
      const outcome = await adviseWithLlm(
        { baseUrl: cfg.LLM_BASE_URL, apiKey: cfg.LLM_API_KEY, model: cfg.LLM_MODEL, timeoutMs: input.timeoutSec * 1000 },
        aggregate.as_of,
        aggregate.counterparties,
        ctx.cancellationSignal,
      );
      const counterparties = aggregate.counterparties.map((c) => {
        const advice = outcome.advice.get(c.organization_id) ?? fallbackAdvice(c);
        return { ...c, evidence: advice.evidence, actions: advice.actions, advice_source: advice.source };
      });
      const fromLlm = counterparties.filter((c) => c.advice_source === 'llm').length;
      const source = fromLlm === counterparties.length && !outcome.error ? 'llm' : fromLlm === 0 ? 'fallback' : 'mixed';
      const llm = { source, model: cfg.LLM_BASE_URL ? cfg.LLM_MODEL : null, error: outcome.error } as const;
      if (outcome.error) ctx.log.warn('LLM advice unavailable; rule-based text used', { error: outcome.error, httpStatus: outcome.httpStatus });
      await writeLlmLog(llmLogFile(cfg.WORK_DIR, aggregate.as_of, input.stamp), {
        at: new Date().toISOString(), as_of: aggregate.as_of, model: llm.model, http_status: outcome.httpStatus,
        latency_ms: outcome.latencyMs, answered: fromLlm, asked: counterparties.length, error: outcome.error,
      });
      return { report: { ...aggregate, counterparties }, llm };
    },

    async writeCounterpartyCache(input: WriteCacheInput): Promise<WrittenCache> {
      const info = Context.current().info;
      const { as_of, ...body } = input.report;
      const generatedAt = new Date().toISOString();
      const report: CounterpartyRiskReport = {
        meta: {
          report: 'counterparty-risk',
          as_of,
          generated_at: generatedAt,
          result: input.result,
          llm: input.llm,
          db_signature: input.dbSignature,
          snapshot: path.basename(input.snapshot),
          workflow_id: info.workflowExecution?.workflowId ?? 'standalone',
          run_id: info.workflowExecution?.runId ?? info.activityId,
        },
        ...body,
      };
      const file = cacheFile(cfg.CACHE_DIR, as_of);
      try {
        await fs.mkdir(cfg.CACHE_DIR, { recursive: true });
        await writeFileAtomic(file, JSON.stringify(report, null, 2) + '\n');
      } catch (err) {
        throw cacheWriteFailure(file, err);
      }
      return { file, generatedAt };
    },
  };
}

/** The LLM exchange log is for operators; losing it must not fail the report. */
async function writeLlmLog(file: string, entry: Record<string, unknown>): Promise<void> {
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, JSON.stringify(entry) + '\n');
  } catch {
    // best effort
  }
}
