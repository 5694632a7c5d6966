/**
 * The KRX data portal client: the real captures (PROVENANCE.md 34–38) parse as their Expected
 * lines say, every failure lands in its class, and against a real local HTTP server the login
 * cookie flow, the session's renewal, the LOGOUT rule (one fresh login, then non-retryable),
 * CD010, CD011 with skipDup=Y, and the password in no message.
 */
import http from 'node:http';
import { SourceError, MALFORMED_CLASS } from '../sources/errors';
import { RequestPacer } from '../sources/http';
import { KrxClient, type KrxClientOptions } from '../sources/krx/client';
import { toDailyRows } from '../sources/krx/daily-stocks';
import { toEtfRows } from '../sources/krx/etfs';
import { num } from '../sources/krx/fields';
import { decodeBlock } from '../sources/krx/wire';
import type { RequestEvent } from '../sources/request-hooks';
import { closeLocal, listenLocal } from './helpers/local-server';
import { capture } from './helpers/captures';

const answer = (body: string, status = 200, headers: Record<string, string> = {}) => ({ status, body, headers: new Headers(headers) });
const NOW = Date.UTC(2024, 0, 5, 6, 0); // 15:00 KST
const rowsOf = (file: string, wrapper: string) => decodeBlock('test', answer(capture(file)), wrapper, NOW);

const PRICE_FIELDS = ['TDD_CLSPRC', 'CMPPREVDD_PRC', 'FLUC_RT', 'TDD_OPNPRC', 'TDD_HGPRC', 'TDD_LWPRC', 'ACC_TRDVOL', 'ACC_TRDVAL', 'MKTCAP'];

async function failureOf(p: Promise<unknown>) {
  const e = await p.then(() => null, (err: unknown) => err);
  if (e === null) return { cls: 'none' } as const;
  if (!(e instanceof SourceError)) throw e;
  return { cls: e.failureClass, code: e.code, wait: e.retryAfterMs, message: e.message, err: e };
}
function failureOfSync(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (e instanceof SourceError) return { cls: e.failureClass, code: e.code, wait: e.retryAfterMs, message: e.message };
    throw e;
  }
  return { cls: 'none' };
}

describe('MDCSTAT01501 (real captures, files 34 and 35)', () => {
  const rows = toDailyRows(rowsOf('krx__MDCSTAT01501__ok.json', 'OutBlock_1'), '2021-01-22');
  const get = (ticker: string) => rows.find((r) => r.ticker === ticker)!;

  it('reads 17 rows dated from the request, comma numbers parsed', () => {
    expect(rows).toHaveLength(17);
    expect(rows.every((r) => r.tradeDate === '2021-01-22' && r.market === 'KOSPI' && r.marketId === 'STK')).toBe(true);
    expect(get('005930')).toEqual({
      ticker: '005930', isin: 'KR7005930003', name: '삼성전자', tradeDate: '2021-01-22', market: 'KOSPI', marketId: 'STK', department: null,
      changeCode: '2', close: 86800, change: -1300, changeRate: -1.48, open: 89000, high: 89700, low: 86800,
      volume: 30861661, tradingValue: 2717635251520, marketCap: 518177125340000, listedShares: 5969782550,
    });
  });

  it('keeps halted stocks (FLUC_TP_CD 0, numeric zeros, not placeholders) as rows with zero volume', () => {
    expect(get('000210')).toMatchObject({ name: '대림산업', changeCode: '0', open: 0, high: 0, low: 0, volume: 0, close: 83000 });
    for (const t of ['002420', '003620']) expect(get(t)).toMatchObject({ changeCode: '0', open: 0, high: 0, low: 0, volume: 0 });
  });

  it('keeps alphanumeric short codes as strings: 33626K at the upper limit, 00104K', () => {
    expect(get('33626K')).toMatchObject({ name: '두산퓨얼셀1우', changeCode: '4', changeRate: 30, close: 20800, isin: 'KR733626K013' });
    expect(get('00104K')).toMatchObject({ name: 'CJ4우(전환)', isin: 'KR700104K010', close: 81500 });
  });

  it('005935 unchanged: FLUC_TP_CD 3 with CMPPREVDD_PRC 0; SECT_TP_NM "" is null on every KOSPI row', () => {
    expect(get('005935')).toMatchObject({ changeCode: '3', change: 0, changeRate: 0 });
    expect(rows.every((r) => r.department === null)).toBe(true);
  });

  it('a holiday (every price "-") is 0 rows, not an error; LIST_SHRS is still filled', () => {
    const raw = rowsOf('krx__MDCSTAT01501__holiday_all_dash.json', 'OutBlock_1') as Array<Record<string, string>>;
    expect(raw).toHaveLength(10);
    for (const r of raw) {
      for (const f of PRICE_FIELDS) expect(num(r[f], f)).toBeNull();
      expect(r.FLUC_TP_CD).toBe('3');
    }
    const shares = (t: string) => num(raw.find((r) => r.ISU_SRT_CD === t)!.LIST_SHRS, 'LIST_SHRS');
    expect([shares('005930'), shares('095570')]).toEqual([5969782550, 46822295]);
    expect(toDailyRows(raw, '2021-01-23')).toEqual([]);
  });

  it('a row that breaks the schema fails the whole call as malformed, naming the row', () => {
    const raw = JSON.parse(capture('krx__MDCSTAT01501__ok.json')).OutBlock_1;
    raw[4].TDD_CLSPRC = '5,6l0';
    expect(failureOfSync(() => toDailyRows(raw, '2021-01-22'))).toMatchObject({ cls: MALFORMED_CLASS, code: 'MALFORMED', message: expect.stringMatching(/^krx: MDCSTAT01501: malformed answer: row 4: TDD_CLSPRC/) });
    raw[4].TDD_CLSPRC = '5,610';
    raw[2].ISU_SRT_CD = '27410';
    expect(failureOfSync(() => toDailyRows(raw, '2021-01-22'))).toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/row 2: ISU_SRT_CD/) });
  });
});

describe('MDCSTAT04301 (real captures, files 36 and 37)', () => {
  const rows = toEtfRows(rowsOf('krx__MDCSTAT04301__ok.json', 'output'), '2021-03-25');
  const get = (ticker: string) => rows.find((r) => r.ticker === ticker)!;

  it('reads 17 ETFs under `output`, dated 2021-03-25, with NAV', () => {
    expect(rows).toHaveLength(17);
    expect(new Set(rows.map((r) => r.ticker)).size).toBe(17);
    expect(rows.every((r) => r.tradeDate === '2021-03-25' && r.securityGroup === 'EF')).toBe(true);
    expect(get('152100')).toMatchObject({ name: 'ARIRANG 200', close: 41835, nav: 41887.33, listedShares: 18450000, indexName: '코스피 200' });
    expect(get('069500')).toMatchObject({ name: 'KODEX 200', close: 41520, nav: 41532.1, volume: 9780916, listedShares: 113800000 });
  });

  it('an ETF without index values has them null while its own prices are present', () => {
    expect(get('278420')).toMatchObject({ close: 9105, indexClose: null, indexChange: null, indexChangeCode: null, indexChangeRate: null });
    for (const t of ['333940', '333950', '333960', '333970']) {
      expect(get(t)).toMatchObject({ indexClose: null, indexChange: null, indexChangeCode: null, indexChangeRate: null });
      expect(get(t).close).toBeGreaterThan(0);
    }
    expect(get('152100')).toMatchObject({ indexClose: 408.53, indexChange: 1.43, indexChangeCode: '1', indexChangeRate: 0.35 });
  });

  it('a holiday (prices, NAV and values "-", FLUC_TP_CD "0") is 0 rows; LIST_SHRS still filled', () => {
    const raw = rowsOf('krx__MDCSTAT04301__holiday_all_dash.json', 'output') as Array<Record<string, string>>;
    expect(raw).toHaveLength(7);
    for (const r of raw) {
      for (const f of [...PRICE_FIELDS, 'NAV', 'INVSTASST_NETASST_TOTAMT']) expect(num(r[f], f)).toBeNull();
      expect(r.FLUC_TP_CD).toBe('0');
    }
    expect(num(raw.find((r) => r.ISU_SRT_CD === '069500')!.LIST_SHRS, 'LIST_SHRS')).toBe(117700000);
    expect(toEtfRows(raw, '2021-03-21')).toEqual([]);
  });
});

describe('MDCSTAT30101 holiday (real capture, file 38)', () => {
  it('an empty OutBlock_1 is 0 rows, not an error', () => {
    expect(rowsOf('krx__MDCSTAT30101__holiday_empty.json', 'OutBlock_1')).toEqual([]);
    expect(toDailyRows([], '2021-01-03')).toEqual([]);
  });
});

describe('failure classes of a getJsonData answer', () => {
  const classify = (body: string, status = 200, headers: Record<string, string> = {}) =>
    failureOfSync(() => decodeBlock('MDCSTAT01501', answer(body, status, headers), 'OutBlock_1', NOW));

  it('5xx is retryable; 429 waits for Retry-After, else 60 s', () => {
    expect(classify('<html>Service Unavailable</html>', 503)).toMatchObject({ cls: 'retryable', code: 'HTTP503' });
    expect(classify('', 500)).toMatchObject({ cls: 'retryable', code: 'HTTP500' });
    expect(classify('', 429, { 'retry-after': '5' })).toMatchObject({ cls: 'rate-limited', wait: 5000 });
    expect(classify('', 429)).toMatchObject({ cls: 'rate-limited', wait: 60_000 });
  });

  it('HTTP 400 for a range over two years is non-retryable and says so', () => {
    const f = classify('400 - Bad Request (Period is up to 2 years)', 400);
    expect(f).toMatchObject({ cls: 'non-retryable', code: 'HTTP400' });
    expect(f.message).toMatch(/at most 2 years per request/);
  });

  it('an HTML page, a truncated body or a missing wrapper is the malformed class', () => {
    expect(MALFORMED_CLASS).toBe('non-retryable');
    const truncated = capture('krx__MDCSTAT01501__ok.json').slice(0, 3000);
    for (const bad of ['<!DOCTYPE html><html><body>점검 중입니다</body></html>', truncated, '{"output":[]}', '[]']) {
      const f = classify(bad);
      expect(f).toMatchObject({ cls: MALFORMED_CLASS, code: 'MALFORMED' });
      expect(f.message).toMatch(/^krx: MDCSTAT01501: malformed answer/);
    }
  });
});

// ----- against a real local HTTP server ---------------------------------------------------------

const ID = 'compass-bot';
const PASSWORD = 'Pw!SECRETkrx-2026';
const LOGIN_PAGE = '/contents/MDC/COMS/client/MDCCOMS001.cmd';
const LOGIN_FRAME = '/contents/MDC/COMS/client/view/login.jsp';
const LOGIN_POST = '/contents/MDC/COMS/client/MDCCOMS001D1.cmd';
const DATA = '/comm/bldAttendant/getJsonData.cmd';
const BUNDLE = '/comm/bldAttendant/executeForResourceBundle.cmd';

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  form: URLSearchParams;
  headers: http.IncomingHttpHeaders;
}

/** Login answers in order (the last repeats); data answers by mode. */
type DataMode = 'ok' | 'logout-always' | 'http500' | 'html' | 'truncated' | 'range400' | 'echo400' | 'holiday' | 'empty';

describe('KrxClient against a local HTTP server', () => {
  let server: http.Server;
  let baseUrl: string;
  const seen: Seen[] = [];
  let loginCodes: string[] = ['CD001'];
  let dataMode: DataMode = 'ok';
  let loggedIn = new Set<string>();
  let sessionCounter = 0;
  const dataBodies: Record<string, string> = {
    'dbms/MDC/STAT/standard/MDCSTAT01501': capture('krx__MDCSTAT01501__ok.json'),
    'dbms/MDC/STAT/standard/MDCSTAT04301': capture('krx__MDCSTAT04301__ok.json'),
    'dbms/MDC/STAT/srt/MDCSTAT30101': capture('krx__MDCSTAT30101__holiday_empty.json'),
    // No capture of these exists: constructed from the field lists of korean-apis.md §4.3.
    'dbms/MDC/STAT/standard/MDCSTAT01901': JSON.stringify({
      OutBlock_1: [
        { ISU_CD: 'KR7005930003', ISU_SRT_CD: '005930', ISU_NM: '삼성전자보통주', ISU_ABBRV: '삼성전자', ISU_ENG_NM: 'SamsungElectronics', LIST_DD: '1975/06/11', MKT_TP_NM: 'KOSPI', SECUGRP_NM: '주권', SECT_TP_NM: '', KIND_STKCERT_TP_NM: '보통주', PARVAL: '100', LIST_SHRS: '5,969,782,550' },
        { ISU_CD: 'KR70126Z0002', ISU_SRT_CD: '0126Z0', ISU_NM: '삼성에피스홀딩스보통주', ISU_ABBRV: '삼성에피스홀딩스', ISU_ENG_NM: 'Samsung Epis Holdings', LIST_DD: '2025/11/24', MKT_TP_NM: 'KOSPI', SECUGRP_NM: '주권', SECT_TP_NM: '', KIND_STKCERT_TP_NM: '보통주', PARVAL: '무액면', LIST_SHRS: '-' },
      ],
      CURRENT_DATETIME: '2026.05.13 PM 04:00:00',
    }),
    'dbms/comm/finder/finder_stkisu': JSON.stringify({
      block1: [
        { full_code: 'KR7005930003', short_code: '005930', codeName: '삼성전자', marketCode: 'STK', marketName: '유가증권', marketEngName: 'KOSPI', ord1: '', ord2: '1' },
        { full_code: 'KR7247540008', short_code: '247540', codeName: '에코프로비엠', marketCode: 'KSQ', marketName: '코스닥', marketEngName: 'KOSDAQ', ord1: '', ord2: '2' },
      ],
    }),
  };
  const cookieOf = (req: http.IncomingMessage, name: string) =>
    (req.headers.cookie ?? '').split(';').map((c) => c.trim().split('=')).find(([k]) => k === name)?.[1];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://local');
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        seen.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, form, headers: req.headers });
        const send = (status: number, body: string, headers: Record<string, string | string[]> = {}) =>
          res.writeHead(status, { 'content-type': 'text/html;charset=UTF-8', ...headers }).end(body);

        if (url.pathname === LOGIN_PAGE && !url.searchParams.has('landing')) {
          // The landing page redirects once, setting a tracking cookie on the way.
          return send(302, '', { location: `${LOGIN_PAGE}?landing=1`, 'set-cookie': 'WMONID=track-1; Path=/' });
        }
        if (url.pathname === LOGIN_PAGE) return send(200, '<html>login</html>', { 'set-cookie': `JSESSIONID=s${++sessionCounter}; Path=/; HttpOnly` });
        if (url.pathname === LOGIN_FRAME) return send(200, '<html><form id="loginForm"></form></html>');
        if (url.pathname === LOGIN_POST) {
          const code = loginCodes.length > 1 ? loginCodes.shift()! : loginCodes[0];
          const session = cookieOf(req, 'JSESSIONID');
          const ok = code === 'CD001' && form.get('mbrId') === ID && form.get('pw') === PASSWORD && !!session && cookieOf(req, 'WMONID') === 'track-1';
          if (ok) loggedIn.add(session!);
          return send(200, JSON.stringify({ _error_code: ok ? 'CD001' : code === 'CD001' ? 'CD002' : code, _error_message: '' }));
        }
        if (url.pathname !== DATA && url.pathname !== BUNDLE) return send(404, 'Not Found');
        if (!loggedIn.has(cookieOf(req, 'JSESSIONID') ?? '') || dataMode === 'logout-always') return send(400, 'LOGOUT');
        if (url.pathname === BUNDLE) return send(200, JSON.stringify({ result: { output: [{ max_work_dt: '20240105' }] } }));
        switch (dataMode) {
          case 'http500': return send(500, '<html>Internal Server Error</html>');
          case 'html': return send(200, '<!DOCTYPE html><html><body>시스템 점검</body></html>');
          case 'truncated': return send(200, dataBodies[form.get('bld')!].slice(0, 2000));
          case 'range400': return send(400, 'Bad Request (Period is up to 2 years)');
          case 'echo400': return send(400, `{"pw":"${PASSWORD}"} ${form.toString()}`);
          case 'holiday':
            return send(200, capture(form.get('bld')!.endsWith('04301') ? 'krx__MDCSTAT04301__holiday_all_dash.json' : 'krx__MDCSTAT01501__holiday_all_dash.json'));
          case 'empty': return send(200, capture('krx__MDCSTAT30101__holiday_empty.json'));
        }
        const body = dataBodies[form.get('bld') ?? ''];
        return body ? send(200, body) : send(400, 'unknown bld');
      });
    });
    baseUrl = await listenLocal(server);
  });
  afterAll(async () => {
    await closeLocal(server);
  });
  beforeEach(() => {
    seen.length = 0;
    loginCodes = ['CD001'];
    dataMode = 'ok';
    loggedIn = new Set();
  });

  let clock = NOW;
  const events: RequestEvent[] = [];
  const client = (over: Partial<KrxClientOptions> = {}) =>
    new KrxClient({
      baseUrl, credentials: { id: ID, password: PASSWORD }, timeoutMs: 2000, pacer: new RequestPacer(1000), now: () => clock,
      onRequest: (e) => events.push(e), ...over,
    });
  const logins = () => seen.filter((s) => s.path === LOGIN_POST);
  const dataCalls = () => seen.filter((s) => s.path === DATA);

  it('logs in (page with its redirect, frame, form POST), then queries with the session cookie and browser headers', async () => {
    const rows = await client().dailyStocks('2021-01-22', 'STK');
    expect(rows).toHaveLength(17);
    expect(seen.map((s) => `${s.method} ${s.path}${s.query.size ? `?${s.query}` : ''}`)).toEqual([
      `GET ${LOGIN_PAGE}`, `GET ${LOGIN_PAGE}?landing=1`, `GET ${LOGIN_FRAME}?site=mdc`, `POST ${LOGIN_POST}`, `POST ${DATA}`,
    ]);
    expect(seen[2].headers.referer).toBe(`${baseUrl}${LOGIN_PAGE}`);
    const login = logins()[0];
    expect(Object.fromEntries(login.form)).toEqual({ mbrNm: '', telNo: '', di: '', certType: '', mbrId: ID, pw: PASSWORD });
    expect(login.headers['content-type']).toMatch(/application\/x-www-form-urlencoded/);
    const data = dataCalls()[0];
    expect(data.headers.cookie).toMatch(/WMONID=track-1/);
    expect(data.headers.cookie).toMatch(/JSESSIONID=s\d+/);
    expect(data.headers.referer).toBe(`${baseUrl}/contents/MDC/MDI/outerLoader/index.cmd`);
    expect(data.headers['x-requested-with']).toBe('XMLHttpRequest');
    expect(data.headers['user-agent']).toMatch(/^Mozilla\/5\.0/);
    expect(Object.fromEntries(data.form)).toMatchObject({ bld: 'dbms/MDC/STAT/standard/MDCSTAT01501', mktId: 'STK', trdDd: '20210122' });
  });

  it('keeps the session for its assumed lifetime and logs in again before it ends (55 minutes by default)', async () => {
    clock = NOW;
    const c = client();
    await c.dailyStocks('2021-01-22');
    clock = NOW + 54 * 60_000;
    await c.dailyEtfs('2021-03-25');
    expect(logins()).toHaveLength(1);
    clock = NOW + 55 * 60_000;
    await c.dailyStocks('2021-01-22');
    expect(logins()).toHaveLength(2);
    const short = client({ sessionTtlMs: 10 * 60_000 });
    clock = NOW;
    await short.dailyStocks('2021-01-22');
    clock = NOW + 10 * 60_000;
    await short.dailyStocks('2021-01-22');
    expect(logins()).toHaveLength(4);
    clock = NOW;
  });

  it('LOGOUT before the assumed expiry: one fresh login, the query sent again', async () => {
    const c = client();
    await c.dailyStocks('2021-01-22');
    loggedIn.clear(); // the server forgot the session
    seen.length = 0;
    expect(await c.dailyEtfs('2021-03-25')).toHaveLength(17);
    expect(seen.filter((s) => s.method === 'POST').map((s) => s.path)).toEqual([DATA, LOGIN_POST, DATA]);
  });

  it('LOGOUT again right after the fresh login is non-retryable, after exactly one re-login', async () => {
    dataMode = 'logout-always';
    const f = await failureOf(client().dailyStocks('2021-01-22'));
    expect(f).toMatchObject({ cls: 'non-retryable', code: 'LOGOUT', message: expect.stringMatching(/^krx: MDCSTAT01501: KRX answered LOGOUT \(HTTP 400\) again/) });
    expect(logins()).toHaveLength(2);
    expect(dataCalls()).toHaveLength(2);
  });

  it('without KRX_ID/KRX_PW no login is tried, and LOGOUT is non-retryable at once', async () => {
    const f = await failureOf(client({ credentials: undefined }).dailyStocks('2021-01-22'));
    expect(f).toMatchObject({ cls: 'non-retryable', code: 'LOGOUT', message: expect.stringMatching(/set KRX_ID and KRX_PW/) });
    expect(seen.map((s) => s.path)).toEqual([DATA]);
  });

  it('CD010 (password change required) is non-retryable, and no query is sent', async () => {
    loginCodes = ['CD010'];
    const f = await failureOf(client().dailyStocks('2021-01-22'));
    expect(f).toMatchObject({ cls: 'non-retryable', code: 'KRX_PASSWORD_CHANGE', message: expect.stringMatching(/password change/) });
    expect(logins()).toHaveLength(1);
    expect(dataCalls()).toHaveLength(0);
  });

  it('CD011 (duplicate login) is answered by sending the form again once with skipDup=Y', async () => {
    loginCodes = ['CD011', 'CD001'];
    expect(await client().dailyStocks('2021-01-22')).toHaveLength(17);
    expect(logins().map((s) => s.form.get('skipDup'))).toEqual([null, 'Y']);
    expect(logins()[1].form.get('pw')).toBe(PASSWORD);
    loginCodes = ['CD011'];
    seen.length = 0;
    expect(await failureOf(client().dailyStocks('2021-01-22'))).toMatchObject({ cls: 'non-retryable', code: 'KRX_DUPLICATE_LOGIN' });
    expect(logins()).toHaveLength(2);
  });

  it('a refused login (any other code) is non-retryable and names neither secret', async () => {
    const f = await failureOf(client({ credentials: { id: ID, password: 'wrong-password' } }).dailyStocks('2021-01-22'));
    expect(f).toMatchObject({ cls: 'non-retryable', code: 'KRX_LOGIN_REFUSED', message: expect.stringMatching(/CD002/) });
    expect(f.message).not.toContain('wrong-password');
  });

  it('HTTP 500 is retryable; an HTML page and a truncated body are malformed; a 400 range refusal is non-retryable', async () => {
    dataMode = 'http500';
    expect(await failureOf(client().dailyStocks('2021-01-22'))).toMatchObject({ cls: 'retryable', code: 'HTTP500' });
    dataMode = 'html';
    expect(await failureOf(client().dailyEtfs('2021-03-25'))).toMatchObject({ cls: MALFORMED_CLASS, code: 'MALFORMED', message: expect.stringMatching(/markup instead of JSON/) });
    dataMode = 'truncated';
    expect(await failureOf(client().dailyStocks('2021-01-22'))).toMatchObject({ cls: MALFORMED_CLASS, code: 'MALFORMED', message: expect.stringMatching(/not JSON/) });
    dataMode = 'range400';
    const range = await failureOf(client().query('dbms/MDC/STAT/standard/MDCSTAT01701', { isuCd: 'KR7005930003', strtDd: '20180101', endDd: '20240105' }, 'output'));
    expect(range).toMatchObject({ cls: 'non-retryable', code: 'HTTP400', message: expect.stringMatching(/^krx: MDCSTAT01701: HTTP 400/) });
  });

  it('holiday answers are zero rows, not errors', async () => {
    dataMode = 'holiday';
    expect(await client().dailyStocks('2021-01-23')).toEqual([]);
    expect(await client().dailyEtfs('2021-03-21')).toEqual([]);
    dataMode = 'empty';
    expect(await client().dailyStocks('2021-01-03')).toEqual([]);
    dataMode = 'ok';
    expect(await client().query('dbms/MDC/STAT/srt/MDCSTAT30101', { trdDd: '20210103' }, 'OutBlock_1')).toEqual([]);
  });

  it('listings, the ticker finder and the latest business day (constructed bodies)', async () => {
    const c = client();
    const listings = await c.listings('STK');
    expect(listings).toEqual([
      {
        ticker: '005930', isin: 'KR7005930003', name: '삼성전자보통주', shortName: '삼성전자', englishName: 'SamsungElectronics', listedOn: '1975-06-11',
        market: 'KOSPI', securityGroup: '주권', department: null, shareKind: '보통주', parValue: 100, listedShares: 5969782550,
      },
      expect.objectContaining({ ticker: '0126Z0', isin: 'KR70126Z0002', parValue: null, listedShares: null, listedOn: '2025-11-24' }),
    ]);
    const tickers = await c.findTickers();
    expect(tickers.map((t) => [t.ticker, t.isin, t.marketId])).toEqual([['005930', 'KR7005930003', 'STK'], ['247540', 'KR7247540008', 'KSQ']]);
    expect(await c.latestBusinessDay()).toBe('2024-01-05');
    const [bundle] = seen.filter((s) => s.path === BUNDLE);
    expect(Object.fromEntries(bundle.query)).toEqual({ baseName: 'krx.mdc.i18n.component', key: 'B128.bld' });
    expect(Object.fromEntries(seen.filter((s) => s.path === DATA)[1].form)).toMatchObject({ bld: 'dbms/comm/finder/finder_stkisu', mktsel: 'ALL', searchText: '', typeNo: '0' });
  });

  it('refuses a bad market before calling, and a beforeRequest gate can refuse any request', async () => {
    expect(await failureOf(client().dailyStocks('2021-01-22', 'XXX' as never))).toMatchObject({ cls: 'non-retryable', code: 'BAD_REQUEST' });
    expect(seen).toHaveLength(0);
    const gate = client({ beforeRequest: () => { throw new SourceError('krx', 'rate-limited', 'budget spent', 'QUOTA', 1234); } });
    expect(await failureOf(gate.dailyStocks('2021-01-22'))).toMatchObject({ cls: 'rate-limited', code: 'QUOTA', wait: 1234 });
    expect(seen).toHaveLength(0);
  });

  it('never shows the password: not in messages, stacks or logged URLs, even when the server echoes the form', async () => {
    events.length = 0;
    dataMode = 'echo400';
    const f = await failureOf(client().dailyStocks('2021-01-22'));
    expect(f).toMatchObject({ cls: 'non-retryable', code: 'HTTP400' });
    loginCodes = ['CD010'];
    const g = await failureOf(client().dailyStocks('2021-01-22'));
    for (const e of [f.err, g.err]) {
      for (const text of [e?.message ?? '', e?.stack ?? '', JSON.stringify(e)]) expect(text).not.toContain('SECRETkrx');
    }
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e.url).not.toContain('SECRETkrx');
  });
});
