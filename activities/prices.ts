/**
 * Price activities of the daily chain: find the trading dates still missing, then load them
 * a batch of dates per activity (never one activity per ticker), each date in one bulk
 * statement. A retried batch resumes after the last date it heartbeated.
 */
import { Context, cancellationSignal, log } from '@temporalio/activity';
import type { RetryPolicy } from '@temporalio/common';
import { addDays, calendarYears, type IsoDate, tradingDaysBetween } from '../calendar/trading-calendar';
import { lastSettledDate, recordPartition, savePartition, settledDates, upsertStocksFromPrices } from '../db/prices';
import { SourceError } from '../sources/errors';
import type { PriceRow } from '../sources/datagokr/stock-price-info';
import { budgetedAttempt } from './attempt-budget';
import type { ActivityDeps } from './deps';
import { failureRules, toActivityFailure } from './failures';
import { withStepLog } from './step-log';

export interface PlanPriceLoadInput {
  chain: string;
  target: IsoDate;
  /** Default: PRICE_BACKFILL_DAYS of the worker's environment. */
  backfillDays?: number;
  /** An explicit first date (an operator's range backfill) instead of the backfill window. */
  from?: IsoDate;
}

export interface PriceLoadPlan {
  source: string;
  lastLoaded: IsoDate | null;
  from: IsoDate;
  missing: IsoDate[];
}

export interface LoadPriceBatchInput {
  chain: string;
  dates: IsoDate[];
  /** The chain's target date: an empty answer for it means "not published yet", not "closed". */
  target: IsoDate;
  /** The retry policy of the batch's own failures; the server's policy leaves room for crashes (shared/crash-retries.ts). */
  failureRetry?: RetryPolicy;
}

export interface LoadPriceBatchResult {
  loaded: IsoDate[];
  /** The target date, when the source has nothing for it yet. */
  unpublished: IsoDate[];
  /** Earlier trading days (by the calendar) for which the source had no rows: unplanned closures. */
  noData: IsoDate[];
  rows: number;
  written: number;
}

export function priceActivities(deps: ActivityDeps) {
  return {
    async planPriceLoad(input: PlanPriceLoadInput): Promise<PriceLoadPlan> {
      return withStepLog(deps.db, { chain: input.chain, step: 'plan-prices', tradingDate: input.target }, async () => {
        const lastLoaded = await lastSettledDate(deps.db, deps.priceSource);
        const floor = `${calendarYears().firstYear}-01-01`;
        const backfillDays = input.backfillDays ?? deps.cfg.PRICE_BACKFILL_DAYS;
        // The whole backfill window, not just the days after the newest loaded one: batches of a
        // backfill finish out of order, so a failed batch leaves a gap behind later loaded dates,
        // and the next run must fill it.
        let from = input.from ?? addDays(input.target, -backfillDays + 1);
        if (from < floor) {
          log.warn('backfill start clipped to the first year of the holiday calendar', { wanted: from, floor });
          from = floor;
        }
        const candidates = from <= input.target ? tradingDaysBetween(from, input.target) : [];
        const settled = candidates.length ? await settledDates(deps.db, deps.priceSource, from, input.target) : new Set<string>();
        const missing = candidates.filter((d) => !settled.has(d));
        return {
          result: { source: deps.priceSource, lastLoaded, from, missing },
          rowsIn: missing.length,
          details: { lastLoaded, from, missing: missing.length },
        };
      });
    },

    async loadPriceBatch(input: LoadPriceBatchInput): Promise<LoadPriceBatchResult> {
      const info = Context.current().info;
      const first = input.dates[0];
      const last = input.dates[input.dates.length - 1];
      const step = first === last ? `prices ${first}` : `prices ${first}..${last}`;
      const workflowId = info.workflowExecution?.workflowId ?? 'standalone';
      // Heartbeats at least every 10 s, and keeps the attempts lost to worker crashes out of the failure budget.
      return budgetedAttempt<{ done: number; date: IsoDate }, LoadPriceBatchResult>(({ resume, beat }) => withStepLog(deps.db, { chain: input.chain, step, tradingDate: last }, async () => {
        // Dates finished by an earlier attempt are in the ledger already; skip them.
        const resumeFrom = resume.done ?? 0;
        const out: LoadPriceBatchResult = { loaded: [], unpublished: [], noData: [], rows: 0, written: 0 };
        const batchRows: PriceRow[] = [];
        for (let i = resumeFrom; i < input.dates.length; i++) {
          const date = input.dates[i]!;
          let rows: PriceRow[];
          try {
            rows = await deps.sources.prices.dailyPrices(date, cancellationSignal());
          } catch (err) {
            if (err instanceof SourceError) {
              await recordPartition(deps.db, {
                source: deps.priceSource, tradeDate: date, status: 'failed', rowCount: 0,
                workflowId, error: err.message,
              });
            }
            throw toActivityFailure(err, failureRules(deps.cfg));
          }
          if (rows.length === 0 && date === input.target) {
            // Left out of the ledger on purpose, so that the chain asks again.
            out.unpublished.push(date);
          } else if (rows.length === 0) {
            log.warn('the source has no prices for a trading day of the calendar; recorded as no-data', { date });
            await recordPartition(deps.db, {
              source: deps.priceSource, tradeDate: date, status: 'no-data', rowCount: 0,
              workflowId,
            });
            out.noData.push(date);
          } else {
            out.written += await savePartition(deps.db, deps.priceSource, date, rows, workflowId);
            out.loaded.push(date);
            out.rows += rows.length;
            collectLatestPerTicker(batchRows, rows);
          }
          beat({ done: i + 1, date });
        }
        await upsertStocksFromPrices(deps.db, batchRows);
        return {
          result: out,
          rowsIn: out.rows,
          rowsWritten: out.written,
          details: { dates: input.dates.length, loaded: out.loaded.length, unpublished: out.unpublished, noData: out.noData, resumedAt: resumeFrom },
        };
      }), input.failureRetry);
    },
  };
}

/** Keeps memory flat over a batch: only the newest row of each ticker is needed for the stock master. */
function collectLatestPerTicker(acc: PriceRow[], rows: PriceRow[]): void {
  const index = new Map(acc.map((r, i) => [r.ticker, i]));
  for (const r of rows) {
    const i = index.get(r.ticker);
    if (i === undefined) {
      index.set(r.ticker, acc.length);
      acc.push(r);
    } else if (acc[i]!.tradeDate < r.tradeDate) acc[i] = r;
  }
}
