/**
 * Quotas and rates per source and key: a spent daily count answers each source's own quota
 * code until KST midnight of the simulator clock, and rate_violations counts exactly the
 * requests that arrived faster than the configured per-second rate.
 */
import {
  SIMULATOR_ALPHAVANTAGE_KEY,
  SIMULATOR_DART_KEY,
  SIMULATOR_DATAGOKR_KEY,
  SIMULATOR_FINLIFE_KEY,
  SIMULATOR_KRX_OPENAPI_KEY,
  simulatorBaseUrls,
} from '../config/simulator-endpoints';
import { listedCompanies } from '../dev/simulator/companies';
import { SourceLimiter } from '../dev/simulator/quota';
import { startSimulator, type Simulator, type SimulatorOptions } from '../dev/simulator/server';
import { DartClient } from '../sources/dart/client';
import { CorpOutlineClient } from '../sources/datagokr/corp-outline';
import { FinlifeClient } from '../sources/fss/client';
import { TOP_FIN_GRP } from '../sources/fss/products';
import { RequestPacer } from '../sources/http';
import { KrxOpenApiClient } from '../sources/krx-openapi/client';
import { failureOf } from './helpers/simulator-clients';

const KST = (iso: string) => Date.parse(`${iso}+09:00`);
let clock = KST('2025-06-30T23:00:00');
const sims: Simulator[] = [];

async function simWith(opts: SimulatorOptions): Promise<Simulator> {
  const sim = await startSimulator({ port: 0, now: () => clock, ...opts });
  sims.push(sim);
  return sim;
}
afterAll(() => Promise.all(sims.map((s) => s.close())));
beforeEach(() => {
  clock = KST('2025-06-30T23:00:00');
});

const fast = () => new RequestPacer(1_000);
const dartOf = (sim: Simulator, apiKey = SIMULATOR_DART_KEY) =>
  new DartClient({ apiKey, baseUrl: simulatorBaseUrls(sim.url).dart, timeoutMs: 10_000, pacer: fast(), now: () => KST('2025-06-30T15:00:00') });
const corp = () => ({ corpCode: listedCompanies()[0].corpCode, bsnsYear: 2024, reprtCode: '11011' as const });

test('daily quotas answer each source\'s own code, per key, and reset at KST midnight of the simulator clock', async () => {
  const sim = await simWith({
    limits: { dart: { daily: 2 }, datagokr: { daily: 1 }, finlife: { daily: 1 }, krxOpenApi: { daily: 1 }, alphaVantage: { daily: 1 } },
    extraKeys: { dart: ['second-dart-key'] },
  });
  const urls = simulatorBaseUrls(sim.url);
  const dart = dartOf(sim);
  expect(await failureOf(dart.singleAccounts(corp()))).toEqual({ cls: 'none' });
  expect(await failureOf(dart.singleAccounts(corp()))).toEqual({ cls: 'none' });
  expect(await failureOf(dart.singleAccounts(corp()))).toMatchObject({ cls: 'rate-limited', code: '020' });
  // Another key has its own count.
  expect(await failureOf(dartOf(sim, 'second-dart-key').singleAccounts(corp()))).toEqual({ cls: 'none' });

  const outline = new CorpOutlineClient({ baseUrl: urls.datagokr, serviceKey: SIMULATOR_DATAGOKR_KEY, timeoutMs: 10_000, pacer: fast(), now: () => clock });
  await outline.outlines({ crno: '1301110006246' });
  expect(await failureOf(outline.outlines({ crno: '1301110006246' }))).toMatchObject({ cls: 'rate-limited', code: '22' });

  const finlife = new FinlifeClient({ baseUrl: urls.finlife, auth: SIMULATOR_FINLIFE_KEY, timeoutMs: 10_000, pacer: fast(), now: () => clock });
  await finlife.products('deposit', { topFinGrpNo: TOP_FIN_GRP.bank });
  expect(await failureOf(finlife.products('deposit', { topFinGrpNo: TOP_FIN_GRP.bank }))).toMatchObject({ cls: 'rate-limited', code: '020' });

  const krx = new KrxOpenApiClient({ apiKey: SIMULATOR_KRX_OPENAPI_KEY, baseUrl: urls.krxOpenApi, timeoutMs: 10_000, pacer: fast(), now: () => clock });
  await krx.dailyTrades('KNX', '2025-06-27');
  expect(await failureOf(krx.dailyTrades('KNX', '2025-06-27'))).toMatchObject({ cls: 'rate-limited' });

  const av = async () => (await fetch(`${urls.alphaVantage}/query?function=GLOBAL_QUOTE&symbol=IBM&apikey=${SIMULATOR_ALPHAVANTAGE_KEY}`)).json();
  expect(await av()).toHaveProperty('Global Quote');
  expect(await av()).toHaveProperty('Information');

  const stats = sim.stats();
  expect(stats.bySource.dart).toMatchObject({ requests: 4, dailyRefused: 1, rate_violations: 0 });
  expect(stats.bySource.finlife.dailyRefused).toBe(1);

  clock = KST('2025-07-01T00:00:01');
  expect(await failureOf(dart.singleAccounts(corp()))).toEqual({ cls: 'none' });
  expect(await av()).toHaveProperty('Global Quote');
});

test('rate_violations counts requests over the rate; with "refuse" they get the source\'s answer, a paced client none', async () => {
  const sim = await simWith({ limits: { dart: { rps: 1, onRateExceeded: 'count' }, datagokr: { rps: 2 } } });
  const burst = dartOf(sim);
  for (let i = 0; i < 3; i++) expect(await failureOf(burst.singleAccounts(corp()))).toEqual({ cls: 'none' });
  expect(sim.stats().bySource.dart).toMatchObject({ requests: 3, rate_violations: 2, rateRefused: 0 });

  // Paced at the limit: three more calls a second apart add nothing.
  const paced = new DartClient({ apiKey: SIMULATOR_DART_KEY, baseUrl: simulatorBaseUrls(sim.url).dart, timeoutMs: 10_000, pacer: new RequestPacer(1), now: () => KST('2025-06-30T15:00:00') });
  await new Promise((r) => setTimeout(r, 1_000));
  for (let i = 0; i < 3; i++) await paced.singleAccounts(corp());
  expect(sim.stats().bySource.dart.rate_violations).toBe(2);

  const outline = new CorpOutlineClient({ baseUrl: sim.url, serviceKey: SIMULATOR_DATAGOKR_KEY, timeoutMs: 10_000, pacer: fast(), now: () => clock });
  const results = [];
  for (let i = 0; i < 3; i++) results.push(await failureOf(outline.outlines({ crno: '1301110006246' })));
  expect(results.map((r) => r.code ?? 'ok')).toEqual(['ok', 'ok', '23']);
  const stats = sim.stats();
  expect(stats.bySource.datagokr).toMatchObject({ rate_violations: 1, rateRefused: 1 });
  expect(stats.rate_violations).toBe(3);
});

test('the rate window: more than rps arrivals within (1000 - slack) ms is a violation, refused ones included', () => {
  let t = 0;
  const limiterAt = (rps: number) => {
    const limiter = new SourceLimiter({ rps, slackMs: 5 }, () => 0, () => t);
    return {
      limiter,
      at: (ms: number) => {
        t = ms;
        return limiter.admit('k');
      },
    };
  };
  const two = limiterAt(2);
  expect([two.at(0), two.at(100), two.at(200), two.at(1_196), two.at(1_197), two.at(1_198)]).toEqual(['ok', 'ok', 'rate', 'ok', 'ok', 'rate']);
  expect(two.limiter.counters).toEqual({ rateViolations: 2, rateRefused: 2, dailyRefused: 0 });
  // rps 1: 996 ms apart is within the slack, 994 ms is not.
  const one = limiterAt(1);
  expect([one.at(0), one.at(996), one.at(1_990)]).toEqual(['ok', 'ok', 'rate']);
});
