/** Users, their watchlists and the Compass Score moves the 08:00 watchlist alert reports. */
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
  const rows = await db
    .selectFrom('app_user')
    .select(['id', 'email', 'display_name'])
    .where('is_active', '=', true)
    .where('market_email', '=', true)
    .orderBy('id')
    .execute();
  return rows.map((u) => ({ userId: Number(u.id), email: u.email, name: u.display_name }));
}

/**
 * For each active user with a watchlist, the watched stocks whose latest score (on or before
 * `onOrBefore`) moved by at least `threshold` points from their previous score.
 */
export async function watchlistMoves(db: Db, onOrBefore: string, threshold: number): Promise<{ scoreDate: string | null; users: WatchlistMoves[] }> {
  const scoreDate = await latestScoreDate(db, onOrBefore);
  if (!scoreDate) return { scoreDate: null, users: [] };
  const rows = await db
    .with('changes', (qc) => scoreChangesQuery(qc, scoreDate))
    .with('lists', (qc) =>
      qc
        .selectFrom('app_user as u')
        .innerJoin('watchlist_item as w', 'w.user_id', 'u.id')
        .select((eb) => ['u.id', 'u.email', 'u.display_name', 'w.ticker', eb.fn.countAll<string>().over((ob) => ob.partitionBy('u.id')).as('watched')])
        .where('u.is_active', '=', true),
    )
    .selectFrom('lists as l')
    .leftJoin('changes as c', (join) => join.onRef('c.ticker', '=', 'l.ticker').on((eb) => eb(eb.fn<number>('abs', ['c.change']), '>=', threshold)))
    .select(['l.id', 'l.email', 'l.display_name', 'l.watched', 'c.ticker', 'c.name', 'c.score', 'c.change'])
    .orderBy('l.id')
    .orderBy((eb) => eb.fn('abs', ['c.change']), (ob) => ob.desc().nullsLast())
    .orderBy('c.ticker')
    .execute();
  const users = new Map<number, WatchlistMoves>();
  for (const r of rows) {
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
  const { n } = await db.selectFrom('app_user').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  if (Number(n) > 0) return false;
  const demo: Array<{ email: string; name: string; tickers: string[] }> = [
    { email: 'investor.kim@example.com', name: '김투자', tickers: ['005930', '000660', '035420', '005380'] },
    { email: 'analyst.lee@example.com', name: '이분석', tickers: ['035720', '051910', '068270', '207940', '373220'] },
    { email: 'market.park@example.com', name: '박시장', tickers: [] },
  ];
  await db.transaction().execute(async (trx) => {
    for (const u of demo) {
      const { id } = await trx.insertInto('app_user').values({ email: u.email, display_name: u.name }).returning('id').executeTakeFirstOrThrow();
      for (const t of u.tickers) await trx.insertInto('watchlist_item').values({ user_id: id, ticker: t }).execute();
    }
  });
  return true;
}
