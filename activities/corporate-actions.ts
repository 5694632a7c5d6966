/**
 * Corporate actions (seed 001 source 15, quarterly): DART major-event reports (DS005) of a
 * filing range for every listed company and every kind the client knows. The endpoints take one
 * corp_code per call, so a quarter is companies × kinds calls (about 2,900 × 14); each company
 * is written with a ledger entry once all its kinds are asked, so a retry, or the next run after
 * a quota wait, skips it. planCorporateActions splits the market into batches for `corpCodes`;
 * without them one activity asks every listed company (hours at DART's 1 call a second).
 *
 * DART limits a search without corp_code to three months (list.json); these endpoints always
 * carry one, so a longer range is asked as it is.
 */
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { IsoDate } from '../calendar/trading-calendar';
import { actionRow, actionsByKind, type ActionRange, askedCompanies, recordAsked, upsertCorporateActions } from '../db/corporate-actions';
import { listedCorpCodes } from '../db/financials';
import { MAJOR_EVENTS, type MajorEventKind } from '../sources/dart/corporate-actions';
import { chunkCorpCodes } from '../sources/dart/financial-statements';
import { sourceStep } from './collect';
import type { ActivityDeps } from './deps';

export interface LoadCorporateActionsInput {
  chain: string;
  from: IsoDate;
  to: IsoDate;
  /** Default: every kind of MAJOR_EVENTS. */
  kinds?: MajorEventKind[];
  /** Default: every listed company (dart_corp_code, active in stocks). */
  corpCodes?: string[];
  /** Ask companies the ledger shows as done for this range again. */
  reload?: boolean;
}

/** Companies per loadCorporateActions batch: 20 × 14 kinds = 280 calls, under 5 minutes at DART's 1 call a second. */
export const CORPORATE_ACTION_BATCH = 20;

function checkedRange(input: { from: IsoDate; to: IsoDate; kinds?: MajorEventKind[] }): ActionRange {
  const kinds = [...new Set(input.kinds ?? (Object.keys(MAJOR_EVENTS) as MajorEventKind[]))].sort();
  const unknown = kinds.filter((k) => !Object.hasOwn(MAJOR_EVENTS, k));
  if (unknown.length || !(input.from <= input.to)) {
    throw ApplicationFailure.create({ type: 'BadInput', nonRetryable: true, message: `bad range ${input.from}..${input.to} or unknown kinds ${unknown.join(', ')}` });
  }
  return { from: input.from, to: input.to, kinds: kinds.join(',') };
}

export function corporateActionActivities(deps: ActivityDeps) {
  return {
    /** The listed companies not yet asked for this range and these kinds, in batches for loadCorporateActions' `corpCodes`. */
    async planCorporateActions(input: { chain: string; from: IsoDate; to: IsoDate; kinds?: MajorEventKind[]; batchSize?: number; reload?: boolean }): Promise<{ batches: string[][]; listed: number; alreadyLoaded: number }> {
      const range = checkedRange(input);
      const all = await listedCorpCodes(deps.db);
      const asked = input.reload ? new Set<string>() : await askedCompanies(deps.db, range);
      const todo = all.filter((c) => !asked.has(c));
      return { batches: chunkCorpCodes(todo, input.batchSize ?? CORPORATE_ACTION_BATCH), listed: all.length, alreadyLoaded: all.length - todo.length };
    },

    async loadCorporateActions(input: LoadCorporateActionsInput): Promise<{ rows: number; byKind: Record<string, number> }> {
      const range = checkedRange(input);
      const kinds = range.kinds.split(',') as MajorEventKind[];
      return sourceStep(deps, { chain: input.chain, step: `corporate-actions ${input.from}..${input.to}${input.corpCodes ? ` ${input.corpCodes[0]}+${input.corpCodes.length - 1}` : ''}` }, async () => {
        const signal = cancellationSignal();
        const companies = input.corpCodes ?? (await listedCorpCodes(deps.db));
        const asked = input.reload ? new Set<string>() : await askedCompanies(deps.db, range);
        const todo = companies.filter((c) => !asked.has(c));
        let written = 0;
        for (let i = 0; i < todo.length; i++) {
          const corpCode = todo[i]!;
          const req = { corpCode, bgnDe: input.from, endDe: input.to };
          const rows: Record<string, unknown>[] = [];
          for (const kind of kinds) {
            const found =
              kind === 'piicDecsn' ? await deps.sources.dart.paidInCapitalIncreases(req, signal)
              : kind === 'fricDecsn' ? await deps.sources.dart.bonusIssues(req, signal)
              : await deps.sources.dart.majorEvents(kind, req, signal);
            rows.push(...found.map(actionRow));
          }
          const counts = await upsertCorporateActions(deps.db, rows);
          await recordAsked(deps.db, range, corpCode, rows.length);
          written += counts.inserted + counts.updated;
          heartbeat({ done: i + 1, of: todo.length });
        }
        const byKind = await actionsByKind(deps.db, companies, input.from, input.to, kinds);
        const total = Object.values(byKind).reduce((a, b) => a + b, 0);
        return {
          result: { rows: total, byKind },
          rowsIn: todo.length,
          rowsWritten: written,
          details: { companies: companies.length, asked: todo.length, skipped: companies.length - todo.length, calls: todo.length * kinds.length },
        };
      });
    },
  };
}
