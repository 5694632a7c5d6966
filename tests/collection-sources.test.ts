/**
 * The weekly and monthly chains' activities on real parts: each activity function runs in a
 * real activity Context (MockActivityEnvironment), its source clients talk HTTP to the
 * simulator, and its rows land in a scratch PostgreSQL database. Nothing is mocked but the
 * Temporal server, which these single activities do not need.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { sql } from 'kysely';
import { type ActivityDeps, closeActivityDeps } from '../activities/deps';
import { createActivities } from '../activities/index';
import { addDays, isTradingDay, tradingDayOnOrBefore } from '../calendar/trading-calendar';
import { companyByCorpCode, companyOfTicker, listedCompanies } from '../dev/simulator/companies';
import { dividendPerShare, filingDate, majorEventsOf } from '../dev/simulator/dart';
import { BOND_COUNT } from '../dev/simulator/datagokr-ops';
import { etfUniverse } from '../dev/simulator/krx';
import { TICKERS } from '../dev/simulator/market';
import { startSimulator, type Simulator } from '../dev/simulator/server';
import { PRODUCT_TYPES, type FinlifeProductType } from '../sources/fss/products';
import { type ScratchDb, scratchDatabase, testDeps } from './helpers/services';
import { TEST_TODAY, testClock } from './helpers/clock';

const FAST = { DART_RPS: '200', FSS_RPS: '200', KRX_RPS: '200', KRX_OPENAPI_RPS: '200', DATAGOKR_RPS: '1000' };
const chain = 'collection-sources-test';

let sim: Simulator;
let scratch: ScratchDb;
let deps: ActivityDeps;
let portalDeps: ActivityDeps;
let acts: ReturnType<typeof createActivities>;
let portal: ReturnType<typeof createActivities>;
let env: MockActivityEnvironment;

/** A real activity Context whose expected failures stay out of the test output. */
const activityEnv = (workflowId: string) =>
  new MockActivityEnvironment({ workflowExecution: { workflowId, runId: 'run-1' } }, { logger: new DefaultLogger('ERROR') });

/** One activity call in a real activity Context. */
const run = <A, R>(fn: (input: A) => Promise<R>, input: A, on: MockActivityEnvironment = env): Promise<R> => on.run(fn, input) as Promise<R>;

const count = async (query: string): Promise<number> => Number((await sql<{ n: string }>`${sql.raw(query)}`.execute(scratch.db)).rows[0]!.n);

/** The failure an activity ends with, for its Temporal type and details. */
async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, now: testClock });
  scratch = await scratchDatabase('collect');
  const base = { DATABASE_URL: scratch.url, SIMULATOR_URL: sim.url, DATA_SCOPE: 'mock', ...FAST };
  deps = testDeps(base);
  portalDeps = testDeps({ ...base, KRX_LISTING_SOURCE: 'portal' });
  acts = createActivities(deps);
  portal = createActivities(portalDeps);
  env = activityEnv('collection-sources');
});

afterAll(async () => {
  if (deps) await closeActivityDeps(deps);
  if (portalDeps) await closeActivityDeps(portalDeps);
  await scratch?.drop();
  await sim?.close();
});

afterEach(() => sim.reset());

// A ticker the simulated market delists after this date, and the trading day before it.
const delisted = TICKERS.find((t) => t.delistedAfter && t.delistedAfter > '2026-01-31' && t.delistedAfter < TEST_TODAY)!;
const beforeDelisting = tradingDayOnOrBefore(delisted.delistedAfter!);
const latest = tradingDayOnOrBefore(TEST_TODAY);

describe('KRX listing, stocks and ETFs (weekly chain)', () => {
  it('loads an older snapshot and makes stocks from it', async () => {
    const r = await run(acts.loadStockListing, { chain, asOf: beforeDelisting });
    expect(r.tradeDate).toBe(beforeDelisting);
    expect(r.rows).toBeGreaterThan(2800);
    const s = await run(acts.refreshStocks, { chain });
    expect(s).toMatchObject({ stocks: r.rows, inserted: r.rows, updated: 0, deactivated: 0, withCorpCode: 0, withCrno: 0 });
    expect(await count(`SELECT count(*) AS n FROM stocks WHERE ticker = '${delisted.srtnCd}' AND is_active`)).toBe(1);
  });

  it('loads the latest snapshot from the Open API (a Sunday falls back to Friday), and again without changes', async () => {
    const r = await run(acts.loadStockListing, { chain });
    expect(r.tradeDate).toBe(latest);
    expect(r.byMarket.KOSPI).toBeGreaterThan(900);
    expect(r.byMarket.KOSDAQ).toBeGreaterThan(1800);
    expect(r.rows).toBe(Object.values(r.byMarket).reduce((a, b) => a + b, 0));
    const samsung = (await sql<{ isin: string; market: string; name: string; close_price: string; market_cap: string; listed_shares: string; listed_date: string | null }>`
      SELECT * FROM fdr_stock_listing WHERE trade_date = ${latest} AND ticker = '005930'`.execute(scratch.db)).rows[0]!;
    expect(samsung).toMatchObject({ isin: 'KR7005930003', market: 'KOSPI', name: '삼성전자', listed_shares: '5969782550' });
    expect(Number(samsung.market_cap)).toBe(Number(samsung.close_price) * 5_969_782_550);
    expect(samsung.listed_date).not.toBeNull();
    expect(await count(`SELECT count(*) AS n FROM fdr_stock_listing WHERE trade_date = '${latest}' AND ticker = '${delisted.srtnCd}'`)).toBe(0);

    const again = await run(acts.loadStockListing, { chain });
    expect(again).toEqual(r);
    expect(await count(`SELECT count(*) AS n FROM fdr_stock_listing WHERE trade_date = '${latest}'`)).toBe(r.rows);
    const log = await sql<{ status: string; rows_written: number }>`
      SELECT status, rows_written FROM data_collection_log WHERE chain = ${chain} AND step = 'stock-listing'`.execute(scratch.db);
    expect(log.rows).toEqual([{ status: 'succeeded', rows_written: 0 }]); // the rerun wrote nothing
  });

  it('reads the same snapshot from the data portal (login, MDCSTAT01501 ALL)', async () => {
    const viaOpenApi = await count(`SELECT count(*) AS n FROM fdr_stock_listing WHERE trade_date = '${latest}'`);
    const r = await run(portal.loadStockListing, { chain, asOf: latest });
    expect(r).toMatchObject({ tradeDate: latest, rows: viaOpenApi });
    expect(sim.stats().bySource.krxData.requests).toBeGreaterThan(0);
  });

  it('falls back to the previous trading day when KRX answers a trading day empty', async () => {
    const monday = tradingDayOnOrBefore(addDays(latest, -3));
    sim.setFaults({ rules: [{ source: 'krxOpenApi', kind: 'noData', dates: [monday] }] });
    const r = await run(acts.loadStockListing, { chain, asOf: monday });
    expect(r.tradeDate).toBe(tradingDayOnOrBefore(addDays(monday, -1)));
    expect(r.rows).toBeGreaterThan(2800);
  });

  it('refreshes stocks from the latest snapshot: delisted inactive, corp_code and crno linked, then nothing to do', async () => {
    await run(acts.syncDartCorpCodes, { chain });
    const s = await run(acts.refreshStocks, { chain });
    expect(s.deactivated).toBeGreaterThanOrEqual(1);
    expect(s.stocks).toBe(await count(`SELECT count(*) AS n FROM fdr_stock_listing WHERE trade_date = '${latest}'`));
    expect(s.withCorpCode).toBeGreaterThan(s.stocks * 0.9);
    expect(s.withCrno).toBeGreaterThan(s.withCorpCode * 0.8);
    const gone = (await sql<{ is_active: boolean }>`SELECT is_active FROM stocks WHERE ticker = ${delisted.srtnCd}`.execute(scratch.db)).rows[0];
    expect(gone?.is_active).toBe(false);
    const samsung = (await sql<{ corp_code: string; crno: string; is_active: boolean; listing_date: string }>`
      SELECT corp_code, crno, is_active, listing_date::text FROM stocks WHERE ticker = '005930'`.execute(scratch.db)).rows[0]!;
    const company = companyOfTicker('005930')!;
    expect(samsung).toEqual({ corp_code: company.corpCode, crno: company.crno, is_active: true, listing_date: latest });
    // The preferred share belongs to the same company.
    const preferred = (await sql<{ corp_code: string; crno: string }>`SELECT corp_code, crno FROM stocks WHERE ticker = '005935'`.execute(scratch.db)).rows[0];
    expect(preferred).toEqual({ corp_code: company.corpCode, crno: company.crno });

    sim.reset();
    const again = await run(acts.refreshStocks, { chain });
    expect(again).toMatchObject({ inserted: 0, updated: 0, deactivated: 0, withCorpCode: s.withCorpCode, withCrno: s.withCrno });
    // Companies without a match were recorded as checked: no outline is asked again this month.
    expect(sim.stats().bySource.datagokr.requests).toBe(0);
  });

  it('loads every ETF of the day, from both KRX sources, idempotently', async () => {
    const r = await run(acts.loadEtfs, { chain });
    expect(r).toEqual({ tradeDate: latest, rows: etfUniverse().length });
    const first = etfUniverse()[0]!;
    const viaPortal = await run(portal.loadEtfs, { chain, asOf: latest });
    expect(viaPortal.rows).toBe(r.rows);
    const row = (await sql<{ isin: string; nav: string; net_assets: string; index_name: string; trade_date: string }>`
      SELECT isin, nav, net_assets, index_name, trade_date::text FROM etfs WHERE ticker = ${first.code}`.execute(scratch.db)).rows[0]!;
    expect(row).toMatchObject({ isin: first.isin, index_name: first.index, trade_date: latest });
    expect(Number(row.nav)).toBeGreaterThan(0);
    const before = await count(`SELECT count(*) AS n FROM etfs`);
    await run(acts.loadEtfs, { chain });
    expect(await count(`SELECT count(*) AS n FROM etfs`)).toBe(before);
    expect(await count(`SELECT count(*) AS n FROM etfs WHERE isin IS NULL`)).toBe(0); // the Open API's load kept the portal's ISINs
  });

  it('turns a KRX server error into a retryable Temporal failure and logs the step as failed', async () => {
    sim.setFaults({ rules: [{ source: 'krxOpenApi', kind: 'http500' }] });
    const f = await failureOf(run(acts.loadStockListing, { chain }, activityEnv('krx-fail')));
    expect(f.type).toBe('SourceRetryable');
    expect(f.nonRetryable).toBeFalsy();
    const log = await sql<{ status: string }>`SELECT status FROM data_collection_log WHERE workflow_id = 'krx-fail'`.execute(scratch.db);
    expect(log.rows).toEqual([{ status: 'failed' }]);
  });
});

describe('bonds and financial products (monthly chain)', () => {
  it('loads every bond of the latest published business day, and again without duplicates', async () => {
    const r = await run(acts.loadBonds, { chain });
    expect(r.rows).toBe(BOND_COUNT);
    expect(isTradingDay(r.basDt)).toBe(true);
    expect(r.basDt < latest || r.basDt === latest).toBe(true);
    expect(await count(`SELECT count(*) AS n FROM bonds WHERE bas_dt = '${r.basDt}' AND bond_srfc_inrt > 0 AND raw ? 'isinCd'`)).toBe(BOND_COUNT);
    const again = await run(acts.loadBonds, { chain, basDt: r.basDt });
    expect(again).toEqual(r);
    expect(await count(`SELECT count(*) AS n FROM bonds`)).toBe(BOND_COUNT);
  });

  it('treats a basDt without data (a holiday) as zero rows, and a spent data.go.kr quota as a quota wait', async () => {
    expect(await run(acts.loadBonds, { chain, basDt: '2026-11-22' })).toEqual({ basDt: '2026-11-22', rows: 0 });
    sim.setFaults({ rules: [{ kind: 'quota', paths: ['getBondBasiInfo_V2'] }] });
    const f = await failureOf(run(acts.loadBonds, { chain }));
    expect(f.type).toBe('SourceQuotaWait');
  });

  it('loads all six finlife product types over every sector and page, options joined, idempotently', async () => {
    for (const productType of Object.keys(PRODUCT_TYPES) as FinlifeProductType[]) {
      const r = await run(acts.loadFinlifeProducts, { chain, productType });
      expect(r.products).toBeGreaterThan(0);
      expect(r.options).toBeGreaterThanOrEqual(r.products);
      expect(await count(`SELECT count(*) AS n FROM finlife_product WHERE product_type = '${productType}' AND active`)).toBe(r.products);
      expect(await count(`SELECT count(*) AS n FROM finlife_product_option WHERE product_type = '${productType}'`)).toBe(r.options);
    }
    // 연금저축 in 금융투자 (060000) is served five products a page: every page was read.
    expect(await count(`SELECT count(*) AS n FROM finlife_product WHERE product_type = 'annuitySaving' AND top_fin_grp_no = '060000'`)).toBe(297);
    // Credit-loan options carry their loan kind, and join on it.
    expect(await count(`SELECT count(*) AS n FROM finlife_product_option o JOIN finlife_product p USING (product_type, fin_co_no, fin_prdt_cd, crdt_prdt_type)
                         WHERE product_type = 'creditLoan' AND p.crdt_prdt_type <> '' AND o.raw->>'crdt_prdt_type' = p.crdt_prdt_type`))
      .toBe(await count(`SELECT count(*) AS n FROM finlife_product_option WHERE product_type = 'creditLoan'`));
    // The seed's monthly check runs as written.
    expect(await count(`SELECT count(*) AS n FROM deposit_products`)).toBe(290);
    expect(await count(`SELECT count(*) AS n FROM savings_products`)).toBe(275);

    // A product the source no longer lists is kept, inactive; a rerun changes nothing else.
    await sql`INSERT INTO finlife_product (product_type, fin_co_no, fin_prdt_cd, top_fin_grp_no, raw) VALUES ('deposit', '0099999', 'GONE-1', '020000', '{}')`.execute(scratch.db);
    const before = await count(`SELECT count(*) AS n FROM finlife_product_option`);
    await run(acts.loadFinlifeProducts, { chain, productType: 'deposit' });
    const gone = (await sql<{ active: boolean }>`SELECT active FROM finlife_product WHERE fin_prdt_cd = 'GONE-1'`.execute(scratch.db)).rows[0];
    expect(gone?.active).toBe(false);
    expect(await count(`SELECT count(*) AS n FROM finlife_product_option`)).toBe(before);
    expect(await count(`SELECT count(*) AS n FROM deposit_products`)).toBe(290);
  });

  it('fails non-retryably (with an alert) on a refused finlife key', async () => {
    sim.setFaults({ rules: [{ source: 'finlife', kind: 'auth' }] });
    const f = await failureOf(run(acts.loadFinlifeProducts, { chain, productType: 'saving' }));
    expect(f.type).toBe('SourceNonRetryable');
    expect(f.nonRetryable).toBe(true);
    expect(f.details?.[0]).toMatchObject({ source: 'finlife', alert: true });
    expect(f.message).not.toContain('sim-finlife-key');
  });
});

describe('dividends and corporate actions', () => {
  const fiscalYear = 2024;

  it('plans DART dividends in batches of 20, loads two batches, and skips them on the next plan', async () => {
    const plan = await run(acts.planDartDividends, { chain, fiscalYear });
    expect(plan.alreadyLoaded).toBe(0);
    expect(plan.batches[0]).toHaveLength(20);
    expect(plan.batches.flat()).toHaveLength(plan.listed);
    const two = plan.batches.slice(0, 2);
    let withData = 0;
    for (const corpCodes of two) {
      const r = await run(acts.loadDartDividendBatch, { chain, fiscalYear, corpCodes });
      expect(r.companies).toBe(20);
      withData += r.withData;
    }
    expect(withData).toBeGreaterThan(20);
    for (const corpCode of two.flat()) {
      const c = companyByCorpCode(corpCode)!;
      const dps = dividendPerShare(c, fiscalYear);
      const row = (await sql<{ cash_dps: string | null; ticker: string }>`
        SELECT cash_dps, ticker FROM dividend_history WHERE source = 'dart' AND corp_code = ${corpCode} AND fiscal_year = ${fiscalYear} AND share_kind = '보통주'`.execute(scratch.db)).rows[0];
      if (!row) continue; // no annual report (yet) in the simulated market
      expect(row.ticker).toBe(c.ticker!.srtnCd);
      expect(row.cash_dps === null ? 0 : Number(row.cash_dps)).toBe(dps);
    }
    const rows = await count(`SELECT count(*) AS n FROM dividend_history WHERE source = 'dart'`);
    const next = await run(acts.planDartDividends, { chain, fiscalYear });
    expect(next.alreadyLoaded).toBe(40);
    await run(acts.loadDartDividendBatch, { chain, fiscalYear, corpCodes: two[0]! });
    expect(await count(`SELECT count(*) AS n FROM dividend_history WHERE source = 'dart'`)).toBe(rows);

    // A retried attempt resumes after the last company its predecessor heartbeated.
    sim.reset();
    const retry = new MockActivityEnvironment(
      { workflowExecution: { workflowId: 'dividend-retry', runId: 'run-1' }, attempt: 2, heartbeatDetails: { done: 15 } },
      { logger: new DefaultLogger('ERROR') },
    );
    const third = plan.batches[2]!;
    await run(acts.loadDartDividendBatch, { chain, fiscalYear, corpCodes: third }, retry);
    expect(sim.stats().bySource.dart.requests).toBe(5);
    expect(await count(`SELECT count(*) AS n FROM dart_report_ledger WHERE report_code = 'alotMatter/11011' AND corp_code IN ('${third.join("','")}')`)).toBe(5);
  });

  it('loads FSC dividends for every load date of a year, idempotently', async () => {
    const r = await run(acts.loadFscDividends, { chain, year: 2024 });
    const expected = listedCompanies().filter((c) => filingDate(c, 2023, 4).startsWith('2024') && dividendPerShare(c, 2023) > 0);
    expect(r.rows).toBe(expected.length);
    const c = expected[0]!;
    const row = (await sql<{ cash_dps: string; record_date: string; ticker: string | null; crno: string; corp_code: string | null }>`
      SELECT cash_dps, record_date::text, ticker, crno, corp_code FROM dividend_history WHERE source = 'fsc' AND isin = ${c.ticker!.isinCd}`.execute(scratch.db)).rows;
    expect(row).toContainEqual({ cash_dps: String(dividendPerShare(c, 2023)), record_date: '2023-12-31', ticker: c.ticker!.srtnCd, crno: c.crno, corp_code: c.corpCode });
    // Loading one of those days again changes nothing.
    const day = filingDate(c, 2023, 4);
    const stamp = `SELECT max(loaded_at)::text AS n FROM dividend_history WHERE source = 'fsc'`;
    const before = (await sql<{ n: string }>`${sql.raw(stamp)}`.execute(scratch.db)).rows[0]!.n;
    const again = await run(acts.loadFscDividends, { chain, basDt: day });
    expect(again.rows).toBe(expected.filter((x) => filingDate(x, 2023, 4) === day).length);
    expect(await count(`SELECT count(*) AS n FROM dividend_history WHERE source = 'fsc'`)).toBe(r.rows);
    expect((await sql<{ n: string }>`${sql.raw(stamp)}`.execute(scratch.db)).rows[0]!.n).toBe(before);
  });

  it('loads a quarter of DART major events for a set of companies, typed fields included, and skips them on a rerun', async () => {
    const [from, to] = ['2024-01-01', '2024-03-31'];
    const inRange = (c: ReturnType<typeof listedCompanies>[number]) => majorEventsOf(c).filter((e) => e.filed >= from && e.filed <= to);
    const withEvents = listedCompanies().filter((c) => inRange(c).length > 0).slice(0, 10);
    const without = listedCompanies().filter((c) => inRange(c).length === 0).slice(0, 10);
    const corpCodes = [...withEvents, ...without].map((c) => c.corpCode);
    const expected: Record<string, number> = {};
    for (const e of withEvents.flatMap(inRange)) expected[e.kind] = (expected[e.kind] ?? 0) + 1;

    const r = await run(acts.loadCorporateActions, { chain, from, to, corpCodes });
    expect(r.byKind).toEqual(expected);
    expect(r.rows).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
    expect(sim.stats().bySource.dart.requests).toBe(corpCodes.length * 14);
    const typed = await count(`SELECT count(*) AS n FROM corporate_actions WHERE kind IN ('piicDecsn', 'fricDecsn') AND new_shares_common > 0 AND raw ? 'nstk_ostk_cnt'`);
    expect(typed).toBe((expected.piicDecsn ?? 0) + (expected.fricDecsn ?? 0));

    sim.reset();
    const again = await run(acts.loadCorporateActions, { chain, from, to, corpCodes });
    expect(again).toEqual(r);
    expect(sim.stats().bySource.dart.requests).toBe(0);

    // The plan for the whole market leaves out the companies already asked.
    const plan = await run(acts.planCorporateActions, { chain, from, to });
    const planned = new Set(plan.batches.flat());
    expect(corpCodes.some((c) => planned.has(c))).toBe(false);
    expect(plan.batches[0]).toHaveLength(20);
    expect(planned.size + plan.alreadyLoaded).toBe(plan.listed);
    expect(plan.alreadyLoaded).toBeGreaterThan(0);
    expect(plan.alreadyLoaded).toBeLessThanOrEqual(corpCodes.length);
  });
});
