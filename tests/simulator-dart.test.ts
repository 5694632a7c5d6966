/**
 * OpenDART on the simulator, driven by the real DartClient with only the base URL and key
 * changed: the corpCode ZIP, coherent statements, dividends and major events, every status code
 * in its class, 013 where nothing is on record, and the nightly maintenance stop.
 */
import { SIMULATOR_DART_KEY, simulatorBaseUrls } from '../config/simulator-endpoints';
import { companies, listedCompanies } from '../dev/simulator/companies';
import { dividendPerShare, hasReport, majorEventsOf } from '../dev/simulator/dart';
import { startSimulator, type Simulator } from '../dev/simulator/server';
import { DartClient } from '../sources/dart/client';
import { tickerToCorpCode } from '../sources/dart/corp-code';
import { findDividend } from '../sources/dart/dividends';
import { decodeList } from '../sources/dart/envelope';
import { findAccount, findMainAccount, type MainAccountRow } from '../sources/dart/financial-statements';
import { REPORT_CODES } from '../sources/dart/requests';
import { RequestPacer } from '../sources/http';
import { failureOf, faultOnce } from './helpers/simulator-clients';

const KST = (iso: string) => Date.parse(`${iso}+09:00`);
let clock = KST('2025-06-30T15:00:00');
let sim: Simulator;
let dart: DartClient;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, now: () => clock, dartMaintenance: true });
  dart = client();
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  clock = KST('2025-06-30T15:00:00');
});

function client(over: Partial<ConstructorParameters<typeof DartClient>[0]> = {}): DartClient {
  return new DartClient({
    apiKey: SIMULATOR_DART_KEY,
    baseUrl: simulatorBaseUrls(sim.url).dart,
    timeoutMs: 10_000,
    pacer: new RequestPacer(1_000),
    now: () => clock,
    ...over,
  });
}

const amount = (rows: MainAccountRow[], corpCode: string, fsDiv: 'CFS' | 'OFS', accountNm: string) =>
  findMainAccount(rows, { corpCode, fsDiv, accountNm })?.thstrmAmount;

test('corpCode.xml is a ZIP of every company, listed ones with their ticker, unlisted with stock_code " "', async () => {
  const entries = await dart.corpCodes();
  expect(entries).toHaveLength(companies().length);
  const listed = entries.filter((e) => e.stockCode);
  expect(listed.length).toBe(listedCompanies().length);
  expect(listed.length).toBeGreaterThan(2_800);
  expect(entries.length - listed.length).toBeGreaterThan(100);
  const map = tickerToCorpCode(entries);
  expect(map.get('005930')).toBe('00126380');
  expect(new Set(entries.map((e) => e.corpCode)).size).toBe(entries.length);
  // A name shared by a listed and an unlisted company, as DART has for 카카오.
  const names = new Map<string, number>();
  for (const e of entries) names.set(e.corpName, (names.get(e.corpName) ?? 0) + 1);
  expect([...names.values()].some((n) => n > 1)).toBe(true);
});

test('fnlttMultiAcnt: 250 companies in three calls, every balance sheet balances', async () => {
  const corps = listedCompanies().slice(0, 250);
  const rows = await dart.multiAccounts({ corpCodes: corps.map((c) => c.corpCode), bsnsYear: 2024, reprtCode: REPORT_CODES.annual });
  expect(sim.stats().bySource.dart.requests).toBe(3);
  const withData = corps.filter((c) => hasReport(c, 2024, 4, '2025-06-30'));
  expect(withData.length).toBeGreaterThan(200);
  expect(new Set(rows.map((r) => r.corpCode))).toEqual(new Set(withData.map((c) => c.corpCode)));
  const broken: string[] = [];
  for (const c of withData) {
    for (const fs of ['CFS', 'OFS'] as const) {
      const a = (n: string) => amount(rows, c.corpCode, fs, n)!;
      if (a('자산총계') !== a('부채총계') + a('자본총계') || a('자산총계') !== a('유동자산') + a('비유동자산') || a('부채총계') !== a('유동부채') + a('비유동부채')) {
        broken.push(`${c.corpCode} ${fs}`);
      }
    }
  }
  expect(broken).toEqual([]);
  const one = rows.find((r) => r.corpCode === withData[0].corpCode && r.accountNm === '자산총계' && r.fsDiv === 'CFS')!;
  expect(one.thstrmPeriod).toEqual({ from: null, to: '2024-12-31' });
  expect(one.bfefrmtrmAmount).not.toBeNull();
});

test('quarterly reports: three-month amounts add up to the annual one, year-to-date to the quarter', async () => {
  const c = listedCompanies().find((x) => hasReport(x, 2024, 4, '2025-06-30'))!;
  const revenue = async (reprtCode: (typeof REPORT_CODES)[keyof typeof REPORT_CODES]) => {
    const rows = await dart.singleAccounts({ corpCode: c.corpCode, bsnsYear: 2024, reprtCode });
    return findMainAccount(rows, { corpCode: c.corpCode, fsDiv: 'CFS', accountNm: '매출액' })!;
  };
  const [q1, q2, q3, year] = [await revenue('11013'), await revenue('11012'), await revenue('11014'), await revenue('11011')];
  expect(q3.thstrmAddAmount).toBe(q1.thstrmAmount! + q2.thstrmAmount! + q3.thstrmAmount!);
  expect(year.thstrmAmount! - q3.thstrmAddAmount!).toBeGreaterThan(0);
  expect(q2.thstrmPeriod).toEqual({ from: '2024-04-01', to: '2024-06-30' });
  // Q1 2025 is filed in May, Q2 not before August: 013, an empty answer.
  expect(await dart.singleAccounts({ corpCode: c.corpCode, bsnsYear: 2025, reprtCode: '11013' })).not.toEqual([]);
  expect(await dart.singleAccounts({ corpCode: c.corpCode, bsnsYear: 2025, reprtCode: '11012' })).toEqual([]);
});

test('fnlttSinglAcntAll agrees with the main accounts; alotMatter with the dividend model', async () => {
  const c = listedCompanies().find((x) => hasReport(x, 2023, 4, '2025-06-30') && dividendPerShare(x, 2023) > 0)!;
  const all = await dart.allAccounts({ corpCode: c.corpCode, bsnsYear: 2023, reprtCode: '11011', fsDiv: 'OFS' });
  const main = await dart.singleAccounts({ corpCode: c.corpCode, bsnsYear: 2023, reprtCode: '11011' });
  expect(findAccount(all, 'ifrs-full_Assets', 'BS')!.thstrmAmount).toBe(amount(main, c.corpCode, 'OFS', '자산총계'));
  expect(findAccount(all, 'ifrs-full_ProfitLoss')!.thstrmAmount).toBe(amount(main, c.corpCode, 'OFS', '당기순이익'));
  const div = await dart.dividends({ corpCode: c.corpCode, bsnsYear: 2023, reprtCode: '11011' });
  expect(findDividend(div, '주당 현금배당금(원)', '보통주')!.thstrm).toBe(dividendPerShare(c, 2023));
  expect(findDividend(div, '주식배당금총액(백만원)')!.thstrm).toBeNull();
  expect(div[0].stlmDt).toBe('2023-12-31');
});

test('major events: a filing in range is found and typed, outside the range it is 013', async () => {
  const hit = listedCompanies().flatMap((c) => majorEventsOf(c).filter((e) => e.kind === 'piicDecsn' && e.filed < '2025-06-01').map((e) => ({ c, e })))[0];
  const rows = await dart.paidInCapitalIncreases({ corpCode: hit.c.corpCode, bgnDe: hit.e.filed, endDe: hit.e.filed });
  expect(rows.length).toBeGreaterThanOrEqual(1);
  expect(rows[0]).toMatchObject({ corpCode: hit.c.corpCode, filedOn: hit.e.filed, kind: 'piicDecsn' });
  expect(rows[0].nstkOstkCnt).toBeGreaterThan(0);
  expect(await dart.majorEvents('crDecsn', { corpCode: hit.c.corpCode, bgnDe: '2014-01-01', endDe: '2014-12-31' })).toEqual([]);
});

test('no data is 013 and an empty answer: years before the listing, unlisted companies, companies without financials', async () => {
  const late = listedCompanies().find((c) => (c.ticker!.listedFrom ?? '') > '2022-01-01' && !c.noFinancials)!;
  const unlisted = companies().find((c) => !c.ticker)!;
  const none = listedCompanies().find((c) => c.noFinancials)!;
  for (const corpCode of [unlisted.corpCode, none.corpCode]) {
    expect(await dart.singleAccounts({ corpCode, bsnsYear: 2023, reprtCode: '11011' })).toEqual([]);
  }
  expect(await dart.dividends({ corpCode: late.corpCode, bsnsYear: 2020, reprtCode: '11011' })).toEqual([]);
  expect((await dart.dividends({ corpCode: late.corpCode, bsnsYear: 2024, reprtCode: '11011' })).length).toBe(11);
  const res = await fetch(`${simulatorBaseUrls(sim.url).dart}api/fnlttSinglAcnt.json?crtfc_key=${SIMULATOR_DART_KEY}&corp_code=${unlisted.corpCode}&bsns_year=2023&reprt_code=11011`);
  expect(await res.json()).toEqual({ status: '013', message: '조회된 데이타가 없습니다.' });
});

test('more than 100 companies is status 021, a bad parameter 100, both non-retryable in the client', async () => {
  const codes = listedCompanies().slice(0, 101).map((c) => c.corpCode).join(',');
  const base = `${simulatorBaseUrls(sim.url).dart}api/fnlttMultiAcnt.json?crtfc_key=${SIMULATOR_DART_KEY}&bsns_year=2024&reprt_code=11011`;
  for (const [url, status] of [[`${base}&corp_code=${codes}`, '021'], [`${base}&corp_code=123`, '100']] as const) {
    const res = await fetch(url);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const err = await failureOf(Promise.resolve().then(() => decodeList('fnlttMultiAcnt.json', { status: res.status, headers: res.headers, bytes }, clock)));
    expect(err).toMatchObject({ cls: 'non-retryable', code: status });
  }
});

test.each([
  ['010', 'non-retryable'], ['011', 'non-retryable'], ['012', 'non-retryable'], ['020', 'rate-limited'], ['021', 'non-retryable'],
  ['100', 'non-retryable'], ['101', 'non-retryable'], ['800', 'retryable'], ['900', 'retryable'], ['901', 'non-retryable'],
])('status %s from a fault lands in the client class %s, on JSON and on corpCode.xml', async (code, cls) => {
  const c = listedCompanies()[0];
  faultOnce(sim, 'dart', { kind: 'code', code });
  expect(await failureOf(dart.singleAccounts({ corpCode: c.corpCode, bsnsYear: 2024, reprtCode: '11011' }))).toMatchObject({ cls, code });
  faultOnce(sim, 'dart', { kind: 'code', code });
  expect(await failureOf(dart.corpCodes())).toMatchObject({ cls, code });
  expect(await failureOf(dart.singleAccounts({ corpCode: c.corpCode, bsnsYear: 2024, reprtCode: '11011' }))).toEqual({ cls: 'none' });
});

test('013 from a fault is an empty answer; a rule limited to one endpoint leaves the others alone', async () => {
  const c = listedCompanies().find((x) => hasReport(x, 2024, 4, '2025-06-30'))!;
  sim.setFaults({ rules: [{ source: 'dart', kind: 'code', code: '013', paths: ['alotMatter.json'] }] });
  expect(await dart.dividends({ corpCode: c.corpCode, bsnsYear: 2024, reprtCode: '11011' })).toEqual([]);
  expect((await dart.singleAccounts({ corpCode: c.corpCode, bsnsYear: 2024, reprtCode: '11011' })).length).toBe(26);
  expect(sim.stats().bySource.dart.faultsServed).toBe(1);
});

test('a wrong key is 010; 01:00–02:00 KST on the simulator clock every endpoint answers 800', async () => {
  expect(await failureOf(client({ apiKey: 'wrong-key' }).corpCodes())).toMatchObject({ cls: 'non-retryable', code: '010' });
  // The client refuses the window on its own clock; give it a clock outside, the simulator one inside.
  const outside = client({ now: () => KST('2025-06-30T15:00:00') });
  clock = KST('2025-07-01T01:30:00');
  const c = listedCompanies()[0];
  expect(await failureOf(outside.singleAccounts({ corpCode: c.corpCode, bsnsYear: 2024, reprtCode: '11011' }))).toMatchObject({ cls: 'retryable', code: '800' });
  expect(await failureOf(outside.corpCodes())).toMatchObject({ cls: 'retryable', code: '800' });
  clock = KST('2025-07-01T02:00:00');
  expect(await failureOf(outside.corpCodes())).toEqual({ cls: 'none' });
});
