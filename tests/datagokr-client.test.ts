/**
 * The data.go.kr price client: the real capture parses as PROVENANCE.md says, and every
 * failure the simulator can serve lands in the right class.
 */
import { decodePage } from '../sources/datagokr/envelope';
import { StockPriceInfoClient, toPriceRow } from '../sources/datagokr/stock-price-info';
import { SourceError, msUntilKstMidnight } from '../sources/errors';
import { RequestPacer, redactUrl } from '../sources/http';
import { startSimulator, type Simulator } from '../dev/simulator/server';
import { capture } from './helpers/captures';
import { testClock } from './helpers/clock';

// The real captures live in the shared folder beside the repository (PROVENANCE.md there).
const answer = (body: string, status = 200, headers: Record<string, string> = {}) => ({ status, body, headers: new Headers(headers) });
const NOW = Date.UTC(2024, 0, 5, 6, 0); // 15:00 KST

describe('getStockPriceInfo parsing (real capture)', () => {
  const page = decodePage<unknown>(answer(capture('datagokr__getStockPriceInfo__ok.json')), NOW);
  const rows = page.items.map((r) => toPriceRow(r, '2024-01-05'));

  it('reads 5 rows and a totalCount equal to them', () => {
    expect(page.totalCount).toBe(5);
    expect(rows).toHaveLength(5);
  });

  it('parses leading-dot decimals, signs and big amounts', () => {
    const byTicker = Object.fromEntries(rows.map((r) => [r.ticker, r]));
    expect(byTicker['000660']).toMatchObject({ name: 'SK하이닉스', close: 137500, change: 1100, changeRate: 0.81, marketCap: 100100325187500, tradeDate: '2024-01-05' });
    expect(byTicker['006840']).toMatchObject({ name: 'AK홀딩스', close: 16960, change: -10, changeRate: -0.06 });
    expect(byTicker['060310']).toMatchObject({ market: 'KOSDAQ', changeRate: 0.92 });
  });

  it('rejects a row for another date than asked', () => {
    expect(() => toPriceRow(page.items[0], '2024-01-04')).toThrow(SourceError);
  });
});

describe('data.go.kr envelope classification', () => {
  const cls = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return e instanceof SourceError ? { cls: e.failureClass, code: e.code, wait: e.retryAfterMs, message: e.message } : { cls: 'other' };
    }
    return { cls: 'none' };
  };
  const gatewayJson = (code: string) => JSON.stringify({ OpenAPI_ServiceResponse: { cmmMsgHeader: { errMsg: 'SERVICE ERROR', returnAuthMsg: 'M', returnReasonCode: code } } });
  const json = (code: string) => JSON.stringify({ response: { header: { resultCode: code, resultMsg: 'X' } } });
  const xml = (code: string) => `<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg><returnAuthMsg>M</returnAuthMsg><returnReasonCode>${code}</returnReasonCode></cmmMsgHeader></OpenAPI_ServiceResponse>`;

  it.each(['01', '02', '04', '05', '99'])('resultCode %s is retryable', (code) => {
    expect(cls(() => decodePage(answer(json(code)), NOW)).cls).toBe('retryable');
  });
  it.each(['10', '11', '12', '20', '30', '31', '32', '33'])('resultCode %s is non-retryable', (code) => {
    expect(cls(() => decodePage(answer(json(code)), NOW)).cls).toBe('non-retryable');
  });
  it('resultCode 03 and items "" are no data, not errors', () => {
    expect(decodePage(answer(json('03')), NOW).items).toEqual([]);
    const empty = JSON.stringify({ response: { header: { resultCode: '00', resultMsg: 'NORMAL SERVICE.' }, body: { numOfRows: 10, pageNo: 1, totalCount: 0, items: '' } } });
    expect(decodePage(answer(empty), NOW)).toMatchObject({ totalCount: 0, items: [] });
  });
  it('a single row given as an object is read as a list of one', () => {
    const one = JSON.stringify({ response: { header: { resultCode: '00' }, body: { totalCount: '1', items: { item: { basDt: '20240105' } } } } });
    expect(decodePage(answer(one), NOW).items).toHaveLength(1);
  });
  it('an unknown resultCode is retryable, and says so', () => {
    expect(cls(() => decodePage(answer(json('77')), NOW))).toMatchObject({ cls: 'retryable', code: '77', message: 'data.go.kr: resultCode 77 X (unknown code)' });
  });
  it.each([['XML', xml], ['JSON', gatewayJson]])('gateway %s: code 22 (daily quota) waits until the KST midnight reset, also at HTTP 429; 23 (TPS) a second', (_form, gw) => {
    for (const status of [200, 429]) {
      const quota = cls(() => decodePage(answer(gw('22'), status), NOW));
      expect(quota).toMatchObject({ cls: 'rate-limited', code: '22', wait: msUntilKstMidnight(NOW) });
      expect(quota.wait).toBe(9 * 3_600_000 + 60_000); // 15:00 KST → 00:01 KST
    }
    expect(cls(() => decodePage(answer(gw('23')), NOW))).toMatchObject({ cls: 'rate-limited', wait: 1000 });
    expect(cls(() => decodePage(answer(gw('30'), 401), NOW))).toMatchObject({ cls: 'non-retryable', code: '30' });
  });
  it('HTTP 429 honours Retry-After, else waits 60 s', () => {
    expect(cls(() => decodePage(answer('', 429, { 'retry-after': '7' }), NOW))).toMatchObject({ cls: 'rate-limited', wait: 7000 });
    expect(cls(() => decodePage(answer('', 429), NOW))).toMatchObject({ cls: 'rate-limited', wait: 60_000 });
  });
  it('gateway key errors (XML, HTTP 401) and broken JSON are non-retryable; 5xx is retryable', () => {
    expect(cls(() => decodePage(answer(xml('30'), 401), NOW)).cls).toBe('non-retryable');
    expect(cls(() => decodePage(answer('<html>oops</html>', 502), NOW)).cls).toBe('retryable');
    expect(cls(() => decodePage(answer('{"response":{"hea', 200), NOW))).toMatchObject({ cls: 'non-retryable', code: 'MALFORMED' });
  });
  it('never shows the key in a logged URL', () => {
    expect(redactUrl('https://apis.data.go.kr/x?serviceKey=SECRET%2Bkey&basDt=20240105')).not.toMatch(/SECRET/);
  });
});

describe('StockPriceInfoClient against the simulator', () => {
  let sim: Simulator;
  const client = (key = 'sim-datagokr-key', pageSize = 1000) =>
    new StockPriceInfoClient({ baseUrl: sim.url, serviceKey: key, pageSize, timeoutMs: 2000, pacer: new RequestPacer(1000) });

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, now: testClock });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('pages to the end: ~2,900 rows for a trading day, each ticker once, 005930 among them', async () => {
    const rows = await client().dailyPrices('2024-01-05');
    expect(rows.length).toBeGreaterThan(2800);
    expect(new Set(rows.map((r) => r.ticker)).size).toBe(rows.length);
    expect(rows.find((r) => r.ticker === '005930')?.name).toBe('삼성전자');
    expect(sim.stats().requests).toBe(Math.ceil(rows.length / 1000));
  });

  it('returns no rows for a weekend or a KRX holiday', async () => {
    expect(await client().dailyPrices('2024-01-06')).toEqual([]);
    expect(await client().dailyPrices('2024-02-12')).toEqual([]);
  });

  it('classifies the faults the simulator serves', async () => {
    const cases: Array<[string, string]> = [
      ['http500', 'retryable'], ['http503', 'retryable'], ['http429', 'rate-limited'], ['tps', 'rate-limited'],
      ['quota', 'rate-limited'], ['auth', 'non-retryable'], ['appError', 'retryable'], ['malformed', 'non-retryable'],
    ];
    for (const [kind, expected] of cases) {
      sim.setFaults({ rules: [{ kind: kind as never, times: 1 }] });
      const err = await client().dailyPrices('2024-01-05').then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(SourceError);
      expect([kind, (err as SourceError).failureClass]).toEqual([kind, expected]);
    }
    sim.setFaults({ rules: [{ kind: 'noData', times: 1 }] });
    expect(await client().dailyPrices('2024-01-05')).toEqual([]);
  });

  it("reads the gateway's JSON envelope as the simulator serves it (gatewayFormat json)", async () => {
    const pinned = new StockPriceInfoClient({ baseUrl: sim.url, serviceKey: 'sim-datagokr-key', pageSize: 1000, timeoutMs: 2000, pacer: new RequestPacer(1000), now: () => NOW });
    sim.setFaults({ rules: [{ kind: 'quota', gatewayFormat: 'json', times: 1 }] });
    expect(await pinned.dailyPrices('2024-01-05').catch((e: unknown) => e)).toMatchObject({ failureClass: 'rate-limited', code: '22', retryAfterMs: msUntilKstMidnight(NOW) });
    sim.setFaults({ rules: [{ kind: 'auth', gatewayFormat: 'json', times: 1 }] });
    const auth = (await pinned.dailyPrices('2024-01-05').catch((e: unknown) => e)) as SourceError;
    expect(auth).toMatchObject({ failureClass: 'non-retryable', code: '30' });
    expect(auth.message).toContain('SERVICE_KEY_IS_NOT_REGISTERED_ERROR: the service key is not registered (DATAGOKR_API_KEY)');
    expect(auth.message).not.toContain('sim-datagokr-key');
  });

  it('a wrong key is non-retryable and its message does not carry the key', async () => {
    const err = (await client('my-secret-key').dailyPrices('2024-01-05').catch((e: unknown) => e)) as SourceError;
    expect(err.failureClass).toBe('non-retryable');
    expect(err.message).toMatch(/30/);
    expect(err.message).not.toMatch(/my-secret-key/);
  });

  it('a hung answer times out as retryable', async () => {
    sim.setFaults({ rules: [{ kind: 'hang', times: 1, hangMs: 5000 }] });
    const err = (await client().dailyPrices('2024-01-05').catch((e: unknown) => e)) as SourceError;
    expect(err.failureClass).toBe('retryable');
    expect(err.message).toMatch(/timed out/);
  });
});
