/**
 * The Alpha Vantage client against a real local HTTP server. No capture of Alpha Vantage exists
 * in shared/fixtures, so every body here is CONSTRUCTED, in the shapes Alpha Vantage is known to
 * answer with: the TIME_SERIES_DAILY and GLOBAL_QUOTE documents, the empty quote of an unknown
 * symbol, and the HTTP 200 bodies that carry its failures ("Note", "Information", "Error
 * Message"). The key must show only as *** in logged URLs and nowhere in messages.
 */
import http from 'node:http';
import { MALFORMED_CLASS, SourceError } from '../sources/errors';
import { RequestPacer } from '../sources/http';
import { AlphaVantageClient, type AlphaVantageClientOptions } from '../sources/alphavantage/client';
import type { RequestEvent } from '../sources/request-hooks';
import { closeLocal, listenLocal } from './helpers/local-server';

const KEY = 'AVSECRETKEY12345';
const NOW = Date.UTC(2024, 0, 8, 12, 0);

async function failureOf(p: Promise<unknown>) {
  const e = await p.then(() => null, (err: unknown) => err);
  if (e === null) return { cls: 'none' } as const;
  if (!(e instanceof SourceError)) throw e;
  return { cls: e.failureClass, code: e.code, wait: e.retryAfterMs, message: e.message, err: e };
}

const DAILY = JSON.stringify({
  'Meta Data': {
    '1. Information': 'Daily Prices (open, high, low, close) and Volumes',
    '2. Symbol': 'IBM',
    '3. Last Refreshed': '2024-01-05',
    '4. Output Size': 'Compact',
    '5. Time Zone': 'US/Eastern',
  },
  'Time Series (Daily)': {
    '2024-01-05': { '1. open': '162.6300', '2. high': '162.9500', '3. low': '160.9300', '4. close': '159.1600', '5. volume': '3521842' },
    '2024-01-04': { '1. open': '160.9000', '2. high': '161.3100', '3. low': '159.4700', '4. close': '158.9500', '5. volume': '4118532' },
    '2024-01-03': { '1. open': '160.0000', '2. high': '160.4300', '3. low': '158.9700', '4. close': '158.4600', '5. volume': '4315219' },
  },
});
const QUOTE = JSON.stringify({
  'Global Quote': {
    '01. symbol': 'IBM', '02. open': '162.6300', '03. high': '162.9500', '04. low': '160.9300', '05. price': '159.1600', '06. volume': '3521842',
    '07. latest trading day': '2024-01-05', '08. previous close': '158.9500', '09. change': '0.2100', '10. change percent': '0.1321%',
  },
});
const NOTE = JSON.stringify({
  Note: 'Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute and 500 calls per day. Please visit https://www.alphavantage.co/premium/ if you would like to target a higher API call frequency.',
});
const DAILY_LIMIT = JSON.stringify({
  Information: 'Thank you for using Alpha Vantage! Our standard API rate limit is 25 requests per day. Please subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly remove all daily rate limits.',
});
const BURST_LIMIT = JSON.stringify({
  Information: 'Thank you for using Alpha Vantage! Please consider spreading out your free API requests more sparingly. You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to lift the free key rate limit (25 requests per day) and instantly unlock all premium endpoints',
});
const PREMIUM = JSON.stringify({
  Information: 'Thank you for using Alpha Vantage! This is a premium endpoint. You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly unlock all premium endpoints',
});
const ERROR = JSON.stringify({
  'Error Message': 'Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for TIME_SERIES_DAILY.',
});

type Reply = { status?: number; body: string; headers?: Record<string, string> };

describe('AlphaVantageClient against a local HTTP server (constructed bodies)', () => {
  let server: http.Server;
  let baseUrl: string;
  const seen: URL[] = [];
  let reply: (url: URL) => Reply = () => ({ body: '{}' });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://local');
      seen.push(url);
      const r = reply(url);
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...r.headers }).end(r.body);
    });
    baseUrl = await listenLocal(server);
  });
  afterAll(async () => {
    await closeLocal(server);
  });
  beforeEach(() => {
    seen.length = 0;
  });

  const events: RequestEvent[] = [];
  const client = (over: Partial<AlphaVantageClientOptions> = {}) =>
    new AlphaVantageClient({ apiKey: KEY, baseUrl, timeoutMs: 2000, pacer: new RequestPacer(1000), now: () => NOW, onRequest: (e) => events.push(e), ...over });
  const byFunction = (url: URL): Reply => ({ body: url.searchParams.get('function') === 'GLOBAL_QUOTE' ? QUOTE : DAILY });

  it('TIME_SERIES_DAILY: bars oldest first, "1. open" keys and string numbers read', async () => {
    reply = byFunction;
    const series = await client().dailySeries('IBM');
    expect(series).toMatchObject({ symbol: 'IBM', lastRefreshed: '2024-01-05', timeZone: 'US/Eastern' });
    expect(series.bars.map((b) => b.tradeDate)).toEqual(['2024-01-03', '2024-01-04', '2024-01-05']);
    expect(series.bars[2]).toEqual({ symbol: 'IBM', tradeDate: '2024-01-05', open: 162.63, high: 162.95, low: 160.93, close: 159.16, volume: 3521842 });
    expect(Object.fromEntries(seen[0].searchParams)).toEqual({ function: 'TIME_SERIES_DAILY', symbol: 'IBM', outputsize: 'compact', datatype: 'json', apikey: KEY });
    expect(seen[0].pathname).toBe('/query');
  });

  it('GLOBAL_QUOTE: the quote, "0.1321%" read as 0.1321; an empty quote (unknown symbol) is null', async () => {
    reply = byFunction;
    expect(await client().globalQuote('IBM')).toEqual({
      symbol: 'IBM', tradeDate: '2024-01-05', open: 162.63, high: 162.95, low: 160.93, price: 159.16, volume: 3521842,
      previousClose: 158.95, change: 0.21, changePercent: 0.1321,
    });
    reply = () => ({ body: '{"Global Quote": {}}' });
    expect(await client().globalQuote('NOPE')).toBeNull();
  });

  it('"Note" (per-minute limit) and a rate-limit "Information" (daily or burst) are rate-limited, even with HTTP 200', async () => {
    for (const body of [NOTE, DAILY_LIMIT, BURST_LIMIT]) {
      reply = () => ({ body });
      expect(await failureOf(client().dailySeries('IBM'))).toMatchObject({ cls: 'rate-limited', code: 'RATE_LIMIT', wait: 60_000 });
    }
    reply = () => ({ body: DAILY_LIMIT });
    expect(await failureOf(client({ rateLimitWaitMs: 5_000 }).globalQuote('IBM'))).toMatchObject({ cls: 'rate-limited', wait: 5_000 });
  });

  it('"Error Message" (bad symbol or function) and a premium-only "Information" are non-retryable', async () => {
    reply = () => ({ body: ERROR });
    expect(await failureOf(client().dailySeries('NOPE'))).toMatchObject({ cls: 'non-retryable', code: 'ERROR_MESSAGE', message: expect.stringMatching(/^alphavantage: TIME_SERIES_DAILY: Invalid API call/) });
    reply = () => ({ body: PREMIUM });
    expect(await failureOf(client().dailySeries('IBM', { outputSize: 'full' }))).toMatchObject({ cls: 'non-retryable', code: 'INFORMATION' });
    expect(seen.at(-1)?.searchParams.get('outputsize')).toBe('full');
  });

  it('HTTP 5xx is retryable; 429 honours Retry-After; an HTML or truncated body is malformed', async () => {
    reply = () => ({ status: 503, body: '<html>Service Unavailable</html>' });
    expect(await failureOf(client().dailySeries('IBM'))).toMatchObject({ cls: 'retryable', code: 'HTTP503' });
    reply = () => ({ status: 429, body: '', headers: { 'retry-after': '20' } });
    expect(await failureOf(client().dailySeries('IBM'))).toMatchObject({ cls: 'rate-limited', code: 'HTTP429', wait: 20_000 });
    reply = () => ({ body: '<html><body>Bad Gateway</body></html>' });
    expect(await failureOf(client().dailySeries('IBM'))).toMatchObject({ cls: MALFORMED_CLASS, code: 'MALFORMED' });
    reply = () => ({ body: DAILY.slice(0, 300) });
    expect(await failureOf(client().dailySeries('IBM'))).toMatchObject({ cls: MALFORMED_CLASS, code: 'MALFORMED', message: expect.stringMatching(/not JSON/) });
    reply = () => ({ body: '{}' });
    expect(await failureOf(client().dailySeries('IBM'))).toMatchObject({ cls: MALFORMED_CLASS, message: expect.stringMatching(/Meta Data/) });
  });

  it('a bar with a value that is not a number fails the series, naming the bar', async () => {
    reply = () => ({ body: DAILY.replace('"158.9500"', '"15B.95"') });
    expect(await failureOf(client().dailySeries('IBM'))).toMatchObject({ cls: MALFORMED_CLASS, message: expect.stringMatching(/row 1: close/) });
  });

  it('refuses a bad symbol before calling; a beforeRequest gate (the daily 25) refuses before calling', async () => {
    expect(await failureOf(client().dailySeries('IBM&apikey=x'))).toMatchObject({ cls: 'non-retryable', code: 'BAD_REQUEST' });
    const gate = client({ beforeRequest: () => { throw new SourceError('alphavantage', 'rate-limited', 'daily quota of 25 spent', 'QUOTA', 1000); } });
    expect(await failureOf(gate.globalQuote('IBM'))).toMatchObject({ cls: 'rate-limited', code: 'QUOTA' });
    expect(seen).toHaveLength(0);
  });

  it('never shows the key: *** in every logged URL, and scrubbed from a message that echoes it', async () => {
    events.length = 0;
    reply = (url) => ({ body: JSON.stringify({ 'Error Message': `the parameter apikey ${url.searchParams.get('apikey')} is invalid or missing.` }) });
    const f = await failureOf(client().dailySeries('IBM'));
    expect(f).toMatchObject({ cls: 'non-retryable', code: 'ERROR_MESSAGE' });
    reply = (url) => ({ status: 500, body: url.toString() });
    const g = await failureOf(client().globalQuote('IBM'));
    reply = () => ({ body: `<html>${KEY}</html>` });
    const h = await failureOf(client().globalQuote('IBM'));
    for (const e of [f.err, g.err, h.err]) {
      expect(e).toBeDefined();
      for (const text of [e?.message ?? '', e?.stack ?? '', JSON.stringify(e)]) expect(text).not.toContain('AVSECRET');
    }
    expect(f.message).toContain('***');
    expect(events).toHaveLength(3);
    for (const e of events) expect(e.url).toMatch(/apikey=\*\*\*/);
  });
});
