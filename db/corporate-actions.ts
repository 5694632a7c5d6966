/**
 * corporate_actions: DART major-event filings, one row per receipt number and event kind, every
 * field in `raw` and the typed ones of piicDecsn / fricDecsn in columns; and the ledger of
 * companies already asked for a filing range.
 */
import type { IsoDate } from '../calendar/trading-calendar';
import { type BonusIssue, MAJOR_EVENTS, type MajorEventRow, type PaidInCapitalIncrease } from '../sources/dart/corporate-actions';
import { bulkUpsert, type UpsertCounts } from './bulk-upsert';
import type { Db } from './database';

const ACTIONS = {
  table: 'corporate_actions',
  columns: {
    rcept_no: 'text', kind: 'text', kind_name: 'text', corp_code: 'text', corp_name: 'text', corp_cls: 'text', filed_on: 'date',
    new_shares_common: 'numeric', new_shares_other: 'numeric', par_value: 'numeric', shares_before_common: 'numeric', shares_before_other: 'numeric',
    issue_method: 'text', record_date: 'date', new_shares_per_share: 'numeric', new_listing_date: 'date', board_date: 'date', raw: 'jsonb',
  },
  key: ['rcept_no', 'kind'],
  touch: 'loaded_at',
} as const;

export function actionRow(e: MajorEventRow | PaidInCapitalIncrease | BonusIssue): Record<string, unknown> {
  const shares = 'nstkOstkCnt' in e ? e : undefined;
  const bonus = e.kind === 'fricDecsn' ? (e as BonusIssue) : undefined;
  const paid = e.kind === 'piicDecsn' ? (e as PaidInCapitalIncrease) : undefined;
  return {
    rcept_no: e.rceptNo, kind: e.kind, kind_name: MAJOR_EVENTS[e.kind], corp_code: e.corpCode, corp_name: e.corpName, corp_cls: e.corpCls, filed_on: e.filedOn,
    new_shares_common: shares?.nstkOstkCnt ?? null, new_shares_other: shares?.nstkEstkCnt ?? null, par_value: shares?.fvPs ?? null,
    shares_before_common: shares?.bficTisstkOstk ?? null, shares_before_other: shares?.bficTisstkEstk ?? null, issue_method: paid?.icMthn ?? null,
    record_date: bonus?.nstkAsstd ?? null, new_shares_per_share: bonus?.nstkAscntPsOstk ?? null, new_listing_date: bonus?.nstkLstprd ?? null,
    board_date: bonus?.bddd ?? null, raw: e.fields,
  };
}

export function upsertCorporateActions(db: Db, rows: readonly Record<string, unknown>[]): Promise<UpsertCounts> {
  return bulkUpsert(db, ACTIONS, rows);
}

export interface ActionRange {
  from: IsoDate;
  to: IsoDate;
  /** The kinds asked, sorted and joined: a ledger entry holds for exactly that set. */
  kinds: string;
}

export async function askedCompanies(db: Db, range: ActionRange): Promise<Set<string>> {
  const rows = await db
    .selectFrom('corporate_action_ledger')
    .select('corp_code')
    .where('from_date', '=', range.from)
    .where('to_date', '=', range.to)
    .where('kinds', '=', range.kinds)
    .execute();
  return new Set(rows.map((x) => x.corp_code));
}

export async function recordAsked(db: Db, range: ActionRange, corpCode: string, rows: number): Promise<void> {
  await db
    .insertInto('corporate_action_ledger')
    .values({ corp_code: corpCode, from_date: range.from, to_date: range.to, kinds: range.kinds, rows })
    .onConflict((oc) =>
      oc.columns(['corp_code', 'from_date', 'to_date', 'kinds']).doUpdateSet({ rows: (eb) => eb.ref('excluded.rows'), checked_at: (eb) => eb.fn<Date>('now') }),
    )
    .execute();
}

/** Filings of the range in the table, by kind, for the given companies. */
export async function actionsByKind(db: Db, corpCodes: readonly string[], from: IsoDate, to: IsoDate, kinds: readonly string[]): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('corporate_actions')
    .select((eb) => ['kind', eb.cast<number>(eb.fn.countAll(), 'integer').as('n')])
    .where((eb) => eb.and([
      eb('corp_code', '=', eb.fn.any(eb.val([...corpCodes]))),
      eb.between('filed_on', from, to),
      eb('kind', '=', eb.fn.any(eb.val([...kinds]))),
    ]))
    .groupBy('kind')
    .orderBy('kind')
    .execute();
  return Object.fromEntries(rows.map((x) => [x.kind, x.n]));
}
