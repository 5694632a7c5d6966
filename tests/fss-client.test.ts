/**
 * The finlife client: the real captures parse as PROVENANCE.md (27–30) says, paging follows
 * max_page_no to the end against a real HTTP server, the loop guard stops counters that lie,
 * every err_cd lands in its class, and the `auth` key shows in no failure.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FinlifeClient } from '../sources/fss/client';
import { decodeFinlifePage } from '../sources/fss/envelope';
import { joinOptions } from '../sources/fss/join';
import { PRODUCT_TYPES, type FinlifeProductType } from '../sources/fss/products';
import { SourceError, msUntilKstMidnight } from '../sources/errors';
import { RequestPacer } from '../sources/http';
import { closeLocal, listenLocal } from './helpers/local-server';
import { capture } from './helpers/captures';

const answer = (body: string, status = 200, headers: Record<string, string> = {}) => ({ status, body, headers: new Headers(headers) });
const NOW = Date.UTC(2024, 0, 5, 6, 0); // 15:00 KST
const SECRET = 'fss-secret-0123456789abcdef012345';

type Handler = (url: URL, res: http.ServerResponse) => void;
let handler: Handler = (_u, res) => res.end('{}');
let requests: URL[] = [];
let server: http.Server;
let baseUrl: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    requests.push(url);
    handler(url, res);
  });
  baseUrl = await listenLocal(server);
});
afterAll(async () => {
  await closeLocal(server);
});
beforeEach(() => {
  requests = [];
});

const client = (opts: { maxPages?: number; auth?: string; url?: string } = {}) =>
  new FinlifeClient({ baseUrl: opts.url ?? baseUrl, auth: opts.auth ?? SECRET, timeoutMs: 2000, pacer: new RequestPacer(1000), maxPages: opts.maxPages, now: () => NOW });

const json = (res: http.ServerResponse, body: unknown, status = 200) => {
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

const result = (fields: Record<string, unknown>) => ({ result: { prdt_div: 'D', err_cd: '000', err_msg: '정상', ...fields } });

/** The page a capture holds, parsed and joined the way the client does it. */
function parseCapture(type: FinlifeProductType, file: string) {
  const page = decodeFinlifePage(answer(capture(file)), NOW, file);
  const spec = PRODUCT_TYPES[type];
  const bases = page.baseList.map((r) => spec.base.parse(r));
  const options = page.optionList.map((r) => spec.option.parse(r));
  return { page, ...joinOptions(bases as never, options as never, spec.joinKey) };
}

describe('finlife captures (PROVENANCE.md 27–30)', () => {
  it('annuity savings: total_count 297, max_page_no 60, one fund with its option', () => {
    const { page, products, orphanOptions } = parseCapture('annuitySaving', 'fss__annuitySavingProductsSearch__ok.json');
    expect(page).toMatchObject({ prdtDiv: 'P', totalCount: 297, maxPageNo: 60, nowPageNo: 1 });
    expect(products).toHaveLength(1);
    expect(orphanOptions).toEqual([]);
    const [p] = products as never as Array<{ base: Record<string, unknown>; options: Array<Record<string, unknown>> }>;
    expect(p.base).toMatchObject({
      fin_prdt_cd: 'K55232C99568',
      fin_co_no: '0011317',
      fin_prdt_nm: 'NH-Amundi 필승 코리아 증권투자신탁',
      pnsn_kind_nm: '연금저축펀드',
      prdt_type_nm: '주식형',
      dcls_month: '202010',
      dcls_rate: null, // documented but absent from the capture
    });
    expect(p.options).toHaveLength(1);
    expect(p.options[0]).toMatchObject({ pnsn_recp_amt: 201304, pnsn_recp_trm_nm: '10년 확정', pnsn_strt_age_nm: '60세' });
    // A display label, not the amount column: kept as text, and no amount is read from it.
    expect(p.options[0].mon_paym_atm_nm).toBe('100,000원');
    expect(p.options[0].mon_paym_atm).toBeNull();
  });

  it('mortgage: 홈드림모기지론 with its apartment / amortising / fixed-rate option', () => {
    const { page, products } = parseCapture('mortgageLoan', 'fss__mortgageLoanProductsSearch__ok.json');
    expect(page).toMatchObject({ prdtDiv: 'M', totalCount: 20, maxPageNo: 1 });
    expect(products).toHaveLength(1);
    expect(products[0].base).toMatchObject({ fin_co_no: '0010593', fin_prdt_cd: '302301', fin_prdt_nm: '홈드림모기지론', join_way: '영업점,모집인' });
    expect(products[0].options).toEqual([
      expect.objectContaining({ mrtg_type_nm: '아파트', rpay_type_nm: '분할상환방식', lend_rate_type_nm: '고정금리', lend_rate_min: 4.68, lend_rate_max: 6.38, lend_rate_avg: 4.79 }),
    ]);
  });

  it('rent-house loan: ABL전세자금대출, avg below min kept as published', () => {
    const { page, products } = parseCapture('rentHouseLoan', 'fss__rentHouseLoanProductsSearch__ok.json');
    expect(page).toMatchObject({ prdtDiv: 'R', totalCount: 9 });
    expect(products[0].base).toMatchObject({ fin_co_no: '0010594', fin_prdt_cd: 'ABLKeymoney1', fin_prdt_nm: 'ABL전세자금대출' });
    expect(products[0].options).toEqual([
      expect.objectContaining({ rpay_type_nm: '만기일시상환방식', lend_rate_type_nm: '고정금리', lend_rate_min: 4.25, lend_rate_max: 4.35, lend_rate_avg: 4.18 }),
    ]);
  });

  it('credit loan: Korean product code, grades present and absent', () => {
    const { page, products } = parseCapture('creditLoan', 'fss__creditLoanProductsSearch__ok.json');
    expect(page).toMatchObject({ prdtDiv: 'C', totalCount: 7 });
    expect(products[0].base).toMatchObject({ fin_prdt_cd: '개인신용대출', fin_prdt_nm: '개인신용대출', cb_name: 'NICE, KCB' });
    expect(products[0].options).toHaveLength(1);
    expect(products[0].options[0]).toMatchObject({
      crdt_lend_rate_type_nm: '대출금리',
      crdt_grad_1: 8.66,
      crdt_grad_4: 9.57,
      crdt_grad_avg: 9.09,
      crdt_grad_5: null,
      crdt_grad_6: null,
      crdt_grad_10: null,
      crdt_grad_11: null,
      crdt_grad_12: null,
      crdt_grad_13: null,
    });
  });

  it('the annuity capture pages to 60 through the client', async () => {
    const base = JSON.parse(capture('fss__annuitySavingProductsSearch__ok.json'));
    handler = (url, res) => {
      const pageNo = Number(url.searchParams.get('pageNo'));
      const body = structuredClone(base);
      body.result.now_page_no = pageNo;
      body.result.baseList[0].fin_prdt_cd += `-${pageNo}`;
      body.result.optionList[0].fin_prdt_cd += `-${pageNo}`;
      json(res, body);
    };
    const out = await client().products('annuitySaving', { topFinGrpNo: '060000' });
    expect(requests.map((u) => u.searchParams.get('pageNo'))).toEqual(Array.from({ length: 60 }, (_, i) => String(i + 1)));
    expect(requests[0].pathname).toBe('/finlifeapi/annuitySavingProductsSearch.json');
    expect(out).toMatchObject({ totalCount: 297, pages: 60, orphanOptions: [], duplicateProducts: 0 });
    expect(out.products).toHaveLength(60);
    expect(out.products.every((p) => p.options.length === 1 && p.options[0].pnsn_recp_amt === 201304)).toBe(true);
  });
});

describe('FinlifeClient paging against a local server', () => {
  const depositPage = (pageNo: number, maxPageNo: number, totalCount: number, codes: string[]) =>
    result({
      total_count: String(totalCount), // strings in the official example
      max_page_no: String(maxPageNo),
      now_page_no: String(pageNo),
      baseList: codes.map((c) => ({ dcls_month: '202601', fin_co_no: '0010001', kor_co_nm: '우리은행', fin_prdt_cd: c, fin_prdt_nm: `예금 ${c}`, max_limit: null })),
      optionList: codes.flatMap((c) => [
        { dcls_month: '202601', fin_co_no: '0010001', fin_prdt_cd: c, intr_rate_type: 'S', save_trm: '12', intr_rate: 3.1, intr_rate2: '3.55' },
        { dcls_month: '202601', fin_co_no: '0010001', fin_prdt_cd: c, intr_rate_type: 'S', save_trm: '24', intr_rate: 3.0, intr_rate2: null },
      ]),
    });

  it('reads all 3 pages, sends auth/topFinGrpNo/pageNo and joins options to their products', async () => {
    const pages: Record<string, string[]> = { '1': ['A1', 'A2'], '2': ['B1', 'B2'], '3': ['C1'] };
    handler = (url, res) => json(res, depositPage(Number(url.searchParams.get('pageNo')), 3, 5, pages[url.searchParams.get('pageNo') ?? ''] ?? []));
    const out = await client().products('deposit', { topFinGrpNo: '020000', financeCd: '0010001' });
    expect(requests).toHaveLength(3);
    expect(requests.map((u) => u.searchParams.get('pageNo'))).toEqual(['1', '2', '3']);
    expect(requests[0].pathname).toBe('/finlifeapi/depositProductsSearch.json');
    expect(Object.fromEntries(requests[0].searchParams)).toMatchObject({ auth: SECRET, topFinGrpNo: '020000', financeCd: '0010001' });
    expect(out.products.map((p) => p.base.fin_prdt_cd)).toEqual(['A1', 'A2', 'B1', 'B2', 'C1']);
    expect(out.products.every((p) => p.options.length === 2)).toBe(true);
    expect(out.products[0].options[0]).toMatchObject({ save_trm: 12, intr_rate: 3.1, intr_rate2: 3.55 });
    expect(out.products[0].options[1].intr_rate2).toBeNull();
    expect(out).toMatchObject({ totalCount: 5, pages: 3, orphanOptions: [] });
  });

  it('an empty first page is no data, not an error', async () => {
    handler = (_u, res) => json(res, result({ total_count: 0, max_page_no: 0, now_page_no: 1, baseList: [], optionList: [] }));
    const out = await client().products('saving', { topFinGrpNo: '060000' });
    expect(out.products).toEqual([]);
    expect(requests).toHaveLength(1);
  });

  it('loop guard: a max_page_no that keeps moving ahead stops at maxPages', async () => {
    handler = (url, res) => {
      const pageNo = Number(url.searchParams.get('pageNo'));
      json(res, depositPage(pageNo, pageNo + 1, 1_000_000, [`P${pageNo}`]));
    };
    const err = (await client({ maxPages: 5 }).products('deposit', { topFinGrpNo: '020000' }).catch((e: unknown) => e)) as SourceError;
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ failureClass: 'retryable', code: 'PAGING' });
    expect(err.message).toMatch(/depositProductsSearch.*page 6.*did not converge/);
    expect(requests).toHaveLength(5);
  });

  it('loop guard: max_page_no beyond what total_count allows stops early', async () => {
    handler = (url, res) => json(res, depositPage(Number(url.searchParams.get('pageNo')), 500, 4, ['X1', 'X2']));
    const err = (await client().products('deposit', { topFinGrpNo: '020000' }).catch((e: unknown) => e)) as SourceError;
    expect(err).toMatchObject({ failureClass: 'retryable', code: 'PAGING' });
    expect(requests).toHaveLength(3); // ceil(4 / 2) + 1
  });

  it('total_count that lies: an empty page before the rows it promised is a retryable failure', async () => {
    handler = (url, res) => {
      const pageNo = Number(url.searchParams.get('pageNo'));
      json(res, depositPage(pageNo, 10, 20, pageNo <= 2 ? [`Q${pageNo}a`, `Q${pageNo}b`] : []));
    };
    const err = (await client().products('deposit', { topFinGrpNo: '020000' }).catch((e: unknown) => e)) as SourceError;
    expect(err).toMatchObject({ failureClass: 'retryable', code: 'PAGING' });
    expect(err.message).toMatch(/page 3: empty page with 4\/20 products/);
  });

  it('credit loans join on crdt_prdt_type too; an option without it joins only when the product is unambiguous', async () => {
    handler = (_u, res) =>
      json(
        res,
        result({
          total_count: 3,
          max_page_no: 1,
          now_page_no: 1,
          baseList: [
            { fin_co_no: '0010001', fin_prdt_cd: 'CL1', crdt_prdt_type: '1', crdt_prdt_type_nm: '일반신용대출' },
            { fin_co_no: '0010001', fin_prdt_cd: 'CL1', crdt_prdt_type: '2', crdt_prdt_type_nm: '마이너스한도대출' },
            { fin_co_no: '0010002', fin_prdt_cd: 'CL9', crdt_prdt_type: '1' },
          ],
          optionList: [
            { fin_co_no: '0010001', fin_prdt_cd: 'CL1', crdt_prdt_type: '1', crdt_lend_rate_type: 'A', crdt_grad_1: '5.1' },
            { fin_co_no: '0010001', fin_prdt_cd: 'CL1', crdt_prdt_type: '2', crdt_lend_rate_type: 'A', crdt_grad_1: '6.2' },
            { fin_co_no: '0010001', fin_prdt_cd: 'CL1', crdt_lend_rate_type: 'B', crdt_grad_1: '1.0' }, // ambiguous
            { fin_co_no: '0010002', fin_prdt_cd: 'CL9', crdt_lend_rate_type: 'A', crdt_grad_1: '7.3' }, // one candidate
            { fin_co_no: '0010002', fin_prdt_cd: 'CL9', crdt_prdt_type: '3', crdt_grad_1: '9.9' }, // real mismatch
          ],
        }),
      );
    const out = await client().products('creditLoan', { topFinGrpNo: '020000' });
    const grades = out.products.map((p) => [p.base.fin_prdt_cd, p.base.crdt_prdt_type, p.options.map((o) => o.crdt_grad_1)]);
    expect(grades).toEqual([
      ['CL1', '1', [5.1]],
      ['CL1', '2', [6.2]],
      ['CL9', '1', [7.3]],
    ]);
    expect(out.orphanOptions.map((o) => o.crdt_grad_1)).toEqual([1.0, 9.9]);
  });

  it('a row without its key columns is a malformed answer naming the service and page', async () => {
    handler = (_u, res) => json(res, result({ total_count: 1, max_page_no: 1, baseList: [{ fin_prdt_nm: 'no key' }], optionList: [] }));
    const err = (await client().products('mortgageLoan', { topFinGrpNo: '050000' }).catch((e: unknown) => e)) as SourceError;
    expect(err).toMatchObject({ source: 'finlife', code: 'MALFORMED' });
    expect(err.message).toMatch(/mortgageLoanProductsSearch topFinGrpNo=050000 page 1 baseList\[0\]/);
  });
});

describe('finlife failure classes', () => {
  const classify = (a: ReturnType<typeof answer>) => {
    try {
      decodeFinlifePage(a, NOW, 'depositProductsSearch page 1');
    } catch (e) {
      return e instanceof SourceError ? { cls: e.failureClass, code: e.code, wait: e.retryAfterMs, message: e.message } : { cls: 'other' };
    }
    return { cls: 'none' };
  };
  const errBody = (code: string, msg = 'X') => JSON.stringify({ result: { err_cd: code, err_msg: msg } });

  it.each(['010', '011', '012', '013', '021', '100', '101'])('err_cd %s is non-retryable', (code) => {
    expect(classify(answer(errBody(code)))).toMatchObject({ cls: 'non-retryable', code });
  });
  it('err_cd 900 is retryable, and so is an unknown code, which says so', () => {
    expect(classify(answer(errBody('900', '정의되지 않은 오류')))).toMatchObject({ cls: 'retryable', code: '900' });
    expect(classify(answer(errBody('777')))).toMatchObject({ cls: 'retryable', code: '777', message: expect.stringMatching(/err_cd 777 X \(unknown code\)$/) });
  });
  it('err_cd 020 (daily quota) waits until the next KST midnight', () => {
    expect(classify(answer(errBody('020', '일일검색 허용횟수 초과')))).toMatchObject({ cls: 'rate-limited', code: '020', wait: 9 * 3_600_000 + 60_000 });
  });
  it('HTTP 5xx is retryable; 429 honours Retry-After, else 60 s; 401/403 are non-retryable', () => {
    expect(classify(answer('<html>bad gateway</html>', 502))).toMatchObject({ cls: 'retryable', code: 'HTTP502' });
    expect(classify(answer('', 503))).toMatchObject({ cls: 'retryable' });
    expect(classify(answer('', 429, { 'retry-after': '5' }))).toMatchObject({ cls: 'rate-limited', wait: 5000 });
    expect(classify(answer('', 429))).toMatchObject({ cls: 'rate-limited', wait: 60_000 });
    expect(classify(answer('', 401))).toMatchObject({ cls: 'non-retryable' });
    expect(classify(answer('', 403))).toMatchObject({ cls: 'non-retryable' });
  });
  it('HTML, truncated and foreign bodies fail naming the source and the endpoint', () => {
    for (const body of ['<html><body>점검중</body></html>', '{"result":{"err_cd":"000","baseLi', '{"data":[]}']) {
      const c = classify(answer(body));
      expect(c).toMatchObject({ cls: 'non-retryable', code: 'MALFORMED' });
      expect(c.message).toMatch(/^finlife: depositProductsSearch page 1: /);
    }
  });
  it('err_cd "000" with an empty list is no data; numbers and strings are both read as counters', () => {
    expect(decodeFinlifePage(answer(JSON.stringify(result({ total_count: '0', max_page_no: '0', baseList: [], optionList: [] }))), NOW, 'x')).toMatchObject({ totalCount: 0, baseList: [] });
    expect(decodeFinlifePage(answer(JSON.stringify(result({ total_count: 12, max_page_no: '3', baseList: [{}] }))), NOW, 'x')).toMatchObject({ totalCount: 12, maxPageNo: 3 });
  });

  describe('errors without the result wrapper, through the client', () => {
    const call = () => client().products('deposit', { topFinGrpNo: '020000' }).then(() => null, (e: unknown) => e as SourceError);

    it('020 is the daily quota: rate-limited until 00:01 KST', async () => {
      handler = (_u, res) => json(res, { err_cd: '020', err_msg: '일일검색 허용횟수 초과' });
      const err = await call();
      expect(err).toBeInstanceOf(SourceError);
      expect(err).toMatchObject({ source: 'finlife', failureClass: 'rate-limited', code: '020', retryAfterMs: msUntilKstMidnight(NOW) });
      expect(err?.retryAfterMs).toBe(9 * 3_600_000 + 60_000); // 15:00 KST → 00:01 KST
    });

    it('010 is the key: non-retryable, naming FSS_API_KEY but not the key', async () => {
      handler = (_u, res) => json(res, { err_cd: '010', err_msg: '미등록 인증키' });
      const err = await call();
      expect(err).toMatchObject({ failureClass: 'non-retryable', code: '010' });
      expect(err?.message).toMatch(/^finlife: depositProductsSearch topFinGrpNo=020000 page 1: err_cd 010 미등록 인증키: .*\(FSS_API_KEY\)/);
      expect(`${err?.message} ${err?.stack}`).not.toContain(SECRET);
    });

    it('the err_cd decides over the HTTP status: 020 with HTTP 429 waits for the reset, not 60 s', async () => {
      handler = (_u, res) => json(res, { err_cd: '020', err_msg: '일일검색 허용횟수 초과' }, 429);
      expect(await call()).toMatchObject({ failureClass: 'rate-limited', code: '020', retryAfterMs: msUntilKstMidnight(NOW) });
    });

    it('a bare "000" is no page: still malformed', () => {
      expect(classify(answer('{"err_cd":"000","err_msg":"정상"}'))).toMatchObject({ cls: 'non-retryable', code: 'MALFORMED' });
    });
  });

  it('the auth key is in no failure: API error, HTTP error, network error', async () => {
    handler = (_u, res) => json(res, { result: { err_cd: '010', err_msg: '미등록 인증키' } });
    const apiErr = (await client().products('deposit', { topFinGrpNo: '020000' }).catch((e: unknown) => e)) as SourceError;
    expect(apiErr).toMatchObject({ failureClass: 'non-retryable', code: '010' });

    handler = (_u, res) => json(res, 'oops', 500);
    const httpErr = (await client().products('deposit', { topFinGrpNo: '020000' }).catch((e: unknown) => e)) as SourceError;
    expect(httpErr.failureClass).toBe('retryable');

    // A port nobody listens on: the network failure's message carries the (redacted) URL.
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const netErr = (await client({ url: `http://127.0.0.1:${port}` }).products('deposit', { topFinGrpNo: '020000' }).catch((e: unknown) => e)) as SourceError;
    expect(netErr).toMatchObject({ failureClass: 'retryable', code: 'NETWORK' });
    expect(netErr.message).toMatch(/auth=\*\*\*/);

    for (const e of [apiErr, httpErr, netErr]) {
      expect(e).toBeInstanceOf(SourceError);
      expect(`${e.message} ${e.stack}`).not.toContain(SECRET);
    }
  });
});
