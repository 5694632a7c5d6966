/**
 * The KRX Open API client against a real local HTTP server: the real captures (PROVENANCE.md
 * 40–42) parse as their Expected lines say, the key goes in the AUTH_KEY header only, every
 * failure lands in its class, a quota gate can refuse before the call, and the key shows in no
 * message or logged URL.
 */
import http from 'node:http';
import { MALFORMED_CLASS, SourceError } from '../sources/errors';
import { RequestPacer } from '../sources/http';
import { KrxOpenApiClient, type KrxOpenApiClientOptions } from '../sources/krx-openapi/client';
import type { RequestEvent } from '../sources/request-hooks';
import { closeLocal, listenLocal } from './helpers/local-server';
import { capture } from './helpers/captures';

const NOW = Date.UTC(2024, 0, 5, 9, 0); // 18:00 KST
const KEY = 'KRXOPENAPI-SECRET-0123456789ABCDEF0123456789';

async function failureOf(p: Promise<unknown>) {
  const e = await p.then(() => null, (err: unknown) => err);
  if (e === null) return { cls: 'none' } as const;
  if (!(e instanceof SourceError)) throw e;
  return { cls: e.failureClass, code: e.code, wait: e.retryAfterMs, message: e.message, err: e };
}

type Reply = { status?: number; body: string; headers?: Record<string, string> };

// Constructed in the documented shape (korean-apis.md §4.5, krx-rs spec pages 11 and 14); no capture of these exists.
const BASE_INFO = JSON.stringify({
  OutBlock_1: [
    { ISU_CD: 'KR7095570008', ISU_SRT_CD: '095570', ISU_NM: 'AJ네트웍스보통주', ISU_ABBRV: 'AJ네트웍스', ISU_ENG_NM: 'AJ Networks Co.,Ltd.', LIST_DD: '20150821', MKT_TP_NM: 'KOSPI', SECUGRP_NM: '주권', SECT_TP_NM: '-', KIND_STKCERT_TP_NM: '보통주', PARVAL: '1000', LIST_SHRS: '45252759' },
  ],
});
const ETF = JSON.stringify({
  OutBlock_1: [
    { BAS_DD: '20240105', ISU_CD: '069500', ISU_NM: 'KODEX 200', TDD_CLSPRC: '34570', CMPPREVDD_PRC: '-265', FLUC_RT: '-0.76', NAV: '34600.12', TDD_OPNPRC: '34700', TDD_HGPRC: '34745', TDD_LWPRC: '34480', ACC_TRDVOL: '3511212', ACC_TRDVAL: '121553217290', MKTCAP: '5624539000000', INVSTASST_NETASST_TOTAMT: '5629432117245', LIST_SHRS: '162700000', IDX_IND_NM: '코스피 200', OBJ_STKPRC_IDX: '345.78', CMPPREVDD_IDX: '-2.69', FLUC_RT_IDX: '-0.77' },
    { BAS_DD: '20240105', ISU_CD: '0012A0', ISU_NM: 'NEW ETF', TDD_CLSPRC: '-', CMPPREVDD_PRC: '-', FLUC_RT: '-', NAV: '-', TDD_OPNPRC: '-', TDD_HGPRC: '-', TDD_LWPRC: '-', ACC_TRDVOL: '-', ACC_TRDVAL: '-', MKTCAP: '-', INVSTASST_NETASST_TOTAMT: '-', LIST_SHRS: '-', IDX_IND_NM: '-', OBJ_STKPRC_IDX: '-', CMPPREVDD_IDX: '-', FLUC_RT_IDX: '-' },
  ],
});

describe('KrxOpenApiClient against a local HTTP server', () => {
  let server: http.Server;
  let baseUrl: string;
  const seen: Array<{ path: string; query: URLSearchParams; headers: http.IncomingHttpHeaders }> = [];
  let reply: ((url: URL, req: http.IncomingMessage) => Reply) | null = null;
  const byPath: Record<string, string> = {
    '/svc/apis/sto/stk_bydd_trd': capture('krxopenapi__stk_bydd_trd__ok.json'),
    '/svc/apis/sto/ksq_bydd_trd': capture('krxopenapi__ksq_bydd_trd__ok.json'),
    '/svc/apis/sto/knx_bydd_trd': capture('krxopenapi__sr_bydd_trd__empty.json'),
    '/svc/apis/sto/stk_isu_base_info': BASE_INFO,
    '/svc/apis/etp/etf_bydd_trd': ETF,
  };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://local');
      seen.push({ path: url.pathname, query: url.searchParams, headers: req.headers });
      const r: Reply = reply
        ? reply(url, req)
        : req.headers.auth_key !== KEY
          ? { status: 401, body: '{"respMsg":"Unauthorized API Call","respCode":"401"}' }
          : byPath[url.pathname]
            ? { body: byPath[url.pathname] }
            : { status: 404, body: '{"respMsg":"Not Found","respCode":"404"}' };
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json;charset=UTF-8', ...r.headers }).end(r.body);
    });
    baseUrl = await listenLocal(server);
  });
  afterAll(async () => {
    await closeLocal(server);
  });
  beforeEach(() => {
    seen.length = 0;
    reply = null;
  });

  const events: RequestEvent[] = [];
  const client = (over: Partial<KrxOpenApiClientOptions> = {}) =>
    new KrxOpenApiClient({ apiKey: KEY, baseUrl, timeoutMs: 2000, pacer: new RequestPacer(1000), now: () => NOW, onRequest: (e) => events.push(e), ...over });

  it('stk_bydd_trd (file 40): 15 rows of 2024-01-05, plain numbers, "-" department null, short codes in ISU_CD', async () => {
    const rows = await client().dailyTrades('STK', '2024-01-05');
    expect(rows).toHaveLength(15);
    expect(rows.every((r) => r.tradeDate === '2024-01-05' && r.department === null && r.market === 'KOSPI')).toBe(true);
    const get = (t: string) => rows.find((r) => r.ticker === t)!;
    expect(get('005930')).toEqual({
      ticker: '005930', name: '삼성전자', tradeDate: '2024-01-05', market: 'KOSPI', department: null,
      close: 76600, change: 0, changeRate: 0, open: 76700, high: 77100, low: 76400, volume: 11304316, tradingValue: 866836486100,
      marketCap: 457285343330000, listedShares: 5969782550,
    });
    expect(get('000660')).toMatchObject({ close: 137500, change: 1100, changeRate: 0.81 });
    expect(get('035720')).toMatchObject({ name: '카카오', close: 55800, change: -1400, changeRate: -2.45 });
    expect(get('00104K')).toMatchObject({ name: 'CJ4우(전환)', close: 73100 });
    expect(seen[0].path).toBe('/svc/apis/sto/stk_bydd_trd');
    expect(Object.fromEntries(seen[0].query)).toEqual({ basDd: '20240105' });
    expect(seen[0].headers.auth_key).toBe(KEY);
  });

  it('ksq_bydd_trd (file 41): 15 rows; 3S, 에코프로비엠, the halted 셀트리온헬스케어, 03481K', async () => {
    const rows = await client().dailyTrades('KSQ', '2024-01-05');
    expect(rows).toHaveLength(15);
    const get = (t: string) => rows.find((r) => r.ticker === t)!;
    expect(get('060310')).toMatchObject({ name: '3S', close: 3300, change: 30, changeRate: 0.92, department: '중견기업부', market: 'KOSDAQ' });
    expect(get('247540')).toMatchObject({ close: 315000, change: 36000, changeRate: 12.9 });
    expect(get('091990')).toMatchObject({ open: 0, high: 0, low: 0, volume: 0, close: 75900 });
    expect(get('03481K')).toMatchObject({ name: '해성산업1우', close: 9240 });
  });

  it('an empty OutBlock_1 (file 42, a trading day with no rows) is 0 rows, not an error', async () => {
    expect(await client().dailyTrades('KNX', '2024-01-04')).toEqual([]);
    reply = () => ({ body: capture('krxopenapi__sr_bydd_trd__empty.json') });
    expect(await client().etfTrades('2024-01-04')).toEqual([]);
  });

  it('isu_base_info and etf_bydd_trd (constructed bodies): listing rows, ETF rows without "-" rows', async () => {
    const [info] = await client().baseInfo('STK', '2024-01-05');
    expect(info).toEqual({
      ticker: '095570', isin: 'KR7095570008', name: 'AJ네트웍스보통주', shortName: 'AJ네트웍스', englishName: 'AJ Networks Co.,Ltd.', listedOn: '2015-08-21',
      market: 'KOSPI', securityGroup: '주권', department: null, shareKind: '보통주', parValue: 1000, listedShares: 45252759,
    });
    const etfs = await client().etfTrades('2024-01-05');
    expect(etfs).toEqual([
      {
        ticker: '069500', name: 'KODEX 200', tradeDate: '2024-01-05', close: 34570, change: -265, changeRate: -0.76, open: 34700, high: 34745, low: 34480,
        volume: 3511212, tradingValue: 121553217290, marketCap: 5624539000000, listedShares: 162700000, nav: 34600.12, netAssets: 5629432117245,
        indexName: '코스피 200', indexClose: 345.78, indexChange: -2.69, indexChangeRate: -0.77,
      },
    ]);
    expect(seen.map((s) => s.path)).toEqual(['/svc/apis/sto/stk_isu_base_info', '/svc/apis/etp/etf_bydd_trd']);
  });

  it('rows of another date than asked are a malformed answer', async () => {
    const f = await failureOf(client().dailyTrades('STK', '2024-01-04'));
    expect(f).toMatchObject({ cls: MALFORMED_CLASS, code: 'MALFORMED', message: expect.stringMatching(/^krx-openapi: stk_bydd_trd: malformed answer: row 0: BAS_DD "20240105" is not the date asked for/) });
  });

  it('401 and an unapproved service are non-retryable; 5xx retryable; 429 waits for Retry-After', async () => {
    const wrong = await failureOf(client({ apiKey: 'not-the-key' }).dailyTrades('STK', '2024-01-05'));
    expect(wrong).toMatchObject({ cls: 'non-retryable', code: 'HTTP401', message: expect.stringMatching(/not approved for this service/) });
    reply = () => ({ body: '{"respMsg":"Unauthorized API Call","respCode":"401"}' });
    expect(await failureOf(client().dailyTrades('STK', '2024-01-05'))).toMatchObject({ cls: 'non-retryable', code: 'RESP401' });
    reply = () => ({ status: 502, body: '<html>Bad Gateway</html>' });
    expect(await failureOf(client().dailyTrades('STK', '2024-01-05'))).toMatchObject({ cls: 'retryable', code: 'HTTP502' });
    reply = () => ({ status: 429, body: '{"respMsg":"Too Many Requests","respCode":"429"}', headers: { 'retry-after': '30' } });
    expect(await failureOf(client().dailyTrades('STK', '2024-01-05'))).toMatchObject({ cls: 'rate-limited', code: 'HTTP429', wait: 30_000 });
    reply = () => ({ status: 429, body: '' });
    expect(await failureOf(client().dailyTrades('STK', '2024-01-05'))).toMatchObject({ cls: 'rate-limited', wait: 60_000 });
  });

  it("a respCode no table lists is retryable, like every source's unknown code, and says so", async () => {
    reply = () => ({ body: '{"respMsg":"Internal Error","respCode":"999"}' });
    const f = await failureOf(client().dailyTrades('STK', '2024-01-05'));
    expect(f).toMatchObject({ cls: 'retryable', code: 'RESP999', message: expect.stringMatching(/stk_bydd_trd: Internal Error \(respCode 999\) \(unknown code\)$/) });
  });

  it('an HTML page or a truncated body is the malformed class', async () => {
    reply = () => ({ body: '<!DOCTYPE html><html><body>서비스 점검</body></html>' });
    expect(await failureOf(client().dailyTrades('STK', '2024-01-05'))).toMatchObject({ cls: MALFORMED_CLASS, code: 'MALFORMED', message: expect.stringMatching(/markup instead of JSON/) });
    reply = () => ({ body: capture('krxopenapi__stk_bydd_trd__ok.json').slice(0, 1500) });
    expect(await failureOf(client().dailyTrades('STK', '2024-01-05'))).toMatchObject({ cls: MALFORMED_CLASS, code: 'MALFORMED', message: expect.stringMatching(/not JSON/) });
    reply = () => ({ body: '{}' });
    expect(await failureOf(client().dailyTrades('STK', '2024-01-05'))).toMatchObject({ cls: MALFORMED_CLASS, message: expect.stringMatching(/no OutBlock_1/) });
  });

  it('the beforeRequest hook (where the daily quota guard plugs in) refuses before any call', async () => {
    const asked: string[] = [];
    const gate = client({
      beforeRequest: (endpoint) => {
        asked.push(endpoint);
        if (asked.length > 1) throw new SourceError('krx-openapi', 'rate-limited', 'daily quota of 10000 spent', 'QUOTA', 3_600_000);
      },
    });
    expect(await gate.dailyTrades('KSQ', '2024-01-05')).toHaveLength(15);
    expect(await failureOf(gate.etfTrades('2024-01-05'))).toMatchObject({ cls: 'rate-limited', code: 'QUOTA', wait: 3_600_000 });
    expect(asked).toEqual(['ksq_bydd_trd', 'etf_bydd_trd']);
    expect(seen).toHaveLength(1);
  });

  it('never shows the key: not in the URL, in events, or in a message even when the server echoes it', async () => {
    events.length = 0;
    reply = (_u, req) => ({ status: 400, body: `{"respMsg":"bad AUTH_KEY ${String(req.headers.auth_key)}","respCode":"400"}` });
    const f = await failureOf(client().dailyTrades('STK', '2024-01-05'));
    expect(f).toMatchObject({ cls: 'non-retryable', code: 'HTTP400' });
    reply = (_u, req) => ({ body: `{"respMsg":"key ${String(req.headers.auth_key)} not approved","respCode":"403"}` });
    const g = await failureOf(client().dailyTrades('STK', '2024-01-05'));
    expect(g).toMatchObject({ cls: 'non-retryable', code: 'RESP403' });
    for (const e of [f.err, g.err]) {
      for (const text of [e?.message ?? '', e?.stack ?? '', JSON.stringify(e)]) expect(text).not.toContain('SECRET');
    }
    expect(g.err?.message).toContain('***');
    for (const s of seen) expect(s.query.toString()).not.toContain('SECRET');
    expect(events.length).toBe(2);
    for (const e of events) expect(e.url).not.toContain('SECRET');
  });
});
