/**
 * The FSC operations beside getStockPriceInfo on the simulator, through the real clients:
 * dividends, all ~19,000 bonds paged to the end, corporate outlines that link to DART, and the
 * shared data.go.kr envelope, key check and fault codes.
 */
import { SIMULATOR_DART_KEY, SIMULATOR_DATAGOKR_KEY, simulatorBaseUrls } from '../config/simulator-endpoints';
import { companyOfTicker, listedCompanies } from '../dev/simulator/companies';
import { dividendPerShare } from '../dev/simulator/dart';
import { BOND_COUNT } from '../dev/simulator/datagokr-ops';
import { startSimulator, type Simulator } from '../dev/simulator/server';
import { DartClient } from '../sources/dart/client';
import { tickerToCorpCode } from '../sources/dart/corp-code';
import { BondBasicInfoClient } from '../sources/datagokr/bond-basic-info';
import { CorpOutlineClient } from '../sources/datagokr/corp-outline';
import type { DatagokrClientOptions } from '../sources/datagokr/paged-query';
import { StockDividendsClient } from '../sources/datagokr/stock-dividends';
import { RequestPacer } from '../sources/http';
import { failureOf, faultOnce } from './helpers/simulator-clients';

const clock = Date.parse('2025-06-30T15:00:00+09:00');
let sim: Simulator;
let opts: DatagokrClientOptions;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, now: () => clock });
  opts = { baseUrl: simulatorBaseUrls(sim.url).datagokr, serviceKey: SIMULATOR_DATAGOKR_KEY, timeoutMs: 20_000, pacer: new RequestPacer(1_000), now: () => clock };
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

test('getDiviInfo_V2: a company\'s yearly cash dividends, by crno and by load date', async () => {
  const c = listedCompanies().find((x) => dividendPerShare(x, 2022) > 0 && dividendPerShare(x, 2023) > 0)!;
  const client = new StockDividendsClient(opts);
  const rows = await client.dividends({ crno: c.crno });
  expect(rows.length).toBeGreaterThanOrEqual(2);
  const y2023 = rows.find((r) => r.eventDate === '2023-12-31')!;
  expect(y2023).toMatchObject({ crno: c.crno, isinCd: c.ticker!.isinCd, stckGenrDvdnAmt: dividendPerShare(c, 2023) });
  const sameDay = await client.dividends({ basDt: y2023.basDt! });
  expect(sameDay.map((r) => r.crno)).toContain(c.crno);
  expect(new Set(sameDay.map((r) => r.basDt))).toEqual(new Set([y2023.basDt]));
});

test('getBondBasiInfo_V2: every bond of a date, 19 pages of 1,000, no duplicates', async () => {
  const rows = await new BondBasicInfoClient(opts).bonds({ basDt: '2025-06-27' });
  expect(rows).toHaveLength(BOND_COUNT);
  expect(new Set(rows.map((r) => r.isinCd)).size).toBe(BOND_COUNT);
  expect(sim.stats().bySource.datagokr.requests).toBe(19);
  expect(rows.every((r) => r.basDt === '2025-06-27' && r.bondIssuDt! < r.bondExprDt! && r.bondBal === r.bondIssuAmt)).toBe(true);
  // One issuer's bonds, and a holiday with none.
  const crno = rows[0].crno!;
  const mine = await new BondBasicInfoClient(opts).bonds({ basDt: '2025-06-27', crno });
  expect(mine.map((r) => r.isinCd).sort()).toEqual(rows.filter((r) => r.crno === crno).map((r) => r.isinCd).sort());
  expect(await new BondBasicInfoClient(opts).bonds({ basDt: '2025-06-28' })).toEqual([]);
});

test('getCorpOutline_V2: fssCorpUnqNo is the corp_code DART gives the same company', async () => {
  const dart = new DartClient({ apiKey: SIMULATOR_DART_KEY, baseUrl: simulatorBaseUrls(sim.url).dart, timeoutMs: 10_000, pacer: new RequestPacer(1_000), now: () => clock });
  const byTicker = tickerToCorpCode(await dart.corpCodes());
  const outline = new CorpOutlineClient(opts);
  for (const ticker of ['005930', listedCompanies()[500].ticker!.srtnCd]) {
    const c = companyOfTicker(ticker)!;
    expect(await outline.dartCorpCode(c.crno)).toBe(byTicker.get(ticker));
  }
  const named = await outline.outlines({ corpNm: '삼성전자' });
  expect(named.map((r) => r.corpNm)).toContain('삼성전자');
  expect(named.find((r) => r.corpNm === '삼성전자')).toMatchObject({ crno: '1301110006246', dartCorpCode: '00126380' });
});

test.each([
  ['22', 'rate-limited'], ['23', 'rate-limited'], ['30', 'non-retryable'], ['20', 'non-retryable'], ['01', 'retryable'], ['12', 'non-retryable'], ['99', 'retryable'],
])('resultCode %s from a fault lands in %s, on every operation', async (code, cls) => {
  for (const call of [() => new BondBasicInfoClient(opts).bonds({ basDt: '2025-06-27', crno: '0' }), () => new CorpOutlineClient(opts).outlines({ crno: '1301110006246' })]) {
    faultOnce(sim, 'datagokr', { kind: 'code', code });
    expect(await failureOf(call())).toMatchObject({ cls, code });
  }
});

test('resultCode 03 is an empty answer; a rule limited by path spares the other operations; a wrong key is 30', async () => {
  sim.setFaults({ rules: [{ kind: 'noData', paths: ['getCorpOutline_V2'] }] });
  expect(await new CorpOutlineClient(opts).outlines({ crno: '1301110006246' })).toEqual([]);
  expect((await new StockDividendsClient(opts).dividends({ crno: '1301110006246' })).length).toBeGreaterThan(0);
  sim.reset();
  expect(await failureOf(new CorpOutlineClient({ ...opts, serviceKey: 'nope' }).outlines({ crno: '1301110006246' }))).toMatchObject({ cls: 'non-retryable', code: '30' });
});
