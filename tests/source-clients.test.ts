/**
 * The worker's source clients as activities get them (activities/source-clients.ts): in mock
 * scope every one reaches the simulator over HTTP with the simulator's keys and draws from the
 * PostgreSQL budget; in real scope a missing key fails that source alone, naming the setting.
 */
import { sql } from 'kysely';
import { SourceClients } from '../activities/source-clients';
import { loadConfig } from '../config/env';
import { SourceError } from '../sources/errors';
import { startSimulator, type Simulator } from '../dev/simulator/server';
import { type ScratchDb, scratchDatabase } from './helpers/services';
import { testClock } from './helpers/clock';

let sim: Simulator;
let scratch: ScratchDb;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, now: testClock });
  scratch = await scratchDatabase('clients');
});

afterAll(async () => {
  await scratch?.drop();
  await sim?.close();
});

const fast = { DART_RPS: '100', FSS_RPS: '100', KRX_RPS: '100', KRX_OPENAPI_RPS: '100', YAHOO_RPS: '100', ALPHAVANTAGE_RPS: '100', DATAGOKR_RPS: '100' };

describe('mock scope', () => {
  it('reaches every source of the simulator, counting each call in PostgreSQL', async () => {
    const clients = new SourceClients(loadConfig({ SIMULATOR_URL: sim.url, DATA_SCOPE: 'mock', ...fast } as NodeJS.ProcessEnv), scratch.db, testClock);
    const day = '2024-01-05';

    expect((await clients.prices.dailyPrices(day)).find((r) => r.ticker === '005930')).toMatchObject({ name: '삼성전자' });
    expect((await clients.krxOpenApi.dailyTrades('STK', day)).length).toBeGreaterThan(500);
    expect((await clients.krxData.dailyStocks(day)).length).toBeGreaterThan(2000);
    expect((await clients.krxData.dailyEtfs(day)).length).toBeGreaterThan(10);
    const deposits = await clients.finlife.products('deposit', { topFinGrpNo: '020000' });
    expect(deposits.products.length).toBeGreaterThan(0);
    expect((await clients.yahoo.dailyBars('^KS11', '2024-01-02', day)).length).toBeGreaterThan(0);
    expect(await clients.alphaVantage.globalQuote('IBM')).not.toBeNull();
    const codes = await clients.dart.corpCodes();
    expect(codes.find((c) => c.stockCode === '005930')).toBeDefined();

    const used = await sql<{ quota_key: string; used: number }>`SELECT quota_key, used FROM source_quota_usage ORDER BY quota_key`.execute(scratch.db);
    const byKey = Object.fromEntries(used.rows.map((r) => [r.quota_key, r.used]));
    expect(byKey).toMatchObject({ dart: 1, 'krx-openapi': 1, alphavantage: 1, 'datagokr:getStockPriceInfo': expect.any(Number) });
    expect(byKey.finlife).toBeGreaterThanOrEqual(1);
    // Paced sources without a daily quota still share their per-second slot row.
    const slots = await sql<{ rate_key: string }>`SELECT rate_key FROM source_rate_slot ORDER BY rate_key`.execute(scratch.db);
    expect(slots.rows.map((r) => r.rate_key)).toEqual(expect.arrayContaining(['dart', 'krx-data', 'yahoo', 'finlife']));
  }, 60_000);

  it('needs the simulator when no source is real', () => {
    expect(() => new SourceClients(loadConfig({ DATA_SCOPE: 'mock' } as NodeJS.ProcessEnv), scratch.db)).toThrow(/mock scope needs SIMULATOR_URL/);
  });
});

describe('real scope without keys', () => {
  const clients = () => new SourceClients(loadConfig({ DATA_SCOPE: 'real', DATAGOKR_API_KEY: 'set-but-unused' } as NodeJS.ProcessEnv), scratch.db);

  it.each([
    ['dart', 'DART_API_KEY'],
    ['finlife', 'FSS_API_KEY'],
    ['krxOpenApi', 'KRX_OPENAPI_KEY'],
    ['krxData', 'KRX_ID'],
    ['alphaVantage', 'ALPHAVANTAGE_API_KEY'],
  ] as const)('%s fails on its own, non-retryable, naming %s', (getter, env) => {
    const c = clients();
    let caught: unknown;
    try {
      void c[getter];
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SourceError);
    expect(caught).toMatchObject({ failureClass: 'non-retryable', code: 'CONFIG' });
    expect((caught as Error).message).toContain(env);
    // The other sources are unaffected.
    expect(c.prices).toBeDefined();
    expect(c.yahoo).toBeDefined();
  });
});
