/**
 * The FSC query APIs beside the price one: dividends (getDiviInfo_V2), bond basic info
 * (getBondBasiInfo_V2) and the corporate outline (getCorpOutline_V2), against a real local HTTP
 * server speaking the data.go.kr envelope. There are no captures of these three APIs; the rows
 * below are built from the field lists of korean-apis.md §3.2–3.4 in data.go.kr's formats
 * (strings, leading-dot decimals, "" and "NULL" for empty).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BondBasicInfoClient, BONDS_PATH } from '../sources/datagokr/bond-basic-info';
import { CorpOutlineClient, CORP_OUTLINE_PATH } from '../sources/datagokr/corp-outline';
import { DIVIDENDS_PATH, StockDividendsClient } from '../sources/datagokr/stock-dividends';
import { SourceError, msUntilKstMidnight } from '../sources/errors';
import { RequestPacer } from '../sources/http';
import { closeLocal, listenLocal } from './helpers/local-server';

const NOW = Date.UTC(2024, 0, 5, 6, 0); // 15:00 KST
const SECRET = 'SECRET+datagokr/key==';

type Reply = { status?: number; body: string; headers?: Record<string, string> };
/** Serves `rows` for `path` as data.go.kr does; `reply` overrides the answer when set. */
let datasets: Record<string, unknown[]> = {};
let totalCountOf: (pageNo: number, rows: unknown[]) => number = (_p, rows) => rows.length;
let servedPageSize: (asked: number) => number = (asked) => asked;
let reply: ((url: URL) => Reply | undefined) | undefined;
let requests: URL[] = [];
let server: http.Server;
let baseUrl: string;

function envelope(items: unknown[], pageNo: number, numOfRows: number, totalCount: number): string {
  const wrapped = items.length === 0 ? '' : { item: items.length === 1 ? items[0] : items }; // one row comes as an object
  return JSON.stringify({
    response: { header: { resultCode: '00', resultMsg: 'NORMAL SERVICE.' }, body: { numOfRows, pageNo, totalCount, items: wrapped } },
  });
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    requests.push(url);
    const special = reply?.(url);
    if (special) {
      res.writeHead(special.status ?? 200, { 'content-type': 'application/json', ...special.headers });
      res.end(special.body);
      return;
    }
    const rows = datasets[url.pathname];
    if (!rows) {
      res.end(JSON.stringify({ response: { header: { resultCode: '12', resultMsg: 'NO_OPENAPI_SERVICE_ERROR' } } }));
      return;
    }
    const pageNo = Number(url.searchParams.get('pageNo'));
    const size = servedPageSize(Number(url.searchParams.get('numOfRows')));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(envelope(rows.slice((pageNo - 1) * size, pageNo * size), pageNo, size, totalCountOf(pageNo, rows)));
  });
  baseUrl = await listenLocal(server);
});
afterAll(async () => {
  await closeLocal(server);
});
beforeEach(() => {
  requests = [];
  datasets = { [BONDS_PATH]: bonds(2500), [DIVIDENDS_PATH]: DIVIDENDS, [CORP_OUTLINE_PATH]: OUTLINES };
  totalCountOf = (_p, rows) => rows.length;
  servedPageSize = (asked) => asked;
  reply = undefined;
});

const common = (url = baseUrl, serviceKey = SECRET) => ({ baseUrl: url, serviceKey, timeoutMs: 2000, pacer: new RequestPacer(1000), now: () => NOW });
const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e) as Promise<SourceError>;

function bonds(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    basDt: '20240105',
    crno: '1101110000001',
    isinCd: `KR6${String(i).padStart(9, '0')}`,
    isinCdNm: `테스트캐피탈${i}`,
    scrsItmsKcd: '1301',
    scrsItmsKcdNm: '회사채',
    bondIsurNm: '테스트캐피탈',
    bondIssuDt: '20230110',
    bondExprDt: '20260110',
    bondIssuAmt: '100000000000',
    bondPymtAmt: '0',
    bondBal: '100000000000',
    bondSrfcInrt: i % 2 ? '4.123' : '.95',
    irtChngDcd: 'N',
    bondIntTcd: '1',
    bondIntTcdNm: '이표채',
    intPayCyclCtt: '3',
    nxtmCopnDt: '20240410',
    rbfCopnDt: '20240110',
    grnDcd: '1',
    grnDcdNm: '무보증',
    kisScrsItmsKcdNm: 'AA-',
    niceScrsItmsKcdNm: '',
    lstgDt: 'NULL',
    prmncBondYn: 'N',
    stripsPsblYn: 'N',
    bondIssuCurCdNm: 'KRW',
  }));
}

const DIVIDENDS = [
  {
    basDt: '20240315',
    crno: '1301110006246',
    isinCd: 'KR7005930003',
    isinCdNm: '삼성전자보통주',
    stckIssuCmpyNm: '삼성전자(주)',
    dvdnBasDt: '20231231',
    cashDvdnPayDt: '20240419',
    stckHndvDt: '',
    stckDvdnRcd: '01',
    stckDvdnRcdNm: '현금배당',
    trsnmDptyDcd: '01',
    trsnmDptyDcdNm: '한국예탁결제원',
    scrsItmsKcd: '0101',
    scrsItmsKcdNm: '보통주',
    stckGenrDvdnAmt: '361',
    stckGrdnDvdnAmt: '0',
    stckGenrCashDvdnRt: '1.9',
    stckGenrDvdnRt: '.5',
    cashGrdnDvdnRt: '',
    stckGrdnDvdnRt: 'NULL',
    stckParPrc: '100',
    stckStacMd: '1231',
  },
  {
    basDt: '20240315',
    crno: '1301110006246',
    isinCd: 'KR7005931001',
    isinCdNm: '삼성전자우선주',
    stckIssuCmpyNm: '삼성전자(주)',
    dvdnBasDt: '20230930',
    cashDvdnPayDt: '20231120',
    scrsItmsKcd: '0201',
    scrsItmsKcdNm: '우선주',
    stckGenrDvdnAmt: '361',
    stckGenrCashDvdnRt: '-.75',
  },
];

const OUTLINES = [
  {
    crno: '1301110006246',
    corpNm: '삼성전자(주)',
    corpEnsnNm: 'SAMSUNG ELECTRONICS CO,.LTD',
    enpRprFnm: '한종희',
    corpRegMrktDcd: 'Y',
    corpRegMrktDcdNm: '유가증권',
    bzno: '1248100998',
    enpEstbDt: '19690113',
    enpStacMm: '12월',
    enpKrxLstgDt: '19750611',
    enpKrxLstgAbolDt: '',
    enpEmpeCnt: '121404',
    enpPn1AvgSlryAmt: '135000000',
    fssCorpUnqNo: '00126380',
    fssCorpChgDtm: '2024/01/05',
  },
  { crno: '1101111234567', corpNm: '삼성전자잠실판매', fssCorpUnqNo: '', enpEstbDt: 'NULL' },
];

describe('getBondBasiInfo_V2', () => {
  const client = (extra: { pageSize?: number; maxPages?: number; path?: string } = {}) => new BondBasicInfoClient({ ...common(), ...extra });

  it('pages by 1,000 to the end: 2,500 bonds in 3 requests, each once, values parsed', async () => {
    const rows = await client().bonds({ basDt: '2024-01-05' });
    expect(rows).toHaveLength(2500);
    expect(new Set(rows.map((r) => r.isinCd)).size).toBe(2500);
    expect(requests.map((u) => u.searchParams.get('pageNo'))).toEqual(['1', '2', '3']);
    expect(Object.fromEntries(requests[0].searchParams)).toMatchObject({ serviceKey: SECRET, resultType: 'json', numOfRows: '1000', basDt: '20240105' });
    expect(requests[0].pathname).toBe('/1160100/GetBondIssuInfoService_V2/getBondBasiInfo_V2');
    expect(rows[0]).toMatchObject({
      basDt: '2024-01-05',
      isinCd: 'KR6000000000',
      bondIssuDt: '2023-01-10',
      bondExprDt: '2026-01-10',
      bondIssuAmt: 100_000_000_000,
      bondPymtAmt: 0,
      bondSrfcInrt: 0.95,
      kisScrsItmsKcdNm: 'AA-',
      niceScrsItmsKcdNm: null,
      lstgDt: null,
      optnTcd: null, // absent column
    });
    expect(rows[1].bondSrfcInrt).toBe(4.123);
  });

  it('keeps going when the server serves fewer rows than asked', async () => {
    servedPageSize = () => 500;
    const rows = await client().bonds({ crno: '1101110000001' });
    expect(rows).toHaveLength(2500);
    expect(requests).toHaveLength(5);
    expect(requests[0].searchParams.get('crno')).toBe('1101110000001');
  });

  it('refuses a query without basDt, crno or isinCd before calling', async () => {
    for (const q of [{}, { bondIsurNm: '테스트캐피탈' }]) {
      const err = await failure(client().bonds(q));
      expect(err).toBeInstanceOf(SourceError);
      expect(err).toMatchObject({ failureClass: 'non-retryable', code: 'BAD_REQUEST' });
      expect(err.message).toMatch(/getBondBasiInfo_V2: at least one of basDt, crno or isinCd is required/);
    }
    expect(requests).toHaveLength(0);
  });

  it('loop guard: a totalCount above the rows served fails at the first empty page', async () => {
    totalCountOf = () => 5000;
    const err = await failure(client().bonds({ basDt: '2024-01-05' }));
    expect(err).toMatchObject({ failureClass: 'retryable', code: 'PAGING' });
    expect(err.message).toMatch(/getBondBasiInfo_V2 page 4: empty page with 2500\/5000 rows/);
    expect(requests).toHaveLength(4);
  });

  it('loop guard: a totalCount that keeps growing stops at the pages the first page implied', async () => {
    datasets[BONDS_PATH] = bonds(20_000);
    totalCountOf = (pageNo) => pageNo * 1000 + 1;
    const err = await failure(client().bonds({ basDt: '2024-01-05' }));
    expect(err).toMatchObject({ failureClass: 'retryable', code: 'PAGING' });
    expect(err.message).toMatch(/page 4: paging did not converge: 3000\/3001 rows after 3 pages/);
    expect(requests).toHaveLength(3);
  });

  it('loop guard: maxPages caps an honest but too long listing', async () => {
    const err = await failure(client({ maxPages: 2 }).bonds({ basDt: '2024-01-05' }));
    expect(err).toMatchObject({ failureClass: 'retryable', code: 'PAGING' });
    expect(requests).toHaveLength(2);
  });

  it('the path is configurable (the legacy service)', async () => {
    datasets['/1160100/service/GetBondIssuInfoService/getBondBasiInfo'] = bonds(3);
    const rows = await client({ path: '/1160100/service/GetBondIssuInfoService/getBondBasiInfo' }).bonds({ isinCd: 'KR6000000001' });
    expect(rows).toHaveLength(3);
    expect(requests[0].searchParams.get('isinCd')).toBe('KR6000000001');
  });
});

describe('getDiviInfo_V2', () => {
  const client = (pageSize?: number) => new StockDividendsClient({ ...common(), pageSize });

  it('parses dividends; dvdnBasDt is the event date, basDt the load date', async () => {
    const rows = await client().dividends({ crno: '1301110006246', basDt: '2024-03-15' });
    expect(requests[0].pathname).toBe('/1160100/GetStocDiviInfoService_V2/getDiviInfo_V2');
    expect(Object.fromEntries(requests[0].searchParams)).toMatchObject({ crno: '1301110006246', basDt: '20240315', serviceKey: SECRET });
    expect(requests[0].searchParams.has('stckIssuCmpyNm')).toBe(false);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      basDt: '2024-03-15',
      eventDate: '2023-12-31',
      dvdnBasDt: '2023-12-31',
      cashDvdnPayDt: '2024-04-19',
      stckHndvDt: null,
      isinCd: 'KR7005930003',
      scrsItmsKcd: '0101',
      stckGenrDvdnAmt: 361,
      stckGenrCashDvdnRt: 1.9,
      stckGenrDvdnRt: 0.5,
      cashGrdnDvdnRt: null,
      stckGrdnDvdnRt: null,
      stckParPrc: 100,
    });
    expect(rows[1]).toMatchObject({ eventDate: '2023-09-30', scrsItmsKcdNm: '우선주', stckGenrCashDvdnRt: -0.75, trsnmDptyDcd: null });
  });

  it('pages to the end, a last page of one row arriving as an object', async () => {
    const rows = await client(1).dividends({ companyName: '삼성전자(주)' });
    expect(rows.map((r) => r.isinCd)).toEqual(['KR7005930003', 'KR7005931001']);
    expect(requests).toHaveLength(2);
    expect(requests[0].searchParams.get('stckIssuCmpyNm')).toBe('삼성전자(주)');
  });

  it('needs a filter; resultCode 03 is no data', async () => {
    expect(await failure(client().dividends({}))).toMatchObject({ failureClass: 'non-retryable', code: 'BAD_REQUEST' });
    reply = () => ({ body: JSON.stringify({ response: { header: { resultCode: '03', resultMsg: 'NODATA_ERROR' } } }) });
    expect(await client().dividends({ crno: '0000000000000' })).toEqual([]);
  });

  it('a row with a date that is no date is a malformed answer naming the operation and item', async () => {
    datasets[DIVIDENDS_PATH] = [{ ...DIVIDENDS[0], dvdnBasDt: '2023-13' }];
    const err = await failure(client().dividends({ crno: '1301110006246' }));
    expect(err).toMatchObject({ failureClass: 'non-retryable', code: 'MALFORMED' });
    expect(err.message).toMatch(/getDiviInfo_V2 page 1 item 0: row does not match \(dvdnBasDt/);
  });
});

describe('getCorpOutline_V2', () => {
  const client = () => new CorpOutlineClient({ ...common() });

  it('fssCorpUnqNo is the DART corp_code, leading zeros kept', async () => {
    const rows = await client().outlines({ corpNm: '삼성전자' });
    expect(requests[0].pathname).toBe('/1160100/service/GetCorpBasicInfoService_V2/getCorpOutline_V2');
    expect(rows).toHaveLength(2); // corpNm is a partial match
    expect(rows[0]).toMatchObject({
      crno: '1301110006246',
      dartCorpCode: '00126380',
      enpEstbDt: '1969-01-13',
      enpKrxLstgDt: '1975-06-11',
      enpKrxLstgAbolDt: null,
      enpEmpeCnt: 121404,
      corpRegMrktDcdNm: '유가증권',
    });
    expect(rows[1]).toMatchObject({ corpNm: '삼성전자잠실판매', dartCorpCode: null, enpEstbDt: null });
  });

  it('dartCorpCode(crno) bridges one company; none on record is null', async () => {
    expect(await client().dartCorpCode('1301110006246')).toBe('00126380');
    expect(await client().dartCorpCode('1101111234567')).toBeNull();
    expect(requests[0].searchParams.get('crno')).toBe('1301110006246');
  });
});

describe('failure classes through the clients', () => {
  const bondsCall = (url = baseUrl, key = SECRET) => failure(new BondBasicInfoClient(common(url, key)).bonds({ basDt: '2024-01-05' }));
  const code = (c: string) => () => ({ body: JSON.stringify({ response: { header: { resultCode: c, resultMsg: 'MSG' } } }) });
  const gateway = (c: string, status: number) => () => ({
    status,
    body: `<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg><returnAuthMsg>SERVICE_KEY_IS_NOT_REGISTERED_ERROR</returnAuthMsg><returnReasonCode>${c}</returnReasonCode></cmmMsgHeader></OpenAPI_ServiceResponse>`,
    headers: { 'content-type': 'text/xml' },
  });

  it.each(['01', '02', '04', '05', '99'])('resultCode %s is retryable and names the operation', async (c) => {
    reply = code(c);
    const err = await bondsCall();
    expect(err).toMatchObject({ failureClass: 'retryable', code: c });
    expect(err.message).toMatch(new RegExp(`^data\\.go\\.kr: getBondBasiInfo_V2 page 1: resultCode ${c}`));
  });
  it.each(['10', '11', '12', '20', '29', '30', '31', '32', '33'])('resultCode %s is non-retryable', async (c) => {
    reply = code(c);
    expect(await bondsCall()).toMatchObject({ failureClass: 'non-retryable', code: c });
  });
  it('22 waits for the KST midnight reset, 23 a second, 429 its Retry-After', async () => {
    reply = gateway('22', 200);
    expect(await bondsCall()).toMatchObject({ failureClass: 'rate-limited', retryAfterMs: 9 * 3_600_000 + 60_000 });
    reply = gateway('23', 200);
    expect(await bondsCall()).toMatchObject({ failureClass: 'rate-limited', retryAfterMs: 1000 });
    reply = () => ({ status: 429, body: '', headers: { 'retry-after': '3' } });
    expect(await bondsCall()).toMatchObject({ failureClass: 'rate-limited', retryAfterMs: 3000 });
  });
  it('HTTP 5xx is retryable; broken JSON and the XML key error are non-retryable', async () => {
    reply = () => ({ status: 503, body: 'Service Unavailable' });
    expect(await bondsCall()).toMatchObject({ failureClass: 'retryable', code: 'HTTP503' });
    reply = () => ({ body: '{"response":{"header":{"resultCo' });
    expect(await bondsCall()).toMatchObject({ failureClass: 'non-retryable', code: 'MALFORMED' });
    reply = gateway('30', 401);
    expect(await bondsCall()).toMatchObject({ failureClass: 'non-retryable', code: '30' });
  });

  describe('the gateway envelope in JSON (korean-apis.md §3.0): the reason code decides, not the HTTP status', () => {
    const jsonGateway = (c: string, authMsg: string, status: number) => () => ({
      status,
      body: JSON.stringify({ OpenAPI_ServiceResponse: { cmmMsgHeader: { errMsg: 'SERVICE ERROR', returnAuthMsg: authMsg, returnReasonCode: c } } }),
    });
    const QUOTA = 'LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR';
    const UNREGISTERED = 'SERVICE_KEY_IS_NOT_REGISTERED_ERROR';

    it.each([200, 429])('22 with HTTP %i waits until 00:01 KST', async (status) => {
      reply = jsonGateway('22', QUOTA, status);
      const err = await bondsCall();
      expect(err).toBeInstanceOf(SourceError);
      expect(err).toMatchObject({ source: 'data.go.kr', failureClass: 'rate-limited', code: '22', retryAfterMs: msUntilKstMidnight(NOW) });
      expect(err.retryAfterMs).toBe(9 * 3_600_000 + 60_000); // 15:00 KST → 00:01 KST
      expect(err.message).toMatch(new RegExp(`getBondBasiInfo_V2 page 1: resultCode 22 ${QUOTA}`));
    });

    it.each([200, 401])('30 with HTTP %i is non-retryable, naming the key setting but not the key', async (status) => {
      reply = jsonGateway('30', UNREGISTERED, status);
      const err = await bondsCall();
      expect(err).toMatchObject({ failureClass: 'non-retryable', code: '30' });
      expect(err.message).toContain(`${UNREGISTERED}: the service key is not registered (DATAGOKR_API_KEY)`);
      for (const form of [SECRET, encodeURIComponent(SECRET)]) expect(`${err.message} ${err.stack}`).not.toContain(form);
    });

    it('31 names the key too; 23 waits a second; the XML form reads the same', async () => {
      reply = jsonGateway('31', 'DEADLINE_HAS_EXPIRED_ERROR', 401);
      const expired = await bondsCall();
      expect(expired).toMatchObject({ failureClass: 'non-retryable', code: '31' });
      expect(expired.message).toMatch(/DEADLINE_HAS_EXPIRED_ERROR: .*\(DATAGOKR_API_KEY\)/);
      reply = jsonGateway('23', 'LIMITED_NUMBER_OF_SERVICE_REQUESTS_PER_SECOND_EXCEEDS_ERROR', 429);
      expect(await bondsCall()).toMatchObject({ failureClass: 'rate-limited', code: '23', retryAfterMs: 1000 });
      reply = gateway('22', 429);
      expect(await bondsCall()).toMatchObject({ failureClass: 'rate-limited', code: '22', retryAfterMs: msUntilKstMidnight(NOW) });
      reply = gateway('30', 200);
      expect((await bondsCall()).message).toContain('(DATAGOKR_API_KEY)');
    });

    it("the reference's field order (the code's name in errMsg) and a reason code given as a number read the same", async () => {
      reply = () => ({
        status: 401,
        body: JSON.stringify({ OpenAPI_ServiceResponse: { cmmMsgHeader: { errMsg: 'SERVICE_KEY_IS_NULL', returnAuthMsg: '서비스 접근거부', returnReasonCode: 20 } } }),
      });
      const err = await bondsCall();
      expect(err).toMatchObject({ failureClass: 'non-retryable', code: '20' });
      expect(err.message).toMatch(/resultCode 20 서비스 접근거부 SERVICE_KEY_IS_NULL: .*\(DATAGOKR_API_KEY\)/);
    });

    it('an unknown reason code is retryable, and says so', async () => {
      reply = jsonGateway('77', 'SOMETHING_NEW', 200);
      const err = await bondsCall();
      expect(err).toMatchObject({ failureClass: 'retryable', code: '77' });
      expect(err.message).toMatch(/\(unknown code\)$/);
    });
  });

  it('the serviceKey is in no failure, whichever way it fails', async () => {
    const errors: SourceError[] = [];
    reply = gateway('30', 401);
    errors.push(await bondsCall());
    reply = () => ({ status: 500, body: '' });
    errors.push(await bondsCall());
    reply = () => ({ body: 'not json' });
    errors.push(await bondsCall());
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    errors.push(await bondsCall(`http://127.0.0.1:${port}`));
    expect(errors[3]).toMatchObject({ code: 'NETWORK' });
    expect(errors[3].message).toMatch(/serviceKey=\*\*\*/);
    for (const e of errors) {
      expect(e).toBeInstanceOf(SourceError);
      for (const form of [SECRET, encodeURIComponent(SECRET), 'SECRET']) expect(`${e.message} ${e.stack}`).not.toContain(form);
    }
  });
});
