/** Users, their watchlists and the Compass Score moves the 08:00 watchlist alert reports. */
import { sql } from 'kysely';
import type { Db } from './database';
import { latestScoreDate, scoreChangesQuery } from './market-email';

export interface Recipient {
  userId: number;
  email: string;
  name: string;
}

export interface ScoreMove {
  ticker: string;
  name: string;
  score: number;
  previous: number;
  change: number;
}

export interface WatchlistMoves extends Recipient {
  scoreDate: string;
  moves: ScoreMove[];
  /** Watched stocks, moved or not. */
  watched: number;
}

/** Active users who take the daily market email. */
export async function marketEmailRecipients(db: Db): Promise<Recipient[]> {
  const r = await sql<{ id: string; email: string; display_name: string }>`
    SELECT id, email, display_name FROM app_user WHERE is_active AND market_email ORDER BY id`.execute(db);
  return r.rows.map((u) => ({ userId: Number(u.id), email: u.email, name: u.display_name }));
}

/**
 * For each active user with a watchlist, the watched stocks whose latest score (on or before
 * `onOrBefore`) moved by at least `threshold` points from their previous score.
 */
export async function watchlistMoves(db: Db, onOrBefore: string, threshold: number): Promise<{ scoreDate: string | null; users: WatchlistMoves[] }> {
  const scoreDate = await latestScoreDate(db, onOrBefore);
  if (!scoreDate) return { scoreDate: null, users: [] };
  const rows = await sql<{ id: string; email: string; display_name: string; watched: string; ticker: string | null; name: string | null; score: number | null; change: number | null }>`
    WITH changes AS (${scoreChangesQuery(scoreDate)}),
         lists AS (SELECT u.id, u.email, u.display_name, w.ticker, count(*) OVER (PARTITION BY u.id) AS watched
                     FROM app_user u JOIN watchlist_item w ON w.user_id = u.id WHERE u.is_active)
    SELECT l.id, l.email, l.display_name, l.watched, c.ticker, c.name, c.score, c.change
      FROM lists l LEFT JOIN changes c ON c.ticker = l.ticker AND abs(c.change) >= ${threshold}
     ORDER BY l.id, abs(c.change) DESC NULLS LAST, c.ticker`.execute(db);
  const users = new Map<number, WatchlistMoves>();
  for (const r of rows.rows) {
    const id = Number(r.id);
    let u = users.get(id);
    if (!u) users.set(id, (u = { userId: id, email: r.email, name: r.display_name, scoreDate, moves: [], watched: Number(r.watched) }));
    if (r.ticker && r.change !== null && r.score !== null) {
      const score = Number(r.score);
      const change = Number(r.change);
      u.moves.push({ ticker: r.ticker, name: r.name ?? r.ticker, score, previous: Math.round((score - change) * 100) / 100, change });
    }
  }
  return { scoreDate, users: [...users.values()] };
}

/** Demo users and watchlists (npm run dev): added once, when there are no users yet. */
export async function seedDemoWatchlists(db: Db): Promise<boolean> {
  const n = await sql<{ n: string }>`SELECT count(*) AS n FROM app_user`.execute(db);
  if (Number(n.rows[0]!.n) > 0) return false;
  const demo: Array<{ email: string; name: string; tickers: string[] }> = [
    { email: 'investor.kim@example.com', name: '김투자', tickers: ['005930', '000660', '035420', '005380'] },
    { email: 'analyst.lee@example.com', name: '이분석', tickers: ['035720', '051910', '068270', '207940', '373220'] },
    { email: 'market.park@example.com', name: '박시장', tickers: [] },
  ];
  await db.transaction().execute(async (trx) => {
    for (const u of demo) {
      const r = await sql<{ id: string }>`INSERT INTO app_user (email, display_name) VALUES (${u.email}, ${u.name}) RETURNING id`.execute(trx);
      for (const t of u.tickers) await sql`INSERT INTO watchlist_item (user_id, ticker) VALUES (${r.rows[0]!.id}, ${t})`.execute(trx);
    }
  });
  return true;
}
