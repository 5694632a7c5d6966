/**
 * The database half of the 07:30 market email: market breadth and top movers of the last
 * loaded trading day, and the Compass Score highlights, each with the date it is as of.
 */
import type { QueryCreator } from 'kysely';
import type { Db } from './database';
import type { Database } from './schema';

export interface Breadth {
  market: string;
  advancers: number;
  decliners: number;
  unchanged: number;
}

export interface Mover {
  ticker: string;
  name: string;
  market: string;
  close: number;
  changeRate: number;
}

export interface ScoreRow {
  ticker: string;
  name: string;
  score: number;
  /** Points since the stock's previous score; null when it has none. */
  change: number | null;
}

export interface PriceSummary {
  /** The last trading date with prices on or before the asked date; null when there are none. */
  tradeDate: string | null;
  breadth: Breadth[];
  gainers: Mover[];
  losers: Mover[];
}

export interface ScoreSummary {
  scoreDate: string | null;
  scored: number;
  top: ScoreRow[];
  risers: ScoreRow[];
  fallers: ScoreRow[];
}

const TOP = 5;

export async function priceSummary(db: Db, onOrBefore: string): Promise<PriceSummary> {
  const last = await db
    .selectFrom('stock_price_daily')
    .select((eb) => eb.fn.max<string | null>('trade_date').as('d'))
    .where('trade_date', '<=', onOrBefore)
    .executeTakeFirst();
  const tradeDate = last?.d ?? null;
  if (!tradeDate) return { tradeDate: null, breadth: [], gainers: [], losers: [] };
  const breadth = await db
    .selectFrom('stock_price_daily')
    .select((eb) => [
      'market',
      eb.fn.countAll<string>().filterWhere('change_amount', '>', '0').as('adv'),
      eb.fn.countAll<string>().filterWhere('change_amount', '<', '0').as('dec'),
      eb.fn.countAll<string>().filterWhere('change_amount', '=', '0').as('unch'),
    ])
    .where('trade_date', '=', tradeDate)
    .groupBy('market')
    .orderBy('market')
    .execute();
  const movers = async (dir: 'desc' | 'asc'): Promise<Mover[]> => {
    const rows = await db
      .selectFrom('stock_price_daily as p')
      .leftJoin('stocks as s', 's.ticker', 'p.ticker')
      .select((eb) => ['p.ticker', eb.fn.coalesce('s.name', 'p.ticker').as('name'), 'p.market', 'p.close_price', 'p.change_rate'])
      .where('p.trade_date', '=', tradeDate)
      .where('p.change_rate', 'is not', null)
      .where('p.volume', '>', '0')
      .orderBy('p.change_rate', dir)
      .orderBy('p.ticker')
      .limit(TOP)
      .execute();
    return rows.map((r) => ({ ticker: r.ticker, name: r.name, market: r.market, close: Number(r.close_price), changeRate: Number(r.change_rate) }));
  };
  return {
    tradeDate,
    breadth: breadth.map((r) => ({ market: r.market, advancers: Number(r.adv), decliners: Number(r.dec), unchanged: Number(r.unch) })),
    gainers: (await movers('desc')).filter((m) => m.changeRate > 0),
    losers: (await movers('asc')).filter((m) => m.changeRate < 0),
  };
}

/** Each stock's score on `scoreDate` and its previous score, for highlights and watchlists alike. */
export function scoreChangesQuery(qc: QueryCreator<Database>, scoreDate: string) {
  return qc
    .selectFrom('compass_score_daily as c')
    .leftJoin('stocks as s', 's.ticker', 'c.ticker')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('compass_score_daily as p')
          .select('p.total_score')
          .whereRef('p.ticker', '=', 'c.ticker')
          .whereRef('p.score_date', '<', 'c.score_date')
          .where('p.total_score', 'is not', null)
          .orderBy('p.score_date', 'desc')
          .limit(1)
          .as('prev'),
      (join) => join.onTrue(),
    )
    .select((eb) => [
      'c.ticker',
      eb.fn.coalesce('s.name', 'c.ticker').as('name'),
      eb.cast<number>('c.total_score', 'float8').as('score'),
      eb.cast<number | null>(eb('c.total_score', '-', eb.ref('prev.total_score')), 'float8').as('change'),
    ])
    .where('c.score_date', '=', scoreDate)
    .where('c.total_score', 'is not', null);
}

export async function latestScoreDate(db: Db, onOrBefore: string): Promise<string | null> {
  const r = await db
    .selectFrom('compass_score_daily')
    .select((eb) => eb.fn.max<string | null>('score_date').as('d'))
    .where('score_date', '<=', onOrBefore)
    .where('total_score', 'is not', null)
    .executeTakeFirst();
  return r?.d ?? null;
}

export async function scoreSummary(db: Db, onOrBefore: string): Promise<ScoreSummary> {
  const scoreDate = await latestScoreDate(db, onOrBefore);
  if (!scoreDate) return { scoreDate: null, scored: 0, top: [], risers: [], fallers: [] };
  const changes = () => db.selectFrom(scoreChangesQuery(db, scoreDate).as('x')).selectAll().limit(TOP);
  const n = await db
    .selectFrom('compass_score_daily')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('score_date', '=', scoreDate)
    .where('total_score', 'is not', null)
    .executeTakeFirstOrThrow();
  const norm = (r: { ticker: string; name: string; score: number; change: number | null }): ScoreRow => ({
    ticker: r.ticker, name: r.name, score: Number(r.score), change: r.change === null ? null : Number(r.change),
  });
  return {
    scoreDate,
    scored: Number(n.n),
    top: (await changes().orderBy('score', 'desc').orderBy('ticker').execute()).map(norm),
    risers: (await changes().where('change', '>', 0).orderBy('change', 'desc').orderBy('ticker').execute()).map(norm),
    fallers: (await changes().where('change', '<', 0).orderBy('change', 'asc').orderBy('ticker').execute()).map(norm),
  };
}
