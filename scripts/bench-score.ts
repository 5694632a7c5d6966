/**
 * npm run bench -- score
 * The whole-market Compass Score on a market the size of KRX's: ~2,900 stocks with five years
 * of daily prices (generated in SQL) and three fiscal years of annual statements (CFS and OFS),
 * in a scratch database. Times computeMarketScores (all four axes, one statement) and one
 * ticker's recompute, and ends with {"score_s": …, "stocks": …, …}.
 */
import path from 'node:path';
import { sql } from 'kysely';
import { createDb, type Db } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { computeMarketScores, DEFAULT_SCORE_OPTIONS, recomputeTicker } from '../scoring/compass-score';
import { freePort } from './lib/ports';
import { adminPostgres, createScratchDatabase, dropDatabase } from './lib/postgres';

const STOCKS = 2900;
const SCORE_DATE = '2026-11-20';
const YEARS = 5;
/** About one company in ten has no annual statements (new listings, funds, SPACs). */
const WITH_STATEMENTS = 0.9;

export async function benchScore(): Promise<Record<string, number>> {
  const stops: Array<() => Promise<unknown>> = [];
  try {
    const admin = await adminPostgres(path.resolve(__dirname, '..', '.data', 'bench-postgres'), freePort, stops);
    const dbName = `compass_bench_score_${process.pid}`;
    const url = await createScratchDatabase(admin, dbName);
    stops.push(() => dropDatabase(admin, dbName));
    const db = createDb(url, 2);
    stops.push(() => db.destroy());
    await migrateToLatest(db);

    await generateMarket(db);

    process.stderr.write('score: the whole market, four axes…\n');
    let started = Date.now();
    const r = await computeMarketScores(db, SCORE_DATE, DEFAULT_SCORE_OPTIONS);
    const scoreS = (Date.now() - started) / 1000;
    process.stderr.write(`  ${r.scored} of ${r.universe} scored (failed ${r.failed}, ${(r.failRate * 100).toFixed(1)}%), axes ${JSON.stringify(r.axes)} in ${scoreS.toFixed(2)} s\n`);

    started = Date.now();
    await recomputeTicker(db, '000001', SCORE_DATE, DEFAULT_SCORE_OPTIONS);
    const recomputeS = (Date.now() - started) / 1000;
    process.stderr.write(`  one ticker recomputed against the market in ${recomputeS.toFixed(2)} s\n`);
    return { score_s: Number(scoreS.toFixed(2)), stocks: r.universe, scored: r.scored, recompute_s: Number(recomputeS.toFixed(2)) };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

/** The benchmark's market: stocks, prices and statements, deterministic (seeded random()). */
export async function generateMarket(db: Db): Promise<void> {
  process.stderr.write(`score: generating ${STOCKS} stocks × ${YEARS} years of weekday prices and their statements…\n`);
  const started = Date.now();
  // The generators stay raw SELECTs (generate_series, lateral rows, seeded random(): scaffolding no
  // builder makes clearer); the columns they fill are typed, so a renamed column still fails to compile.
  await sql`SELECT setseed(0.42)`.execute(db);
  await db
    .insertInto('stocks')
    .columns(['ticker', 'name', 'market', 'listed_shares', 'last_trade_date', 'is_active'])
    .expression(sql`
    SELECT lpad(k::text, 6, '0'), 'stock ' || k, CASE WHEN k % 3 = 0 THEN 'KOSDAQ' ELSE 'KOSPI' END,
           1000000 + (k * 7919) % 50000000, ${SCORE_DATE}::date, true
      FROM generate_series(1, ${STOCKS}) AS k`)
    .execute();
  // A smooth cycle plus a fast wiggle plus noise, each stock with its own phase and level; a
  // few hundred stocks listed only recently, so some have too little history.
  await db
    .insertInto('stock_price_daily')
    .columns(['ticker', 'trade_date', 'market', 'open_price', 'high_price', 'low_price', 'close_price', 'change_amount',
      'change_rate', 'volume', 'trading_value', 'listed_shares', 'source'])
    .expression(sql`
    SELECT s.ticker, d.day, s.market, c, c, c, c, 0, 0, 1000, 1000 * c, s.listed_shares, 'bench'
      FROM stocks s
      JOIN LATERAL (SELECT (s.ticker)::int AS k) t ON true
      CROSS JOIN LATERAL (
        SELECT g::date AS day, row_number() OVER (ORDER BY g) AS i
          FROM generate_series(${SCORE_DATE}::date - ${YEARS * 365}::int, ${SCORE_DATE}::date, interval '1 day') AS g
         WHERE extract(isodow FROM g) < 6) d
      CROSS JOIN LATERAL (
        SELECT greatest(100, round((1000 + (t.k * 37) % 90000)
                 * exp(0.25 * sin(d.i / 45.0 + t.k) + 0.06 * sin(d.i / 6.0 + t.k * 3) + 0.02 * random())))::bigint AS c) p
     WHERE t.k % 10 <> 0 OR d.day > ${SCORE_DATE}::date - (t.k % 200)`)
    .execute();
  await db
    .insertInto('financial_statement')
    .columns(['corp_code', 'ticker', 'fiscal_year', 'report_code', 'fs_div', 'rcept_no', 'revenue', 'operating_income',
      'net_income', 'total_assets', 'total_liabilities', 'total_equity', 'prev_revenue', 'source'])
    .expression(sql`
    SELECT 'c' || s.ticker, s.ticker, y, '11011', fs, (y + 1)::text || '0320' || lpad(k::text, 6, '0'),
           rev, rev * m, rev * m * 0.7, eq + liab, liab, eq, rev / (1 + g), 'bench'
      FROM stocks s
      CROSS JOIN LATERAL (SELECT (s.ticker)::int AS k) t
      CROSS JOIN generate_series(2023, 2025) AS y
      CROSS JOIN unnest(ARRAY['CFS', 'OFS']) AS fs
      CROSS JOIN LATERAL (SELECT 1e9 * (1 + random() * 100) AS rev, random() * 0.4 - 0.1 AS m, random() * 0.6 - 0.2 AS g,
                                 1e9 * (random() * 50 - 2) AS eq, 1e9 * random() * 80 AS liab) v
     WHERE t.k % 100 < ${WITH_STATEMENTS * 100}`)
    .execute();
  // A loaded table in service has been vacuumed (hint bits set, visibility map built); a table
  // read right after its bulk insert would time the first reader's clean-up, not the score.
  // No builder for VACUUM.
  await sql`VACUUM ANALYZE`.execute(db);
  const counts = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('stock_price_daily').select((c) => c.fn.countAll().as('n')).as('prices'),
      eb.selectFrom('financial_statement').select((c) => c.fn.countAll().as('n')).as('statements'),
    ])
    .executeTakeFirstOrThrow();
  process.stderr.write(`  ${counts.prices} price rows, ${counts.statements} statements in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
