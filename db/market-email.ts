/**
 * The database half of the 07:30 market email: market breadth and top movers of the last
 * loaded trading day, and the Compass Score highlights, each with the date it is as of.
 */
import { sql } from 'kysely';
import type { Db } from './database';

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
  const last = await sql<{ d: string | null }>`
    SELECT max(trade_date)::text AS d FROM stock_price_daily WHERE trade_date <= ${onOrBefore}::date`.execute(db);
  const tradeDate = last.rows[0]?.d ?? null;
  if (!tradeDate) return { tradeDate: null, breadth: [], gainers: [], losers: [] };
  const breadth = await sql<{ market: string; adv: string; dec: string; unch: string }>`
    SELECT market, count(*) FILTER (WHERE change_amount > 0) AS adv, count(*) FILTER (WHERE change_amount < 0) AS dec,
           count(*) FILTER (WHERE change_amount = 0) AS unch
      FROM stock_price_daily WHERE trade_date = ${tradeDate}::date GROUP BY market ORDER BY market`.execute(db);
  const movers = (dir: 'DESC' | 'ASC') => sql<{ ticker: string; name: string; market: string; close_price: string; change_rate: string }>`
    SELECT p.ticker, coalesce(s.name, p.ticker) AS name, p.market, p.close_price, p.change_rate
      FROM stock_price_daily p LEFT JOIN stocks s ON s.ticker = p.ticker
     WHERE p.trade_date = ${tradeDate}::date AND p.change_rate IS NOT NULL AND p.volume > 0
     ORDER BY p.change_rate ${sql.raw(dir)}, p.ticker LIMIT ${TOP}`.execute(db);
  const toMover = (r: { ticker: string; name: string; market: string; close_price: string; change_rate: string }): Mover => ({
    ticker: r.ticker, name: r.name, market: r.market, close: Number(r.close_price), changeRate: Number(r.change_rate),
  });
  return {
    tradeDate,
    breadth: breadth.rows.map((r) => ({ market: r.market, advancers: Number(r.adv), decliners: Number(r.dec), unchanged: Number(r.unch) })),
    gainers: (await movers('DESC')).rows.map(toMover).filter((m) => m.changeRate > 0),
    losers: (await movers('ASC')).rows.map(toMover).filter((m) => m.changeRate < 0),
  };
}

/** Each stock's score on `scoreDate` and its previous score, for highlights and watchlists alike. */
export function scoreChangesQuery(scoreDate: string) {
  return sql`
    SELECT c.ticker, coalesce(s.name, c.ticker) AS name, c.total_score::float8 AS score,
           (c.total_score - prev.total_score)::float8 AS change
      FROM compass_score_daily c
      LEFT JOIN stocks s ON s.ticker = c.ticker
      LEFT JOIN LATERAL (
        SELECT p.total_score FROM compass_score_daily p
         WHERE p.ticker = c.ticker AND p.score_date < c.score_date AND p.total_score IS NOT NULL
         ORDER BY p.score_date DESC LIMIT 1) prev ON true
     WHERE c.score_date = ${scoreDate}::date AND c.total_score IS NOT NULL`;
}

export async function latestScoreDate(db: Db, onOrBefore: string): Promise<string | null> {
  const r = await sql<{ d: string | null }>`
    SELECT max(score_date)::text AS d FROM compass_score_daily WHERE score_date <= ${onOrBefore}::date AND total_score IS NOT NULL`.execute(db);
  return r.rows[0]?.d ?? null;
}

export async function scoreSummary(db: Db, onOrBefore: string): Promise<ScoreSummary> {
  const scoreDate = await latestScoreDate(db, onOrBefore);
  if (!scoreDate) return { scoreDate: null, scored: 0, top: [], risers: [], fallers: [] };
  const q = scoreChangesQuery(scoreDate);
  type Row = { ticker: string; name: string; score: number; change: number | null };
  const pick = (order: string, where = 'true') => sql<Row>`
    SELECT * FROM (${q}) x WHERE ${sql.raw(where)} ORDER BY ${sql.raw(order)}, ticker LIMIT ${TOP}`.execute(db);
  const n = await sql<{ n: string }>`SELECT count(*) AS n FROM compass_score_daily WHERE score_date = ${scoreDate}::date AND total_score IS NOT NULL`.execute(db);
  const norm = (r: Row): ScoreRow => ({ ticker: r.ticker, name: r.name, score: Number(r.score), change: r.change === null ? null : Number(r.change) });
  return {
    scoreDate,
    scored: Number(n.rows[0]!.n),
    top: (await pick('score DESC')).rows.map(norm),
    risers: (await pick('change DESC', 'change > 0')).rows.map(norm),
    fallers: (await pick('change ASC', 'change < 0')).rows.map(norm),
  };
}
