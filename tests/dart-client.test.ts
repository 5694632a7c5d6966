/**
 * The DART client: every real capture parses as PROVENANCE.md's Expected lines say, every status
 * code lands in its class, the maintenance window is refused, and the HTTP behaviour holds
 * against a real local server (the ZIP, 5xx, 429, hangs, resets), with the key in no message.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { zipSync } from 'fflate';
import { DartClient, type DartClientOptions, type DartRequestEvent } from '../sources/dart/client';
import { parseCorpCodeXml, parseCorpCodeZip, tickerToCorpCode } from '../sources/dart/corp-code';
import { toBonusIssues, toPaidInCapitalIncreases } from '../sources/dart/corporate-actions';
import { findDividend, toDividendRows } from '../sources/dart/dividends';
import { decodeList, MALFORMED_CLASS, type RawAnswer } from '../sources/dart/envelope';
import { chunkCorpCodes, findAccount, findMainAccount, toFullAccountRows, toMainAccountRows } from '../sources/dart/financial-statements';
import { msUntilMaintenanceEnds } from '../sources/dart/maintenance';
import { msUntilKstMidnight, SourceError } from '../sources/errors';
import { RequestPacer, redactUrl } from '../sources/http';
import { capture } from './helpers/captures';

const answer = (body: string | Uint8Array, status = 200, headers: Record<string, string> = {}): RawAnswer => ({
  status,
  headers: new Headers(headers),
  bytes: typeof body === 'string' ? new TextEncoder().encode(body) : body,
});
const listOf = (file: string, endpoint: string) => decodeList(endpoint, answer(capture(file)), NOW);

const KST = (h: number, m = 0, s = 0) => Date.UTC(2024, 0, 5, h - 9, m, s); // 2024-01-05, Korea time
const NOW = KST(15);

/** What a test expects of a failure: its class, code and wait. */
function failureOf(fn: () => unknown): { cls: string; code?: string; wait?: number; message?: string } {
  try {
    fn();
  } catch (e) {
    return e instanceof SourceError ? { cls: e.failureClass, code: e.code, wait: e.retryAfterMs, message: e.message } : { cls: `other: ${String(e)}` };
  }
  return { cls: 'none' };
}
async function failureOfAsync(p: Promise<unknown>) {
  const e = await p.then(() => null, (err: unknown) => err);
  if (e === null) return { cls: 'none' } as const;
  if (!(e instanceof SourceError)) throw e;
  return { cls: e.failureClass, code: e.code, wait: e.retryAfterMs, message: e.message, err: e };
}

/** A one-entry archive, deflated (DART's) or stored (level 0). */
function zipOf(name: string, content: Buffer, level: 0 | 6 = 6): Buffer {
  const zip = zipSync({ [name]: new Uint8Array(content) }, { level });
  return Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
}

describe('corpCode.xml (real capture, file 1)', () => {
  const xml = capture('dart__corpCode__excerpt.xml');
  const entries = parseCorpCodeXml(xml);

  it('reads 16 companies, 7 listed with their tickers, 9 unlisted with a null stock code', () => {
    expect(entries).toHaveLength(16);
    const listed = entries.filter((e) => e.stockCode !== null).map((e) => `${e.corpCode}/${e.stockCode}`);
    expect(listed).toEqual([
      '00164779/000660', '00117230/002900', '00258801/035720', '00126308/028050', '00356370/051900', '00107598/003920', '00126380/005930',
    ]);
    expect(entries.filter((e) => e.stockCode === null)).toHaveLength(9);
  });

  it('keeps codes as strings with leading zeros and turns modify_date into a date', () => {
    expect(entries.find((e) => e.corpCode === '00126380')).toEqual({
      corpCode: '00126380', corpName: '삼성전자', corpEngName: null, stockCode: '005930', modifyDate: '2023-01-10',
    });
  });

  it('decodes &amp; in names', () => {
    expect(entries.find((e) => e.corpCode === '00431042')?.corpName).toBe('거버너스M&A사모펀드3호');
  });

  it('links a ticker to its corp_code through the stock code, not the name (two 카카오)', () => {
    const kakao = entries.filter((e) => e.corpName === '카카오');
    expect(kakao.map((e) => [e.corpCode, e.stockCode])).toEqual([['00918444', null], ['00258801', '035720']]);
    const map = tickerToCorpCode(entries);
    expect(map.get('035720')).toBe('00258801');
    expect(map.get('005930')).toBe('00126380');
    expect(map.size).toBe(7);
  });

  it('reads the same entries out of a deflated or a stored ZIP', async () => {
    expect(await parseCorpCodeZip(zipOf('CORPCODE.xml', Buffer.from(xml)))).toEqual(entries);
    expect(await parseCorpCodeZip(zipOf('CORPCODE.xml', Buffer.from(xml), 0))).toEqual(entries);
  });

  it('reads an archive above 512 kB, which fflate inflates in a worker thread', async () => {
    const lists = xml.slice(xml.indexOf('<list>'), xml.lastIndexOf('</list>') + '</list>'.length);
    const copies = 400;
    const big = `${xml.slice(0, xml.indexOf('<list>'))}${Array(copies).fill(lists).join('\n')}\n</result>`;
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const read = await parseCorpCodeZip(zipOf('CORPCODE.xml', Buffer.from(big)));
    expect(read).toHaveLength(entries.length * copies);
    expect(read.slice(-entries.length)).toEqual(entries);
  });

  it('takes CORPCODE.xml by name, or the only entry, and refuses an archive without it', async () => {
    const two = zipSync({ 'README.txt': new Uint8Array(Buffer.from('hello')), 'corpcode.XML': new Uint8Array(Buffer.from(xml)) });
    expect(await parseCorpCodeZip(two)).toEqual(entries);
    expect(await parseCorpCodeZip(zipOf('renamed.xml', Buffer.from(xml)))).toEqual(entries);
    const none = await failureOfAsync(parseCorpCodeZip(zipSync({ 'a.txt': new Uint8Array(1), 'b.txt': new Uint8Array(1) })));
    expect(none).toMatchObject({ cls: MALFORMED_CLASS, message: expect.stringMatching(/corpCode\.xml: .*no CORPCODE\.xml among a\.txt, b\.txt/) });
  });

  it('refuses a truncated or corrupted archive and a truncated XML as malformed, naming the endpoint', async () => {
    const zip = zipOf('CORPCODE.xml', Buffer.from(xml));
    const cut = await failureOfAsync(parseCorpCodeZip(zip.subarray(0, zip.length - 30)));
    expect(cut).toMatchObject({ cls: MALFORMED_CLASS, code: 'MALFORMED' });
    expect(cut.message).toMatch(/corpCode\.xml/);
    const flipped = Buffer.from(zip);
    flipped[60] ^= 0xff; // inside the deflated data (local header 30 + name 12 bytes before it)
    expect(await failureOfAsync(parseCorpCodeZip(flipped))).toMatchObject({ cls: MALFORMED_CLASS, code: 'MALFORMED' });
    expect(failureOf(() => parseCorpCodeXml(xml.slice(0, xml.length - 200)))).toMatchObject({ cls: MALFORMED_CLASS, code: 'MALFORMED' });
    const bad = xml.replace('<corp_code>00126380</corp_code>', '<corp_code>126380</corp_code>');
    expect(failureOf(() => parseCorpCodeXml(bad)).message).toMatch(/corpCode\.xml: malformed answer: row 13/);
  });
});

describe('fnlttSinglAcnt (real capture, file 2)', () => {
  const rows = toMainAccountRows('fnlttSinglAcnt.json', listOf('dart__fnlttSinglAcnt__ok.json', 'fnlttSinglAcnt.json'));
  const get = (fsDiv: 'CFS' | 'OFS', accountNm: string) => findMainAccount(rows, { corpCode: '00126380', fsDiv, accountNm })!;

  it('reads 26 rows: CFS 13 (BS 9, IS 4) and OFS 13', () => {
    expect(rows).toHaveLength(26);
    const count = (fs: string, sj?: string) => rows.filter((r) => r.fsDiv === fs && (!sj || r.sjDiv === sj)).length;
    expect([count('CFS'), count('CFS', 'BS'), count('CFS', 'IS'), count('OFS')]).toEqual([13, 9, 4, 13]);
  });

  it('parses comma amounts', () => {
    expect(get('CFS', '자산총계')).toMatchObject({ thstrmAmount: 357457535000000, frmtrmAmount: 352564497000000 });
    expect(get('CFS', '매출액')).toMatchObject({ thstrmAmount: 55325178000000, frmtrmAmount: 52385546000000, thstrmAddAmount: 55325178000000 });
    expect(get('OFS', '당기순이익').thstrmAmount).toBe(2305931000000);
    expect(get('OFS', '당기순이익(손실)')).toBe(get('OFS', '당기순이익')); // DART's label drift
  });

  it('reads absent bfefrmtrm_* keys (quarterly report) and BS add-amounts as null', () => {
    for (const r of rows) expect([r.bfefrmtrmNm, r.bfefrmtrmAmount, r.bfefrmtrmDt, r.bfefrmtrmPeriod]).toEqual([null, null, null, null]);
    expect(rows.filter((r) => r.sjDiv === 'BS').every((r) => r.thstrmAddAmount === null)).toBe(true);
  });

  it('keeps codes as strings and reads the term labels and the filing date', () => {
    expect(get('CFS', '자산총계')).toMatchObject({
      corpCode: '00126380', stockCode: '005930', reprtCode: '11013', bsnsYear: 2020, filedOn: '2020-05-15',
      thstrmPeriod: { from: null, to: '2020-03-31' }, frmtrmPeriod: { from: null, to: '2019-12-31' }, currency: 'KRW', ord: 5,
    });
    expect(get('CFS', '매출액').thstrmPeriod).toEqual({ from: '2020-01-01', to: '2020-03-31' });
  });
});

describe('fnlttMultiAcnt (file 3)', () => {
  const rows = toMainAccountRows('fnlttMultiAcnt.json', listOf('dart__fnlttMultiAcnt__ok.json', 'fnlttMultiAcnt.json'));
  const get = (accountNm: string) => findMainAccount(rows, { corpCode: '00126380', fsDiv: 'CFS', accountNm })!;

  it('reads 13 rows of 00126380 / 005930 with the expected amounts', () => {
    expect(rows).toHaveLength(13);
    expect(rows.every((r) => r.corpCode === '00126380' && r.stockCode === '005930')).toBe(true);
    expect(get('자산총계').thstrmAmount).toBe(357457535000000);
    expect(get('당기순이익').thstrmAmount).toBe(4884926000000);
    expect(get('영업이익').frmtrmAmount).toBe(6233282000000);
  });

  it('splits corp codes into batches of at most 100, duplicates dropped', () => {
    const codes = Array.from({ length: 250 }, (_, i) => String(i).padStart(8, '0'));
    expect(chunkCorpCodes([...codes, codes[0]]).map((b) => b.length)).toEqual([100, 100, 50]);
    expect(() => chunkCorpCodes(codes, 101)).toThrow(RangeError);
  });
});

describe('fnlttSinglAcntAll (real capture, file 4)', () => {
  const rows = toFullAccountRows(listOf('dart__fnlttSinglAcntAll__annual_cfs.json', 'fnlttSinglAcntAll.json'), 'CFS');

  it('reads 24 rows: BS 6, IS 5, CIS 3, CF 4, SCE 6', () => {
    expect(rows).toHaveLength(24);
    const by = (sj: string) => rows.filter((r) => r.sjDiv === sj).length;
    expect(['BS', 'IS', 'CIS', 'CF', 'SCE'].map(by)).toEqual([6, 5, 3, 4, 6]);
    expect(rows.every((r) => r.fsDiv === 'CFS' && r.corpCode === '00126380' && r.bsnsYear === 2023)).toBe(true);
  });

  it('matches accounts by account_id, not name', () => {
    expect(findAccount(rows, 'ifrs-full_Assets')).toMatchObject({
      accountNm: '자산총계', thstrmAmount: 455905980000000, frmtrmAmount: 448424507000000, bfefrmtrmAmount: 426621158000000,
    });
    const revenue = findAccount(rows, 'ifrs-full_Revenue')!;
    expect(revenue).toMatchObject({ accountNm: '영업수익', thstrmAmount: 258935494000000 });
    expect(rows.some((r) => r.accountNm === '매출액')).toBe(false);
    expect(findAccount(rows, 'ifrs-full_BasicEarningsLossPerShare')?.thstrmAmount).toBe(2131);
  });

  it('reads negative amounts without commas', () => {
    expect(findAccount(rows, 'ifrs-full_CashFlowsFromUsedInFinancingActivities')).toMatchObject({ accountNm: '재무활동현금흐름', thstrmAmount: -8593059000000 });
  });

  it('reads "" add-amounts as null on IS/CIS rows and the absent key as null elsewhere', () => {
    expect(rows.filter((r) => r.sjDiv === 'IS' || r.sjDiv === 'CIS')).toHaveLength(8);
    expect(rows.every((r) => r.thstrmAddAmount === null)).toBe(true);
  });

  it('reads SCE blanks as null, the detail as a path, and "-표준계정코드 미사용-" as no standard id', () => {
    const blanks = rows.filter((r) => r.sjDiv === 'SCE' && r.thstrmAmount === null);
    // PROVENANCE.md says "two rows (e.g. 매각예정분류 …)"; the capture has three with thstrm "".
    expect(blanks.map((r) => [r.accountNm, r.frmtrmAmount, r.bfefrmtrmAmount])).toEqual([
      ['기초자본', null, -12132000000], ['매각예정분류', null, -12132000000], ['매각예정분류', null, 12132000000],
    ]);
    const noId = rows.filter((r) => r.accountId === null);
    expect(noId.map((r) => `${r.sjDiv} ${r.accountNm}`)).toEqual(['CF 매각예정분류', 'SCE 매각예정분류', 'SCE 매각예정분류']);
    expect(rows.find((r) => r.sjDiv === 'SCE')!.accountDetail).toEqual(['연결재무제표 [member]']);
    expect(rows.filter((r) => r.sjDiv === 'SCE')[1].accountDetail).toEqual(['자본 [구성요소]', '비지배지분 [구성요소]']);
    expect(findAccount(rows, 'ifrs-full_Assets')!.accountDetail).toEqual([]);
  });
});

describe('alotMatter (real capture, file 6)', () => {
  const rows = toDividendRows(listOf('dart__alotMatter__ok.json', 'alotMatter.json'));

  it('reads 15 rows, no stlm_dt, the first 7 without a share class', () => {
    expect(rows).toHaveLength(15);
    expect(rows.every((r) => r.stlmDt === null)).toBe(true);
    expect(rows.slice(0, 7).every((r) => r.stockKnd === null)).toBe(true);
    expect(rows.slice(7).every((r) => r.stockKnd !== null)).toBe(true);
  });

  it('reads per-share dividends, placeholders and yields', () => {
    expect(findDividend(rows, '주당 현금배당금(원)', '보통주')).toMatchObject({ thstrm: 354, frmtrm: 1416, lwfr: 1416 });
    expect(findDividend(rows, '주당 현금배당금(원)', '우선주')).toMatchObject({ thstrm: 354, frmtrm: 1417 });
    expect(findDividend(rows, '주식배당금총액(백만원)')).toMatchObject({ thstrm: null, frmtrm: null, lwfr: null });
    expect(findDividend(rows, '현금배당수익률(%)', '보통주')?.thstrm).toBe(0.8);
    expect(rows[0]).toMatchObject({ corpCode: '00126380', corpCls: 'Y', rceptNo: '20200515001451', filedOn: '2020-05-15' });
  });
});

describe('major events', () => {
  it('piicDecsn (real capture, file 7)', () => {
    const rows = toPaidInCapitalIncreases(listOf('dart__piicDecsn__ok.json', 'piicDecsn.json'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: 'piicDecsn', corpCode: '00107598', corpName: '남양유업', rceptNo: '20230530000410', filedOn: '2023-05-30',
      nstkOstkCnt: null, nstkEstkCnt: 33338, fvPs: 5000, fdppOp: 7184339000, fdppFclt: null,
      icMthn: '주주우선공모증자', sslAt: true, sslBgd: '2023-04-03', sslEdd: '2023-05-26',
    });
    expect(rows[0].fields).toMatchObject({ nstk_ostk_cnt: null, nstk_estk_cnt: '33,338', ic_mthn: '주주우선공모증자' });
  });

  it('fricDecsn reads Korean-formatted dates and decimal ratios (values from korean-apis.md §1.8)', () => {
    const body = JSON.stringify({ status: '000', message: '정상', list: [{
      rcept_no: '20230516000123', corp_cls: 'K', corp_code: '00000001', corp_name: '예시', nstk_ostk_cnt: '14,580,207', nstk_estk_cnt: '-',
      nstk_asstd: '2023년 06월 01일', nstk_ascnt_ps_ostk: '0.5', nstk_lstprd: '미정', bddd: '2023년 05월 16일',
    }] });
    const [row] = toBonusIssues(decodeList('fricDecsn.json', answer(body), NOW));
    expect(row).toMatchObject({ nstkOstkCnt: 14580207, nstkEstkCnt: null, nstkAsstd: '2023-06-01', nstkAscntPsOstk: 0.5, nstkLstprd: null, bddd: '2023-05-16' });
    expect(row.fields.nstk_lstprd).toBe('미정');
  });
});

describe('status codes and HTTP classification', () => {
  const body = (status: string, message = 'X') => JSON.stringify({ status, message });
  const classify = (b: string, status = 200, headers: Record<string, string> = {}) => failureOf(() => decodeList('fnlttMultiAcnt.json', answer(b, status, headers), NOW));

  it('000 is ok; 013 and 014 are no data, not errors', () => {
    expect(decodeList('x.json', answer(JSON.stringify({ status: '000', message: '정상', list: [{ a: 1 }] })), NOW)).toEqual([{ a: 1 }]);
    expect(decodeList('x.json', answer('{"status":"013","message":"조회된 데이타가 없습니다."}'), NOW)).toEqual([]);
    expect(decodeList('x.json', answer('{"status":"014","message":"파일이 존재하지 않습니다."}'), NOW)).toEqual([]);
  });

  it('020 waits until the quota resets at midnight KST', () => {
    const f = classify('{"status":"020","message":"요청 제한을 초과하였습니다."}');
    expect(f).toMatchObject({ cls: 'rate-limited', code: '020', wait: msUntilKstMidnight(NOW) });
    expect(f.wait).toBe(9 * 3_600_000 + 60_000); // 15:00 KST → 00:01 KST
  });

  it.each(['800', '900'])('%s is retryable', (code) => {
    expect(classify(body(code))).toMatchObject({ cls: 'retryable', code });
  });

  it.each(['010', '011', '012', '021', '100', '101', '901'])('%s is non-retryable', (code) => {
    const f = classify(body(code, '등록되지 않은 키입니다.'));
    expect(f).toMatchObject({ cls: 'non-retryable', code });
    expect(f.message).toMatch(new RegExp(`^dart: fnlttMultiAcnt\\.json: status ${code}`));
  });

  it("an unknown status is retryable, like every source's unknown code, and says so", () => {
    expect(classify(body('555'))).toMatchObject({ cls: 'retryable', code: '555', message: expect.stringMatching(/status 555.*\(unknown code\)$/) });
  });

  it('HTTP 5xx is retryable; 429 honours Retry-After, else 60 s; 401/403 are non-retryable', () => {
    expect(classify('<html>bad gateway</html>', 502)).toMatchObject({ cls: 'retryable', code: 'HTTP502' });
    expect(classify('', 429, { 'retry-after': '7' })).toMatchObject({ cls: 'rate-limited', wait: 7000 });
    expect(classify('', 429)).toMatchObject({ cls: 'rate-limited', wait: 60_000 });
    expect(classify('', 403)).toMatchObject({ cls: 'non-retryable', code: 'HTTP403' });
  });

  it('HTML, truncated and shapeless bodies are non-retryable (issue 3) and name the source and endpoint', () => {
    expect(MALFORMED_CLASS).toBe('non-retryable');
    for (const bad of ['<html><body>점검중</body></html>', '{"status":"000","message":"정상","list":[{"rcept', '{"list":[]}', '{"status":"000"}']) {
      const f = classify(bad);
      expect(f).toMatchObject({ cls: MALFORMED_CLASS, code: 'MALFORMED' });
      expect(f.message).toMatch(/^dart: fnlttMultiAcnt\.json: malformed answer/);
    }
  });

  it('an XML status answer is classified by its status', () => {
    expect(classify('<?xml version="1.0"?><result><status>010</status><message>등록되지 않은 키입니다.</message></result>')).toMatchObject({ cls: 'non-retryable', code: '010' });
  });

  it('a row that breaks the schema fails the whole call, naming the row', () => {
    const list = JSON.parse(capture('dart__alotMatter__ok.json')).list;
    list[3].thstrm = '12a';
    expect(failureOf(() => toDividendRows(list))).toMatchObject({ cls: MALFORMED_CLASS, code: 'MALFORMED', message: expect.stringMatching(/alotMatter\.json.*row 3: thstrm/) });
  });
});

describe('maintenance window (01:00–02:00 KST)', () => {
  it('is the hour from 01:00 to 02:00 KST', () => {
    expect(msUntilMaintenanceEnds(KST(0, 59, 59))).toBe(0);
    expect(msUntilMaintenanceEnds(KST(1))).toBe(3_600_000);
    expect(msUntilMaintenanceEnds(KST(1, 30))).toBe(1_800_000);
    expect(msUntilMaintenanceEnds(KST(1, 59, 59))).toBe(1000);
    expect(msUntilMaintenanceEnds(KST(2))).toBe(0);
  });
});

// ----- against a real local HTTP server ---------------------------------------------------------

const KEY = 'SECRETdartKEY0123456789abcdefghijklmnopq'; // 40 characters, like a real crtfc_key
type Mode = 'ok' | 'http500' | 'http429' | 'hang' | 'reset' | 'html-echo' | 'status' | 'zip-truncated';

interface Served {
  path: string;
  params: URLSearchParams;
}

describe('DartClient against a local HTTP server', () => {
  let server: http.Server;
  let baseUrl: string;
  let mode: Mode = 'ok';
  let statusBody = '';
  const served: Served[] = [];
  const xml = capture('dart__corpCode__excerpt.xml');
  const zip = zipOf('CORPCODE.xml', Buffer.from(xml));
  const bodies: Record<string, string> = {
    '/dart/api/fnlttMultiAcnt.json': capture('dart__fnlttMultiAcnt__ok.json'),
    '/dart/api/fnlttSinglAcnt.json': capture('dart__fnlttSinglAcnt__ok.json'),
    '/dart/api/fnlttSinglAcntAll.json': capture('dart__fnlttSinglAcntAll__annual_cfs.json'),
    '/dart/api/alotMatter.json': capture('dart__alotMatter__ok.json'),
    '/dart/api/piicDecsn.json': capture('dart__piicDecsn__ok.json'),
  };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      served.push({ path: url.pathname, params: url.searchParams });
      const json = (b: string) => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(b);
      if (url.searchParams.get('crtfc_key') !== KEY) {
        if (url.pathname.endsWith('.xml')) return res.writeHead(200, { 'content-type': 'text/xml' }).end('<?xml version="1.0" encoding="UTF-8"?><result><status>010</status><message>등록되지 않은 키입니다.</message></result>');
        return json('{"status":"010","message":"등록되지 않은 키입니다."}');
      }
      switch (mode) {
        case 'http500': return res.writeHead(500).end('<html>Internal Server Error</html>');
        case 'http429': return res.writeHead(429, { 'retry-after': '3' }).end();
        case 'hang': return; // never answers
        case 'reset': return req.socket.destroy();
        case 'html-echo': return res.writeHead(200, { 'content-type': 'text/html' }).end(`<html>${req.url}</html>`);
        case 'status': return json(statusBody);
        case 'zip-truncated': return res.writeHead(200, { 'content-type': 'application/zip' }).end(zip.subarray(0, zip.length - 40));
      }
      if (url.pathname === '/dart/api/corpCode.xml') return res.writeHead(200, { 'content-type': 'application/zip' }).end(zip);
      if (url.pathname === '/dart/api/fnlttMultiAcnt.json' && url.searchParams.get('corp_code')!.split(',').length > 100) {
        return json('{"status":"021","message":"조회 가능한 회사 개수가 초과하였습니다.(최대 100건)"}');
      }
      const b = bodies[url.pathname];
      return b ? json(b) : res.writeHead(404).end('not found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dart`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    mode = 'ok';
    served.length = 0;
  });

  const events: DartRequestEvent[] = [];
  const client = (over: Partial<DartClientOptions> = {}) =>
    new DartClient({
      apiKey: KEY, baseUrl, timeoutMs: 1000, pacer: new RequestPacer(1000), now: () => NOW, onRequest: (e) => events.push(e), ...over,
    });
  const year = { bsnsYear: 2020, reprtCode: '11013' as const };

  it('downloads corpCode.xml as a ZIP and maps tickers', async () => {
    const entries = await client().corpCodes();
    expect(entries).toEqual(parseCorpCodeXml(xml));
    expect(tickerToCorpCode(entries).get('035720')).toBe('00258801');
    expect(served[0].path).toBe('/dart/api/corpCode.xml');
  });

  it('calls each endpoint with its parameters and parses the answer', async () => {
    const c = client();
    expect(await c.singleAccounts({ corpCode: '00126380', ...year })).toHaveLength(26);
    expect(await c.allAccounts({ corpCode: '00126380', bsnsYear: 2023, reprtCode: '11011', fsDiv: 'CFS' })).toHaveLength(24);
    expect(await c.dividends({ corpCode: '00126380', ...year })).toHaveLength(15);
    const piic = await c.paidInCapitalIncreases({ corpCode: '00107598', bgnDe: '2023-05-01', endDe: '2023-05-31' });
    expect(piic[0].nstkEstkCnt).toBe(33338);
    expect((await c.majorEvents('piicDecsn', { corpCode: '00107598', bgnDe: '2023-05-01', endDe: '2023-05-31' }))[0].fields.fdpp_op).toBe('7,184,339,000');
    expect(served.map((s) => [s.path, Object.fromEntries([...s.params].filter(([k]) => k !== 'crtfc_key'))])).toEqual([
      ['/dart/api/fnlttSinglAcnt.json', { corp_code: '00126380', bsns_year: '2020', reprt_code: '11013' }],
      ['/dart/api/fnlttSinglAcntAll.json', { corp_code: '00126380', bsns_year: '2023', reprt_code: '11011', fs_div: 'CFS' }],
      ['/dart/api/alotMatter.json', { corp_code: '00126380', bsns_year: '2020', reprt_code: '11013' }],
      ['/dart/api/piicDecsn.json', { corp_code: '00107598', bgn_de: '20230501', end_de: '20230531' }],
      ['/dart/api/piicDecsn.json', { corp_code: '00107598', bgn_de: '20230501', end_de: '20230531' }],
    ]);
  });

  it('fnlttMultiAcnt sends at most 100 corp codes a call (DART answers 021 above)', async () => {
    const codes = Array.from({ length: 230 }, (_, i) => String(126000 + i).padStart(8, '0'));
    const rows = await client().multiAccounts({ corpCodes: codes, ...year });
    expect(served.map((s) => s.params.get('corp_code')!.split(',').length)).toEqual([100, 100, 30]);
    expect(served.flatMap((s) => s.params.get('corp_code')!.split(','))).toEqual(codes);
    expect(rows).toHaveLength(13 * 3);
    // Forcing a larger batch through is impossible: the option is capped.
    expect(() => client({ multiBatchSize: 101 })).toThrow(RangeError);
  });

  it('refuses bad requests before calling', async () => {
    const c = client();
    expect(await failureOfAsync(c.singleAccounts({ corpCode: '126380', ...year }))).toMatchObject({ cls: 'non-retryable', code: 'BAD_REQUEST' });
    expect(await failureOfAsync(c.dividends({ corpCode: '00126380', bsnsYear: 2014, reprtCode: '11011' }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await failureOfAsync(c.majorEvents('crDecsn', { corpCode: '00126380', bgnDe: '2024-02-01', endDe: '2024-01-01' }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await failureOfAsync(c.multiAccounts({ corpCodes: [], ...year }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(served).toHaveLength(0);
  });

  it('passes no-data (013) through as zero rows and classifies status codes from the wire', async () => {
    mode = 'status';
    statusBody = '{"status":"013","message":"조회된 데이타가 없습니다."}';
    expect(await client().dividends({ corpCode: '00126380', ...year })).toEqual([]);
    statusBody = '{"status":"020","message":"요청 제한을 초과하였습니다."}';
    expect(await failureOfAsync(client().dividends({ corpCode: '00126380', ...year }))).toMatchObject({ cls: 'rate-limited', wait: msUntilKstMidnight(NOW) });
    statusBody = '{"status":"800","message":"시스템 점검으로 인한 서비스가 중지 중입니다."}';
    expect(await failureOfAsync(client().dividends({ corpCode: '00126380', ...year }))).toMatchObject({ cls: 'retryable', code: '800' });
  });

  it('HTTP 500 is retryable, 429 waits for Retry-After, a reset is retryable', async () => {
    mode = 'http500';
    expect(await failureOfAsync(client().dividends({ corpCode: '00126380', ...year }))).toMatchObject({ cls: 'retryable', code: 'HTTP500' });
    mode = 'http429';
    expect(await failureOfAsync(client().dividends({ corpCode: '00126380', ...year }))).toMatchObject({ cls: 'rate-limited', wait: 3000 });
    mode = 'reset';
    expect(await failureOfAsync(client().dividends({ corpCode: '00126380', ...year }))).toMatchObject({ cls: 'retryable', code: 'NETWORK' });
  });

  it('a hung answer times out as retryable', async () => {
    mode = 'hang';
    const f = await failureOfAsync(client({ timeoutMs: 300 }).corpCodes());
    expect(f).toMatchObject({ cls: 'retryable', code: 'TIMEOUT', message: expect.stringMatching(/corpCode\.xml: .*timed out after 300 ms/) });
  });

  it('a truncated ZIP is non-retryable and names corpCode.xml', async () => {
    mode = 'zip-truncated';
    expect(await failureOfAsync(client().corpCodes())).toMatchObject({ cls: MALFORMED_CLASS, code: 'MALFORMED', message: expect.stringMatching(/^dart: corpCode\.xml: malformed answer/) });
  });

  it('a wrong key is non-retryable on JSON endpoints and on corpCode.xml (XML status instead of a ZIP)', async () => {
    expect(await failureOfAsync(client({ apiKey: 'wrong-key' }).dividends({ corpCode: '00126380', ...year }))).toMatchObject({ cls: 'non-retryable', code: '010' });
    expect(await failureOfAsync(client({ apiKey: 'wrong-key' }).corpCodes())).toMatchObject({ cls: 'non-retryable', code: '010' });
  });

  it('refuses to call inside the maintenance window, with the wait until 02:00 KST', async () => {
    for (const [at, wait] of [[KST(1), 3_600_000], [KST(1, 30), 1_800_000], [KST(1, 59, 30), 30_000]] as const) {
      const f = await failureOfAsync(client({ now: () => at }).multiAccounts({ corpCodes: ['00126380'], ...year }));
      expect(f).toMatchObject({ cls: 'rate-limited', code: 'MAINTENANCE_WINDOW', wait });
    }
    expect(await failureOfAsync(client({ now: () => KST(1) }).corpCodes())).toMatchObject({ code: 'MAINTENANCE_WINDOW' });
    expect(served).toHaveLength(0);
    expect(await client({ now: () => KST(2) }).multiAccounts({ corpCodes: ['00126380'], ...year })).toHaveLength(13);
    expect(await client({ now: () => KST(0, 59, 59) }).multiAccounts({ corpCodes: ['00126380'], ...year })).toHaveLength(13);
  });

  it('paces requests with the shared pacer and lets a quota gate refuse before the call', async () => {
    const pacer = new RequestPacer(10); // 100 ms apart
    const a = client({ pacer });
    const b = client({ pacer });
    const started = Date.now();
    await Promise.all([a.dividends({ corpCode: '00126380', ...year }), b.dividends({ corpCode: '00126380', ...year }), a.dividends({ corpCode: '00126380', ...year })]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    served.length = 0;
    const gate = client({ beforeRequest: () => { throw new SourceError('dart', 'rate-limited', 'daily quota spent', 'QUOTA', 1234); } });
    expect(await failureOfAsync(gate.dividends({ corpCode: '00126380', ...year }))).toMatchObject({ cls: 'rate-limited', code: 'QUOTA', wait: 1234 });
    expect(served).toHaveLength(0);
  });

  it('never shows the key: not in any thrown message or stack, not in a logged URL', async () => {
    events.length = 0;
    const seen: SourceError[] = [];
    const collect = async (p: Promise<unknown>) => {
      const f = await failureOfAsync(p);
      expect(f.cls).not.toBe('none');
      if ('err' in f && f.err) seen.push(f.err);
    };
    const req = { corpCode: '00126380', ...year };
    for (const m of ['http500', 'http429', 'reset', 'html-echo', 'zip-truncated'] as const) {
      mode = m;
      await collect(client().dividends(req));
      await collect(client().corpCodes());
    }
    mode = 'hang';
    await collect(client({ timeoutMs: 200 }).dividends(req));
    mode = 'ok';
    await collect(client({ now: () => KST(1, 15) }).dividends(req));
    await collect(client().dividends({ ...req, corpCode: KEY }));
    expect(seen.length).toBe(13);
    // html-echo put the whole request URL, key included, at the start of the body.
    expect(seen.some((e) => e.message.includes('crtfc_key=***'))).toBe(true);
    for (const e of seen) {
      // A prefix catches a key cut short by a truncated excerpt, too.
      for (const text of [e.message, e.stack ?? '', JSON.stringify(e)]) expect(text).not.toMatch(/SECRETdart/);
    }
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.url).not.toContain(KEY);
      expect(e.url).toMatch(/crtfc_key=\*\*\*/);
    }
    expect(redactUrl(`https://opendart.fss.or.kr/api/corpCode.xml?crtfc_key=${KEY}`)).toBe('https://opendart.fss.or.kr/api/corpCode.xml?crtfc_key=***');
  });
});
