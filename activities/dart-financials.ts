/**
 * DART financial statements (seed 001 source 5): the company-code master, then the main
 * accounts of every listed company for one report, up to 100 companies per call
 * (fnlttMultiAcnt) instead of the seed's one call per company. Each batch is one activity,
 * one request and one bulk upsert, so a retry repeats exactly one call and writes nothing twice.
 */
import { cancellationSignal } from '@temporalio/activity';
import { answeredCorpCodes, listedCorpCodes, pivotMainAccounts, recordReportAnswers, upsertCorpCodes, upsertFinancialStatements } from '../db/financials';
import { chunkCorpCodes } from '../sources/dart/financial-statements';
import type { ReportCode } from '../sources/dart/requests';
import type { ActivityDeps } from './deps';
import { sourceStep } from './collect';

export const DART_SOURCE_ID = 'dart';

export interface DartReportRef {
  chain: string;
  fiscalYear: number;
  reportCode: ReportCode;
}

export interface DartFinancialPlan {
  /** Companies per batch ≤ 100, in corp_code order. */
  batches: string[][];
  listed: number;
  /** Answered earlier (loaded, or recently without the report), left out unless `reload`. */
  alreadyLoaded: number;
}

export interface DartBatchResult {
  companies: number;
  /** Companies DART had the report for. */
  withData: number;
  rowsWritten: number;
}

export function dartFinancialActivities(deps: ActivityDeps) {
  return {
    /** corpCode.xml → dart_corp_code (listed companies). One ~3 MB download. */
    async syncDartCorpCodes(input: { chain: string }): Promise<{ companies: number; listed: number; changed: number }> {
      return sourceStep(deps, { chain: input.chain, step: 'dart-corp-codes' }, async () => {
        const entries = await deps.sources.dart.corpCodes(cancellationSignal());
        const changed = await upsertCorpCodes(deps.db, entries);
        const listed = entries.filter((e) => e.stockCode).length;
        return { result: { companies: entries.length, listed, changed }, rowsIn: entries.length, rowsWritten: changed };
      });
    },

    /** `noDataRecheckDays` (default 7): a company that had no report is asked again after this long (late filers). */
    async planDartFinancials(input: DartReportRef & { reload?: boolean; batchSize?: number; noDataRecheckDays?: number }): Promise<DartFinancialPlan> {
      const all = await listedCorpCodes(deps.db);
      const loaded = input.reload ? new Set<string>() : await answeredCorpCodes(deps.db, input.fiscalYear, input.reportCode, input.noDataRecheckDays ?? 7);
      const todo = all.filter((c) => !loaded.has(c));
      return { batches: chunkCorpCodes(todo, input.batchSize), listed: all.length, alreadyLoaded: all.length - todo.length };
    },

    async loadDartFinancialBatch(input: DartReportRef & { corpCodes: string[] }): Promise<DartBatchResult> {
      const step = `dart-financials ${input.fiscalYear}/${input.reportCode} ${input.corpCodes[0]}..${input.corpCodes[input.corpCodes.length - 1]}`;
      return sourceStep(deps, { chain: input.chain, step }, async () => {
        const rows = await deps.sources.dart.multiAccounts(
          { corpCodes: input.corpCodes, bsnsYear: input.fiscalYear, reprtCode: input.reportCode },
          cancellationSignal(),
        );
        const statements = pivotMainAccounts(rows);
        const written = await upsertFinancialStatements(deps.db, statements, DART_SOURCE_ID);
        const answered = new Set(statements.map((s) => s.corp_code));
        await recordReportAnswers(deps.db, input.fiscalYear, input.reportCode, input.corpCodes, answered);
        const withData = answered.size;
        // DART's 013 for the whole batch is an empty list: the step is recorded as skipped, not failed.
        return {
          result: { companies: input.corpCodes.length, withData, rowsWritten: written },
          rowsIn: rows.length,
          rowsWritten: written,
          skipped: rows.length === 0,
        };
      });
    },
  };
}
