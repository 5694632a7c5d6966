/**
 * Dividends (seed 001 sources 6–7) into dividend_history: DART's annual-report dividend
 * section (alotMatter, one company per call, a batch of companies per activity, answers kept
 * in dart_report_ledger so reruns skip them) and the FSC's getDiviInfo_V2 by load date.
 */
import { cancellationSignal, Context, heartbeat } from '@temporalio/activity';
import { addDays, type IsoDate } from '../calendar/trading-calendar';
import { DART_DIVIDEND_LEDGER_CODE, dartDividendRows, fscDividendRows, stocksOfIsins, tickersOfCorpCodes, upsertDartDividends, upsertFscDividends } from '../db/dividends';
import { answeredCorpCodes, listedCorpCodes, recordReportAnswers } from '../db/financials';
import { chunkCorpCodes } from '../sources/dart/financial-statements';
import { REPORT_CODES } from '../sources/dart/requests';
import { resumedAt, sourceStep } from './collect';
import type { ActivityDeps } from './deps';
import { latestPublishedBasDt } from './products';

/** Companies per loadDartDividendBatch (one alotMatter call each). */
export const DART_DIVIDEND_BATCH = 20;
/** Days of load dates the FSC load covers by default: a monthly run with a margin. */
const FSC_DEFAULT_DAYS = 35;

/**
 * Every day of the range: the FSC stamps rows with the day they were loaded, which is not
 * always a business day, and a day without rows costs one call that answers "no data".
 */
function loadDates(from: IsoDate, to: IsoDate): IsoDate[] {
  const out: IsoDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

export function dividendActivities(deps: ActivityDeps) {
  return {
    /** Listed companies not yet answered for the year's annual report, in batches of `batchSize` (default 20). */
    async planDartDividends(input: { chain: string; fiscalYear: number; reload?: boolean; batchSize?: number; noDataRecheckDays?: number }): Promise<{ batches: string[][]; listed: number; alreadyLoaded: number }> {
      const all = await listedCorpCodes(deps.db);
      const done = input.reload ? new Set<string>() : await answeredCorpCodes(deps.db, input.fiscalYear, DART_DIVIDEND_LEDGER_CODE, input.noDataRecheckDays ?? 7);
      const todo = all.filter((c) => !done.has(c));
      return { batches: chunkCorpCodes(todo, input.batchSize ?? DART_DIVIDEND_BATCH), listed: all.length, alreadyLoaded: all.length - todo.length };
    },

    async loadDartDividendBatch(input: { chain: string; fiscalYear: number; corpCodes: string[] }): Promise<{ companies: number; withData: number; rowsWritten: number }> {
      const codes = input.corpCodes;
      const step = `dart-dividends ${input.fiscalYear} ${codes[0]}..${codes[codes.length - 1]}`;
      return sourceStep(deps, { chain: input.chain, step }, async () => {
        const signal = cancellationSignal();
        const tickers = await tickersOfCorpCodes(deps.db, codes);
        const from = resumedAt();
        let withData = 0;
        let written = 0;
        // One company at a time, written with its ledger entry: a retry resumes after the last one.
        for (let i = from; i < codes.length; i++) {
          const corpCode = codes[i]!;
          const rows = await deps.sources.dart.dividends({ corpCode, bsnsYear: input.fiscalYear, reprtCode: REPORT_CODES.annual }, signal);
          const out = dartDividendRows(rows, input.fiscalYear, tickers.get(corpCode) ?? null);
          const counts = await upsertDartDividends(deps.db, out);
          await recordReportAnswers(deps.db, input.fiscalYear, DART_DIVIDEND_LEDGER_CODE, [corpCode], new Set(out.length ? [corpCode] : []));
          if (out.length) withData++;
          written += counts.inserted + counts.updated;
          heartbeat({ done: i + 1 });
        }
        return {
          result: { companies: codes.length, withData, rowsWritten: written },
          rowsIn: codes.length - from,
          rowsWritten: written,
          details: { resumedAt: from, withData },
        };
      });
    },

    /**
     * getDiviInfo_V2 by load date (basDt): one date, every day of `year`, or by default the
     * five weeks up to the latest published business day.
     */
    /** `asOf`: the chain's date; the window ends on the day before it (a rerun for a past date reads that date's data). */
    async loadFscDividends(input: { chain: string; basDt?: IsoDate; year?: number; asOf?: IsoDate }): Promise<{ rows: number }> {
      const published = latestPublishedBasDt(deps.now());
      const dayBefore = input.asOf ? addDays(input.asOf, -1) : published;
      const to = dayBefore < published ? dayBefore : published;
      const dates = input.basDt
        ? [input.basDt]
        : input.year
          ? loadDates(`${input.year}-01-01`, `${input.year}-12-31` < to ? `${input.year}-12-31` : to)
          : loadDates(addDays(to, -FSC_DEFAULT_DAYS), to);
      const step = `fsc-dividends ${dates[0] ?? ''}..${dates[dates.length - 1] ?? ''}`;
      return sourceStep(deps, { chain: input.chain, step }, async () => {
        const signal = cancellationSignal();
        // The dates come from the clock, which may have moved since the last attempt: resume after its last date.
        const last = (Context.current().info.heartbeatDetails as { basDt?: string } | undefined)?.basDt;
        const from = last ? dates.indexOf(last) + 1 : 0;
        let rows = 0;
        let written = 0;
        let unkeyed = 0;
        for (let i = from; i < dates.length; i++) {
          const got = await deps.sources.dividends.dividends({ basDt: dates[i] }, signal);
          const out = fscDividendRows(got, await stocksOfIsins(deps.db, got.flatMap((r) => (r.isinCd ? [r.isinCd] : []))));
          const counts = await upsertFscDividends(deps.db, out.rows);
          rows += out.rows.length;
          unkeyed += out.unkeyed;
          written += counts.inserted + counts.updated;
          heartbeat({ done: i + 1, basDt: dates[i] });
        }
        return {
          result: { rows },
          rowsIn: rows,
          rowsWritten: written,
          skipped: rows === 0,
          details: { dates: dates.length, resumedAt: from, unkeyed },
        };
      });
    },
  };
}
