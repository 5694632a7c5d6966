/**
 * The Yahoo chart client behind IndexQuoteSource: the captures (PROVENANCE.md 45, 46, 48) parse
 * as expected, bars are dated in the exchange's time zone, and every failure Yahoo serves lands
 * in its class, against a real local HTTP server.
 */
import http from 'node:http';
import { SourceError } from '../sources/errors';
import { RequestPacer } from '../sources/http';
import { decodeChart } from '../sources/yahoo/chart';
import { YahooChartClient } from '../sources/yahoo/client';
import { INDEX_SYMBOLS, latestQuote, type IndexQuoteSource } from '../sources/yahoo/index-quotes';
import { closeLocal, listenLocal } from './helpers/local-server';
import { capture } from './helpers/captures';

const answer = (body: string, status = 200, headers: Record<string, string> = {}) => ({ status, body, headers: new Headers(headers) });
const NOW = Date.UTC(2024, 0, 5, 6, 0);
const NOT_FOUND = '{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}';

/** A chart body in Yahoo's shape, for cases no capture covers. */
function chartBody(meta: Record<string, unknown>, timestamp: number[] | undefined, quote: Record<string, Array<number | null>>) {
  return JSON.stringify({ chart: { result: [{ meta: { currency: 'USD', symbol: '^GSPC', ...meta }, ...(timestamp ? { timestamp } : {}), indicators: { quote: [quote] } }], error: null } });
}

describe('chart captures', () => {
  it('^KS11: two bars dated in Seoul, float32 values kept, volume and previous close', () => {
    const s = decodeChart(answer(capture('yahoo__chart__KS11.json')), NOW, 'chart ^KS11');
    expect(s).toMatchObject({ symbol: '^KS11', currency: 'KRW', exchangeTimezoneName: 'Asia/Seoul', chartPreviousClose: 2607.31 });
    expect(s.bars.map((b) => b.tradeDate)).toEqual(['2024-01-04', '2024-01-05']);
    expect(s.bars[0].close).toBeCloseTo(2587.02, 2);
    expect(s.bars[1]).toEqual({
      symbol: '^KS11',
      tradeDate: '2024-01-05',
      open: 2586.889892578125,
      high: 2592.2900390625,
      low: 2572.60009765625,
      close: 2578.080078125,
      volume: 520480370,
    });
    expect(s.bars[1].close).toBeCloseTo(2578.08, 2);
  });

  it('^KQ11: 866.25 then ≈878.33', () => {
    const s = decodeChart(answer(capture('yahoo__chart__KQ11.json')), NOW, 'chart ^KQ11');
    expect(s.chartPreviousClose).toBe(871.57);
    expect(s.bars.map((b) => [b.tradeDate, b.close])).toEqual([
      ['2024-01-04', 866.25],
      ['2024-01-05', 878.3300170898438],
    ]);
    expect(s.bars[1].close).toBeCloseTo(878.33, 2);
    expect(s.bars[1]).toMatchObject({ high: 878.97998046875, volume: 1004129628 });
  });

  it('the empty range (no timestamp, quote [{}]) is 0 bars, not a crash', () => {
    const s = decodeChart(answer(capture('yahoo__chart__empty_range_no_timestamp.json')), NOW, 'chart AAPL');
    expect(s).toMatchObject({ symbol: 'AAPL', chartPreviousClose: 236, bars: [] });
  });
});

describe('trading dates and odd bars', () => {
  it('uses the exchange time zone per instant (New York in winter and in summer)', () => {
    // 2024-01-05 09:30 EST = 14:30 UTC; 2024-07-05 09:30 EDT = 13:30 UTC; gmtoffset is the answer's, not the bar's.
    const body = chartBody({ gmtoffset: -14400, exchangeTimezoneName: 'America/New_York' }, [1704465000, 1720186200], { close: [4697.24, 5567.19] });
    expect(decodeChart(answer(body), NOW, 'x').bars.map((b) => b.tradeDate)).toEqual(['2024-01-05', '2024-07-05']);
  });

  it('dates a Seoul bar by Seoul, even where the UTC date is the day before', () => {
    // 2024-01-04 15:30 UTC = 2024-01-05 00:30 KST
    const body = chartBody({ symbol: '^KS11', gmtoffset: 32400, exchangeTimezoneName: 'Asia/Seoul' }, [1704382200], { close: [2578.08] });
    expect(decodeChart(answer(body), NOW, 'x').bars[0].tradeDate).toBe('2024-01-05');
  });

  it('falls back to gmtoffset when the zone name is missing or unknown', () => {
    const body = chartBody({ symbol: '^KS11', gmtoffset: 32400, exchangeTimezoneName: 'Mars/Olympus' }, [1704382200], { close: [1] });
    expect(decodeChart(answer(body), NOW, 'x').bars[0].tradeDate).toBe('2024-01-05');
    const none = chartBody({}, [1704382200], { close: [1] });
    expect(() => decodeChart(answer(none), NOW, 'chart ^GSPC')).toThrow(/chart \^GSPC: meta has neither exchangeTimezoneName nor gmtoffset/);
  });

  it('skips bars padded with null and keeps the later of two bars for one date (the live bar)', () => {
    const body = chartBody(
      { exchangeTimezoneName: 'America/New_York' },
      [1704205800, 1704292200, 1704378600, 1704400000],
      { open: [1, null, 3, 3], high: [1, null, 3, 4], low: [1, null, 3, 2], close: [1, null, 3, 3.5], volume: [10, null, 30, null] },
    );
    const bars = decodeChart(answer(body), NOW, 'x').bars;
    expect(bars.map((b) => [b.tradeDate, b.close, b.volume])).toEqual([
      ['2024-01-02', 1, 10],
      ['2024-01-04', 3.5, null],
    ]);
  });
});

describe('chart failure classes', () => {
  const classify = (a: ReturnType<typeof answer>) => {
    try {
      decodeChart(a, NOW, 'chart ^NOPE');
    } catch (e) {
      return e instanceof SourceError ? { cls: e.failureClass, code: e.code, wait: e.retryAfterMs, message: e.message } : { cls: 'other' };
    }
    return { cls: 'none' };
  };

  it('an unknown symbol (chart.error Not Found, HTTP 404 or 200) is non-retryable', () => {
    for (const status of [404, 200]) {
      const c = classify(answer(NOT_FOUND, status));
      expect(c).toMatchObject({ cls: 'non-retryable', code: 'NOT_FOUND' });
      expect(c.message).toBe('yahoo: chart ^NOPE: Not Found: No data found, symbol may be delisted');
    }
    expect(classify(answer('{"chart":{"result":null,"error":{"code":"Bad Request","description":"Invalid input - interval=7d"}}}', 400))).toMatchObject({ cls: 'non-retryable' });
  });
  it('HTTP 429 honours Retry-After, else waits 60 s', () => {
    expect(classify(answer('Too Many Requests', 429, { 'retry-after': '30' }))).toMatchObject({ cls: 'rate-limited', code: 'HTTP429', wait: 30_000 });
    expect(classify(answer('Too Many Requests', 429))).toMatchObject({ cls: 'rate-limited', wait: 60_000 });
  });
  it('HTTP 5xx is retryable, even with a chart.error body', () => {
    expect(classify(answer('<html>502</html>', 502))).toMatchObject({ cls: 'retryable', code: 'HTTP502' });
    expect(classify(answer('{"chart":{"result":null,"error":{"code":"Internal Server Error","description":"x"}}}', 500))).toMatchObject({ cls: 'retryable' });
  });
  it('a non-JSON error page is non-retryable; a broken 200 body is a malformed answer', () => {
    expect(classify(answer('<html>Forbidden</html>', 403))).toMatchObject({ cls: 'non-retryable', code: 'HTTP403' });
    expect(classify(answer('{"chart":{"result":[{"meta"', 200))).toMatchObject({ cls: 'non-retryable', code: 'MALFORMED' });
    expect(classify(answer('{"chart":{"result":null,"error":null}}', 200))).toMatchObject({ code: 'MALFORMED' });
  });
});

describe('YahooChartClient against a local server', () => {
  let server: http.Server;
  let baseUrl: string;
  let requests: URL[] = [];
  let reply: (url: URL) => { status?: number; body: string; headers?: Record<string, string> };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://local');
      requests.push(url);
      const r = reply(url);
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...r.headers });
      res.end(r.body);
    });
    baseUrl = await listenLocal(server);
  });
  afterAll(async () => {
    await closeLocal(server);
  });
  beforeEach(() => {
    requests = [];
  });

  const source = (): IndexQuoteSource => new YahooChartClient({ baseUrl, timeoutMs: 2000, pacer: new RequestPacer(1000), now: () => NOW });
  const bySymbol: Record<string, string> = { '^KS11': 'yahoo__chart__KS11.json', '^KQ11': 'yahoo__chart__KQ11.json' };
  const serveCaptures = (url: URL) => {
    const symbol = decodeURIComponent(url.pathname.split('/').pop() ?? '');
    return bySymbol[symbol] ? { body: capture(bySymbol[symbol]) } : { status: 404, body: NOT_FOUND };
  };

  it('asks the v8 chart endpoint for daily bars of a window a day wider than the dates', async () => {
    reply = serveCaptures;
    const bars = await source().dailyBars(INDEX_SYMBOLS.KOSPI, '2024-01-05', '2024-01-05');
    expect(requests[0].pathname).toBe('/v8/finance/chart/%5EKS11');
    expect(Object.fromEntries(requests[0].searchParams)).toEqual({
      period1: String(Date.UTC(2024, 0, 4) / 1000),
      period2: String(Date.UTC(2024, 0, 7) / 1000),
      interval: '1d',
      includePrePost: 'false',
    });
    expect(bars.map((b) => b.tradeDate)).toEqual(['2024-01-05']); // the 4th is outside the asked dates
  });

  it('latestQuote: the last close and its change from the one before', async () => {
    reply = serveCaptures;
    const kospi = await latestQuote(source(), INDEX_SYMBOLS.KOSPI, '2024-01-05');
    expect(kospi).toMatchObject({ symbol: '^KS11', tradeDate: '2024-01-05', previousClose: 2587.02001953125 });
    expect(kospi?.close).toBeCloseTo(2578.08, 2);
    expect(kospi?.change).toBeCloseTo(-8.94, 2);
    expect(kospi?.changeRate).toBeCloseTo(-0.3456, 3);
    const kosdaq = await latestQuote(source(), INDEX_SYMBOLS.KOSDAQ, '2024-01-06');
    expect(kosdaq?.change).toBeCloseTo(12.08, 2);
  });

  it('no bars in the window gives no quote', async () => {
    reply = () => ({ body: capture('yahoo__chart__empty_range_no_timestamp.json') });
    expect(await latestQuote(source(), 'AAPL', '2025-02-02')).toBeNull();
  });

  it('an unknown symbol is non-retryable; 429 and 503 keep their classes through the client', async () => {
    reply = serveCaptures;
    const notFound = (await source().dailyBars('^NOPE', '2024-01-01', '2024-01-05').catch((e: unknown) => e)) as SourceError;
    expect(notFound).toBeInstanceOf(SourceError);
    expect(notFound).toMatchObject({ failureClass: 'non-retryable', code: 'NOT_FOUND' });
    expect(notFound.message).toMatch(/chart \^NOPE/);

    reply = () => ({ status: 429, body: 'Too Many Requests', headers: { 'retry-after': '12' } });
    expect(await source().dailyBars('^GSPC', '2024-01-01', '2024-01-05').catch((e: unknown) => e)).toMatchObject({ failureClass: 'rate-limited', retryAfterMs: 12_000 });
    reply = () => ({ status: 503, body: '' });
    expect(await source().dailyBars('^IXIC', '2024-01-01', '2024-01-05').catch((e: unknown) => e)).toMatchObject({ failureClass: 'retryable' });
  });
});
