/**
 * Market-data sources on the simulator through their real clients: Yahoo's chart on the right
 * calendars, the KRX data portal behind its login, the KRX Open API behind its key, and Alpha
 * Vantage through its client and raw (the body shapes). Prices agree with data.go.kr's for the same day.
 */
import { isTradingDay, tradingDaysBetween } from '../calendar/trading-calendar';
import { SIMULATOR_ALPHAVANTAGE_KEY, SIMULATOR_KRX_LOGIN, SIMULATOR_KRX_OPENAPI_KEY, simulatorBaseUrls } from '../config/simulator-endpoints';
import { ETF_COUNT } from '../dev/simulator/krx';
import { TICKERS, isListedOn, rowFor } from '../dev/simulator/market';
import { startSimulator, type Simulator } from '../dev/simulator/server';
import { AlphaVantageClient } from '../sources/alphavantage/client';
import { RequestPacer } from '../sources/http';
import { KrxClient } from '../sources/krx/client';
import { KrxOpenApiClient } from '../sources/krx-openapi/client';
import { YahooChartClient } from '../sources/yahoo/client';
import { latestQuote } from '../sources/yahoo/index-quotes';
import { failureOf, faultOnce } from './helpers/simulator-clients';

let clock = Date.parse('2024-06-28T18:00:00+09:00');
let sim: Simulator;
let urls: ReturnType<typeof simulatorBaseUrls>;
const pacer = () => new RequestPacer(1_000);

beforeAll(async () => {
  sim = await startSimulator({ port: 0, now: () => clock });
  urls = simulatorBaseUrls(sim.url);
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  clock = Date.parse('2024-06-28T18:00:00+09:00');
});

const kospiOn = (date: string) => TICKERS.filter((t) => t.mrktCtg === 'KOSPI' && isListedOn(t, date)).length;

describe('Yahoo chart', () => {
  const yahoo = () => new YahooChartClient({ baseUrl: urls.yahoo, timeoutMs: 10_000, pacer: pacer(), now: () => clock });

  test('Korean indices trade on KRX days, US ones on weekdays, each bar dated in its own zone', async () => {
    const ks = await yahoo().dailyBars('^KS11', '2024-05-01', '2024-05-31');
    expect(ks.map((b) => b.tradeDate)).toEqual(tradingDaysBetween('2024-05-01', '2024-05-31'));
    const us = await yahoo().dailyBars('^GSPC', '2024-05-01', '2024-05-31');
    expect(us).toHaveLength(23); // May 2024 has 23 weekdays
    expect(us.map((b) => b.tradeDate)).toContain('2024-05-06'); // a KRX holiday, a US trading day
    expect(ks.map((b) => b.tradeDate)).not.toContain('2024-05-06');
    const sane = [...ks, ...us].every((b) => b.low! <= Math.min(b.open!, b.close) && b.high! >= Math.max(b.open!, b.close) && b.volume! > 0);
    expect(sane).toBe(true);
    const q = await latestQuote(yahoo(), '^IXIC', '2024-06-27');
    expect(q).toMatchObject({ symbol: '^IXIC', tradeDate: '2024-06-27' });
    expect(q!.previousClose).not.toBeNull();
  });

  test('no bar after the simulator clock, an empty range has no timestamp, an unknown symbol is 404', async () => {
    expect((await yahoo().dailyBars('^KQ11', '2024-06-20', '2024-07-10')).at(-1)?.tradeDate).toBe('2024-06-28');
    expect(await yahoo().dailyBars('^KS11', '2024-06-29', '2024-06-30')).toEqual([]);
    expect(await failureOf(yahoo().dailyBars('^NOPE', '2024-06-01', '2024-06-10'))).toMatchObject({ cls: 'non-retryable', code: 'NOT_FOUND' });
    faultOnce(sim, 'yahoo', { kind: 'tps' });
    expect(await failureOf(yahoo().dailyBars('^KS11', '2024-06-01', '2024-06-10'))).toMatchObject({ cls: 'rate-limited', code: 'HTTP429' });
  });
});

describe('KRX data portal', () => {
  const krx = (credentials: { id: string; password: string } | null = SIMULATOR_KRX_LOGIN) =>
    new KrxClient({ baseUrl: urls.krxData, credentials: credentials ?? undefined, timeoutMs: 10_000, pacer: pacer(), now: () => clock });

  test('after the login flow, one day of KOSPI matches data.go.kr; a holiday has no rows', async () => {
    const rows = await krx().dailyStocks('2024-01-05', 'STK');
    expect(rows).toHaveLength(kospiOn('2024-01-05'));
    const samsung = rows.find((r) => r.ticker === '005930')!;
    const oracle = rowFor('005930', '2024-01-05')!;
    expect(samsung).toMatchObject({ close: Number(oracle.clpr), volume: Number(oracle.trqu), isin: 'KR7005930003', marketId: 'STK', tradeDate: '2024-01-05' });
    expect(await krx().dailyStocks('2024-01-06', 'STK')).toEqual([]);
    const etfs = await krx().dailyEtfs('2024-01-05');
    expect(etfs).toHaveLength(ETF_COUNT);
    expect(await krx().dailyEtfs('2024-01-07')).toEqual([]);
  });

  test('listings and the ticker finder', async () => {
    expect((await krx().listings('KSQ')).length).toBe(TICKERS.filter((t) => t.mrktCtg === 'KOSDAQ' && isListedOn(t, '2024-06-28')).length);
    const found = await krx().findTickers('삼성전자');
    expect(found.map((t) => t.ticker)).toEqual(expect.arrayContaining(['005930', '005935']));
  });

  test('without a session the portal answers LOGOUT; a password-change login is CD010; a duplicate login passes with skipDup', async () => {
    expect(await failureOf(krx(null).dailyStocks('2024-01-05', 'STK'))).toMatchObject({ cls: 'non-retryable' });
    const wrong = await failureOf(krx({ id: 'x', password: 'y' }).dailyStocks('2024-01-05', 'STK'));
    expect(wrong).toMatchObject({ cls: 'non-retryable', code: 'KRX_LOGIN_REFUSED' });
    sim.setFaults({ rules: [{ source: 'krxData', kind: 'code', code: 'CD010', paths: ['MDCCOMS001D1.cmd'] }] });
    expect(await failureOf(krx().dailyStocks('2024-01-05', 'STK'))).toMatchObject({ cls: 'non-retryable', code: 'KRX_PASSWORD_CHANGE' });
    sim.setFaults({ rules: [{ source: 'krxData', kind: 'code', code: 'CD011', paths: ['MDCCOMS001D1.cmd'] }] });
    expect((await krx().dailyStocks('2024-01-05', 'STK')).length).toBeGreaterThan(900);
  });
  test('the wire: LOGOUT without a session; after the login a closed day keeps every row with "-" prices', async () => {
    const data = (cookie?: string) =>
      fetch(`${urls.krxData}/comm/bldAttendant/getJsonData.cmd`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
        body: new URLSearchParams({ bld: 'dbms/MDC/STAT/standard/MDCSTAT01501', mktId: 'STK', trdDd: '20240106' }),
      });
    const anonymous = await data();
    expect([anonymous.status, await anonymous.text()]).toEqual([400, 'LOGOUT']);
    const start = await fetch(`${urls.krxData}/contents/MDC/COMS/client/MDCCOMS001.cmd`);
    const cookie = start.headers.get('set-cookie')!.split(';')[0];
    const login = await fetch(`${urls.krxData}/contents/MDC/COMS/client/MDCCOMS001D1.cmd`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ mbrId: SIMULATOR_KRX_LOGIN.id, pw: SIMULATOR_KRX_LOGIN.password }),
    });
    expect(await login.json()).toMatchObject({ _error_code: 'CD001' });
    const body = (await (await data(cookie)).json()) as { OutBlock_1: Record<string, string>[] };
    expect(body.OutBlock_1).toHaveLength(kospiOn('2024-01-06'));
    const samsung = body.OutBlock_1.find((r) => r.ISU_SRT_CD === '005930')!;
    expect(samsung).toMatchObject({ TDD_CLSPRC: '-', FLUC_TP_CD: '3', ACC_TRDVOL: '-', LIST_SHRS: '5,969,782,550', MKT_ID: 'STK' });
  });
});

describe('KRX Open API', () => {
  const api = (apiKey = SIMULATOR_KRX_OPENAPI_KEY) => new KrxOpenApiClient({ apiKey, baseUrl: urls.krxOpenApi, timeoutMs: 10_000, pacer: pacer(), now: () => clock });

  test('a day of each market in plain numbers; empty on holidays and before publication', async () => {
    const stk = await api().dailyTrades('STK', '2024-01-05');
    expect(stk).toHaveLength(kospiOn('2024-01-05'));
    expect(stk.find((r) => r.ticker === '000660')).toMatchObject({ close: Number(rowFor('000660', '2024-01-05')!.clpr), tradeDate: '2024-01-05' });
    expect(await api().dailyTrades('KNX', '2024-01-05')).toEqual([]);
    expect(await api().dailyTrades('KSQ', '2024-01-06')).toEqual([]);
    expect(isTradingDay('2024-06-28')).toBe(true);
    clock = Date.parse('2024-06-28T12:00:00+09:00');
    expect(await api().dailyTrades('STK', '2024-06-28')).toEqual([]);
    expect((await api().etfTrades('2024-01-05')).length).toBe(ETF_COUNT);
    expect((await api().baseInfo('KSQ', '2024-01-05')).length).toBeGreaterThan(1_800);
  });

  test('a wrong key is HTTP 401, a spent quota 429', async () => {
    expect(await failureOf(api('wrong').dailyTrades('STK', '2024-01-05'))).toMatchObject({ cls: 'non-retryable' });
    faultOnce(sim, 'krxOpenApi', { kind: 'quota' });
    expect(await failureOf(api().dailyTrades('STK', '2024-01-05'))).toMatchObject({ cls: 'rate-limited' });
  });
});

describe('Alpha Vantage', () => {
  const query = async (params: Record<string, string>) => (await fetch(`${urls.alphaVantage}/query?${new URLSearchParams(params)}`)).json() as Promise<Record<string, any>>;

  test('TIME_SERIES_DAILY and GLOBAL_QUOTE agree; bad calls and limits answer 200 with their bodies', async () => {
    const daily = await query({ function: 'TIME_SERIES_DAILY', symbol: 'IBM', apikey: SIMULATOR_ALPHAVANTAGE_KEY });
    const series = daily['Time Series (Daily)'];
    expect(Object.keys(series)).toHaveLength(100);
    expect(daily['Meta Data']['3. Last Refreshed']).toBe('2024-06-27');
    const quote = (await query({ function: 'GLOBAL_QUOTE', symbol: 'IBM', apikey: SIMULATOR_ALPHAVANTAGE_KEY }))['Global Quote'];
    expect(quote['05. price']).toBe(series['2024-06-27']['4. close']);
    expect(quote['08. previous close']).toBe(series['2024-06-26']['4. close']);
    expect(await query({ function: 'NOPE', symbol: 'IBM', apikey: SIMULATOR_ALPHAVANTAGE_KEY })).toHaveProperty('Error Message');
    expect(await query({ function: 'GLOBAL_QUOTE', symbol: 'IBM', apikey: 'wrong' })).toHaveProperty('Error Message');
    faultOnce(sim, 'alphaVantage', { kind: 'tps' });
    expect(await query({ function: 'GLOBAL_QUOTE', symbol: 'IBM', apikey: SIMULATOR_ALPHAVANTAGE_KEY })).toHaveProperty('Note');
  });

  test('the AlphaVantageClient reads both functions; Note, Information and Error Message land in their classes', async () => {
    const av = (apiKey = SIMULATOR_ALPHAVANTAGE_KEY) => new AlphaVantageClient({ apiKey, baseUrl: urls.alphaVantage, timeoutMs: 10_000, pacer: pacer(), now: () => clock });
    const series = await av().dailySeries('MSFT');
    expect(series.bars).toHaveLength(100);
    expect(series.bars.at(-1)!.tradeDate).toBe('2024-06-27');
    const quote = await av().globalQuote('MSFT');
    expect(quote).toMatchObject({ symbol: 'MSFT', tradeDate: '2024-06-27', price: series.bars.at(-1)!.close });
    faultOnce(sim, 'alphaVantage', { kind: 'tps' });
    expect(await failureOf(av().globalQuote('MSFT'))).toMatchObject({ cls: 'rate-limited', code: 'RATE_LIMIT' });
    faultOnce(sim, 'alphaVantage', { kind: 'quota' });
    expect(await failureOf(av().globalQuote('MSFT'))).toMatchObject({ cls: 'rate-limited', code: 'RATE_LIMIT' });
    expect(await failureOf(av('wrong').globalQuote('MSFT'))).toMatchObject({ cls: 'non-retryable', code: 'ERROR_MESSAGE' });
  });
});
