/**
 * OpenDART as opendart.fss.or.kr serves it (korean-apis.md §1), over the simulated companies:
 * corpCode.xml (a real ZIP), the financial-statement, dividend and major-event endpoints, the
 * status envelope with its codes, and the nightly maintenance stop. Request checks follow the
 * guide: a missing or malformed parameter is 100, more than 100 companies 021, nothing on
 * record 013.
 */
import { strToU8, zipSync } from 'fflate';
import { addDays, compactDate, kstDate, kstMinuteOfDay } from '../../calendar/trading-calendar';
import { MAJOR_EVENTS, type MajorEventKind } from '../../sources/dart/corporate-actions';
import { companies, companyByCorpCode, type Company } from './companies';
import { balanceSheet, quarterFlows, yearToDate, type BalanceSheet, type FsDiv, type IncomeFlows, type Quarter } from './dart-financials';
import { JSON_TYPE, xmlEscape, type SimResponse } from './envelopes';
import type { FaultAnswer } from './faults';
import type { SourceHandler } from './source';
import { mix, unit } from './hash';

export const DART_MESSAGES: Record<string, string> = {
  '000': '정상',
  '010': '등록되지 않은 키입니다.',
  '011': '사용할 수 없는 키입니다. 오픈API에 등록되었으나, 일시적으로 사용 중지된 키를 통하여 검색하는 경우 발생합니다.',
  '012': '접근할 수 없는 IP입니다.',
  '013': '조회된 데이타가 없습니다.',
  '014': '파일이 존재하지 않습니다.',
  '020': '요청 제한을 초과하였습니다.',
  '021': '조회 가능한 회사 개수가 초과하였습니다.(최대 100건)',
  '100': '필드의 부적절한 값입니다.',
  '101': '부적절한 접근입니다.',
  '800': '시스템 점검으로 인한 서비스가 중지 중입니다.',
  '900': '정의되지 않은 오류가 발생하였습니다.',
  '901': '사용자 계정의 개인정보 보유기간이 만료되어 사용할 수 없는 키입니다.',
};

export const CORP_CODE_FILE = 'corpCode.xml';
/** DART stops 01:00–02:00 KST (issue 3); the client's own window (sources/dart/maintenance.ts) is the same. */
export const DART_MAINTENANCE_KST = { startMinute: 60, endMinute: 120 };

const FIRST_YEAR = 2015;
const REPORTS: Record<string, Quarter> = { '11013': 1, '11012': 2, '11014': 3, '11011': 4 };
const MAX_CORPS = 100;

/** The status envelope; corpCode.xml answers it as XML because its success is a ZIP, not JSON. */
export function dartStatus(code: string, xml = false): SimResponse {
  const message = DART_MESSAGES[code] ?? DART_MESSAGES['900'];
  if (xml) {
    return {
      status: 200,
      headers: { 'content-type': 'text/xml;charset=UTF-8' },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<result>\n<status>${code}</status>\n<message>${message}</message>\n</result>`,
    };
  }
  return { status: 200, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify({ status: code, message }) };
}

function listAnswer(list: object[]): SimResponse {
  if (list.length === 0) return dartStatus('013');
  return { status: 200, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify({ status: '000', message: '정상', list }) };
}

export function inMaintenance(nowMs: number): boolean {
  const m = kstMinuteOfDay(nowMs);
  return m >= DART_MAINTENANCE_KST.startMinute && m < DART_MAINTENANCE_KST.endMinute;
}

export function commas(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.abs(Math.round(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

// ---- corpCode.xml ----------------------------------------------------------------------------

let corpCodeZip: Buffer | undefined;

/** Built once per process (about 3,300 entries); every later download is the same bytes. */
export function corpCodeArchive(): Buffer {
  if (corpCodeZip) return corpCodeZip;
  let xml = '<?xml version="1.0" encoding="UTF-8"?>\n<result>\n';
  for (const c of companies()) {
    xml +=
      `    <list>\n        <corp_code>${c.corpCode}</corp_code>\n        <corp_name>${xmlEscape(c.name)}</corp_name>\n` +
      (c.engName ? `        <corp_eng_name>${xmlEscape(c.engName)}</corp_eng_name>\n` : '') +
      `        <stock_code>${c.ticker ? c.ticker.srtnCd : ' '}</stock_code>\n        <modify_date>${c.modifyDate}</modify_date>\n    </list>\n`;
  }
  xml += '</result>';
  // A fixed timestamp (fflate would stamp the wall clock), so every process serves the same bytes.
  const zip = zipSync({ 'CORPCODE.xml': strToU8(xml) }, { mtime: new Date(2000, 0, 1) });
  corpCodeZip = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  return corpCodeZip;
}

// ---- periodic reports ------------------------------------------------------------------------

const QUARTER_END = ['', '03.31', '06.30', '09.30', '12.31'];
const QUARTER_START = ['', '01.01', '04.01', '07.01', '10.01'];
const QUARTER_LABEL = ['', '1분기', '반기', '3분기', ''];

/** When the report for (year, quarter) is filed: annual reports by the end of March, the others mid-quarter after. */
export function filingDate(c: Company, year: number, q: Quarter): string {
  const h = mix(c.seed, year * 4 + q);
  if (q === 4) return `${year + 1}-03-${String(10 + (h % 20)).padStart(2, '0')}`;
  return `${year}-${['05', '08', '11'][q - 1]}-${String(10 + (h % 5)).padStart(2, '0')}`;
}

function receiptNo(c: Company, filed: string, salt: number): string {
  return `${compactDate(filed)}${String(mix(c.seed, salt) % 1_000_000).padStart(6, '0')}`;
}

/** Whether DART has this report: a listed company with financials, a covered year, and already filed by `today`. */
export function hasReport(c: Company, year: number, q: Quarter, today: string): boolean {
  if (c.noFinancials || !c.ticker || year < FIRST_YEAR) return false;
  const listedYear = c.ticker.listedFrom ? Number(c.ticker.listedFrom.slice(0, 4)) : 0;
  if (year < listedYear) return false;
  return filingDate(c, year, q) <= today;
}

interface PeriodicRequest {
  corps: Company[];
  year: number;
  q: Quarter;
  reprtCode: string;
}

type Checked<T> = { ok: T } | { status: string };

function periodicRequest(params: URLSearchParams, maxCorps: number): Checked<PeriodicRequest> {
  const codes = (params.get('corp_code') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const year = params.get('bsns_year') ?? '';
  const reprtCode = params.get('reprt_code') ?? '';
  if (codes.length === 0 || !codes.every((c) => /^\d{8}$/.test(c)) || !/^\d{4}$/.test(year) || !(reprtCode in REPORTS)) {
    return { status: '100' };
  }
  if (codes.length > maxCorps) return { status: maxCorps === 1 ? '100' : '021' };
  const corps = codes.map(companyByCorpCode).filter((c): c is Company => !!c);
  return { ok: { corps, year: Number(year), q: REPORTS[reprtCode], reprtCode } };
}

const BS_MAIN: [keyof BalanceSheet, string, number][] = [
  ['currentAssets', '유동자산', 1], ['noncurrentAssets', '비유동자산', 3], ['assets', '자산총계', 5],
  ['currentLiabilities', '유동부채', 7], ['noncurrentLiabilities', '비유동부채', 9], ['liabilities', '부채총계', 11],
  ['capital', '자본금', 13], ['retainedEarnings', '이익잉여금', 17], ['equity', '자본총계', 21],
];
const IS_MAIN: [keyof IncomeFlows, string, number][] = [
  ['revenue', '매출액', 23], ['operatingIncome', '영업이익', 25], ['preTaxIncome', '법인세차감전 순이익', 27], ['netIncome', '당기순이익', 29],
];
const FS_NAME: Record<FsDiv, string> = { CFS: '연결재무제표', OFS: '재무제표' };

function termNames(c: Company, year: number, q: Quarter) {
  const n = year - c.foundedYear + 1;
  const label = QUARTER_LABEL[q];
  return {
    bs: q === 4 ? `제 ${n} 기말` : `제 ${n} 기${label}말`,
    bsPrev: `제 ${n - 1} 기말`,
    bsPrev2: `제 ${n - 2} 기말`,
    is: q === 4 ? `제 ${n} 기` : `제 ${n} 기${label}`,
    isPrev: q === 4 ? `제 ${n - 1} 기` : `제 ${n - 1} 기${label}`,
    isPrev2: `제 ${n - 2} 기`,
  };
}

function mainRows(c: Company, fs: FsDiv, req: PeriodicRequest): object[] {
  const { year, q } = req;
  const filed = filingDate(c, year, q);
  const head = {
    rcept_no: receiptNo(c, filed, year * 4 + q), reprt_code: req.reprtCode, bsns_year: String(year), corp_code: c.corpCode,
    stock_code: c.ticker!.srtnCd, fs_div: fs, fs_nm: FS_NAME[fs],
  };
  const names = termNames(c, year, q);
  const bs = balanceSheet(c, fs, year, q);
  const bsPrev = balanceSheet(c, fs, year - 1, 4);
  const bsPrev2 = balanceSheet(c, fs, year - 2, 4);
  const rows: object[] = [];
  for (const [key, name, ord] of BS_MAIN) {
    rows.push({
      ...head, sj_div: 'BS', sj_nm: '재무상태표', account_nm: name,
      thstrm_nm: names.bs, thstrm_dt: `${year}.${QUARTER_END[q]} 현재`, thstrm_amount: commas(bs[key]),
      frmtrm_nm: names.bsPrev, frmtrm_dt: `${year - 1}.12.31 현재`, frmtrm_amount: commas(bsPrev[key]),
      ...(q === 4 ? { bfefrmtrm_nm: names.bsPrev2, bfefrmtrm_dt: `${year - 2}.12.31 현재`, bfefrmtrm_amount: commas(bsPrev2[key]) } : {}),
      ord: String(ord), currency: 'KRW',
    });
  }
  const flows = q === 4 ? yearToDate(c, fs, year, 4) : quarterFlows(c, fs, year, q);
  const ytd = yearToDate(c, fs, year, q);
  const prev = q === 4 ? yearToDate(c, fs, year - 1, 4) : quarterFlows(c, fs, year - 1, q);
  const prevYtd = yearToDate(c, fs, year - 1, q);
  const prev2 = yearToDate(c, fs, year - 2, 4);
  for (const [key, name, ord] of IS_MAIN) {
    const base = { ...head, sj_div: 'IS', sj_nm: '손익계산서', account_nm: name, thstrm_nm: names.is };
    rows.push(
      q === 4
        ? {
            ...base, thstrm_dt: `${year}.01.01 ~ ${year}.12.31`, thstrm_amount: commas(flows[key]),
            frmtrm_nm: names.isPrev, frmtrm_dt: `${year - 1}.01.01 ~ ${year - 1}.12.31`, frmtrm_amount: commas(prev[key]),
            bfefrmtrm_nm: names.isPrev2, bfefrmtrm_dt: `${year - 2}.01.01 ~ ${year - 2}.12.31`, bfefrmtrm_amount: commas(prev2[key]),
            ord: String(ord), currency: 'KRW',
          }
        : {
            ...base, thstrm_dt: `${year}.${QUARTER_START[q]} ~ ${year}.${QUARTER_END[q]}`, thstrm_amount: commas(flows[key]),
            thstrm_add_amount: commas(ytd[key]), frmtrm_nm: names.isPrev,
            frmtrm_dt: `${year - 1}.${QUARTER_START[q]} ~ ${year - 1}.${QUARTER_END[q]}`,
            frmtrm_add_amount: commas(prevYtd[key]), frmtrm_amount: commas(prev[key]), ord: String(ord), currency: 'KRW',
          },
    );
  }
  return rows;
}

const ALL_ACCOUNTS: [sj: string, sjNm: string, id: string, name: string, key: keyof BalanceSheet | keyof IncomeFlows][] = [
  ['BS', '재무상태표', 'ifrs-full_CurrentAssets', '유동자산', 'currentAssets'],
  ['BS', '재무상태표', 'ifrs-full_NoncurrentAssets', '비유동자산', 'noncurrentAssets'],
  ['BS', '재무상태표', 'ifrs-full_Assets', '자산총계', 'assets'],
  ['BS', '재무상태표', 'ifrs-full_CurrentLiabilities', '유동부채', 'currentLiabilities'],
  ['BS', '재무상태표', 'ifrs-full_NoncurrentLiabilities', '비유동부채', 'noncurrentLiabilities'],
  ['BS', '재무상태표', 'ifrs-full_Liabilities', '부채총계', 'liabilities'],
  ['BS', '재무상태표', 'ifrs-full_IssuedCapital', '자본금', 'capital'],
  ['BS', '재무상태표', 'ifrs-full_RetainedEarnings', '이익잉여금', 'retainedEarnings'],
  ['BS', '재무상태표', 'ifrs-full_Equity', '자본총계', 'equity'],
  ['IS', '손익계산서', 'ifrs-full_Revenue', '매출액', 'revenue'],
  ['IS', '손익계산서', 'dart_OperatingIncomeLoss', '영업이익', 'operatingIncome'],
  ['IS', '손익계산서', 'ifrs-full_ProfitLossBeforeTax', '법인세비용차감전순이익', 'preTaxIncome'],
  ['IS', '손익계산서', 'ifrs-full_ProfitLoss', '당기순이익(손실)', 'netIncome'],
  ['CIS', '포괄손익계산서', 'ifrs-full_ComprehensiveIncome', '총포괄손익', 'comprehensiveIncome'],
  ['CF', '현금흐름표', 'ifrs-full_CashFlowsFromUsedInOperatingActivities', '영업활동현금흐름', 'operatingCashFlow'],
  ['CF', '현금흐름표', 'ifrs-full_CashFlowsFromUsedInInvestingActivities', '투자활동현금흐름', 'investingCashFlow'],
  ['CF', '현금흐름표', 'ifrs-full_CashFlowsFromUsedInFinancingActivities', '재무활동현금흐름', 'financingCashFlow'],
];

/** fnlttSinglAcntAll: plain digits (no commas), as the real answers have them. */
function allRows(c: Company, fs: FsDiv, req: PeriodicRequest): object[] {
  const { year, q } = req;
  const head = { rcept_no: receiptNo(c, filingDate(c, year, q), year * 4 + q), reprt_code: req.reprtCode, bsns_year: String(year), corp_code: c.corpCode };
  const names = termNames(c, year, q);
  const bs = [balanceSheet(c, fs, year, q), balanceSheet(c, fs, year - 1, 4), balanceSheet(c, fs, year - 2, 4)];
  const ytd = [yearToDate(c, fs, year, q), yearToDate(c, fs, year - 1, q), yearToDate(c, fs, year - 2, 4)];
  const quarter = [quarterFlows(c, fs, year, q), quarterFlows(c, fs, year - 1, q)];
  return ALL_ACCOUNTS.map(([sj, sjNm, id, name, key], i) => {
    const row: Record<string, string> = { ...head, sj_div: sj, sj_nm: sjNm, account_id: id, account_nm: name, account_detail: '-' };
    const flowLike = sj === 'IS' || sj === 'CIS';
    if (sj === 'BS') {
      Object.assign(row, { thstrm_nm: names.bs, thstrm_amount: String(bs[0][key as keyof BalanceSheet]), frmtrm_nm: names.bsPrev, frmtrm_amount: String(bs[1][key as keyof BalanceSheet]) });
    } else if (flowLike && q !== 4) {
      Object.assign(row, {
        thstrm_nm: names.is, thstrm_amount: String(quarter[0][key as keyof IncomeFlows]), thstrm_add_amount: String(ytd[0][key as keyof IncomeFlows]),
        frmtrm_q_nm: names.isPrev, frmtrm_q_amount: String(quarter[1][key as keyof IncomeFlows]),
        frmtrm_nm: names.isPrev, frmtrm_add_amount: String(ytd[1][key as keyof IncomeFlows]),
      });
    } else {
      Object.assign(row, { thstrm_nm: names.is, thstrm_amount: String(ytd[0][key as keyof IncomeFlows]), ...(flowLike ? { thstrm_add_amount: '' } : {}), frmtrm_nm: names.isPrev, frmtrm_amount: String(ytd[1][key as keyof IncomeFlows]) });
    }
    if (q === 4) {
      Object.assign(row, { bfefrmtrm_nm: sj === 'BS' ? names.bsPrev2 : names.isPrev2, bfefrmtrm_amount: String(sj === 'BS' ? bs[2][key as keyof BalanceSheet] : ytd[2][key as keyof IncomeFlows]) });
    }
    row.ord = String(i + 1);
    row.currency = 'KRW';
    return row;
  });
}

/** Annual cash dividend per common share in won (0 for years without one). */
export function dividendPerShare(c: Company, year: number): number {
  if (!c.ticker || unit(c.seed, 40) >= 0.65) return 0;
  const net = yearToDate(c, 'OFS', year, 4).netIncome;
  if (net <= 0) return 0;
  const payout = 0.15 + 0.25 * unit(c.seed, 41);
  return Math.max(5, Math.round((net * payout) / c.ticker.lstgStCnt / 5) * 5);
}

function dividendRows(c: Company, req: PeriodicRequest): object[] {
  const { year, q } = req;
  const t = c.ticker!;
  const head = { rcept_no: receiptNo(c, filingDate(c, year, q), year * 4 + q), corp_cls: c.corpCls, corp_code: c.corpCode, corp_name: c.name };
  const par = unit(c.seed, 18) < 0.5 ? 500 : 5000;
  const years = [year, year - 1, year - 2];
  const cfsNet = years.map((y, i) => yearToDate(c, 'CFS', y, i === 0 ? q : 4).netIncome);
  const ofsNet = years.map((y, i) => yearToDate(c, 'OFS', y, i === 0 ? q : 4).netIncome);
  // Interim reports carry no dividend decided yet: only the annual one pays.
  const dps = years.map((y, i) => (i === 0 && q !== 4 ? 0 : dividendPerShare(c, y)));
  const total = dps.map((d) => (d * t.lstgStCnt) / 1e6);
  const dash = (n: number, f: (n: number) => string): string => (n === 0 ? '-' : f(n));
  const fixed2 = (n: number): string => n.toFixed(2);
  const row = (se: string, values: string[], stockKnd?: string): object => ({
    ...head, se, ...(stockKnd ? { stock_knd: stockKnd } : {}), thstrm: values[0], frmtrm: values[1], lwfr: values[2],
    ...(q === 4 ? { stlm_dt: `${year}-12-31` } : {}),
  });
  return [
    row('주당액면가액(원)', years.map(() => commas(par))),
    row('(연결)당기순이익(백만원)', cfsNet.map((n) => commas(n / 1e6))),
    row('(별도)당기순이익(백만원)', ofsNet.map((n) => commas(n / 1e6))),
    row('(연결)주당순이익(원)', cfsNet.map((n) => commas(n / t.lstgStCnt))),
    row('현금배당금총액(백만원)', total.map((n) => dash(n, commas))),
    row('주식배당금총액(백만원)', ['-', '-', '-']),
    row('(연결)현금배당성향(%)', total.map((n, i) => dash(n, () => fixed2((n * 1e6 * 100) / Math.max(1, cfsNet[i]))))),
    row('현금배당수익률(%)', dps.map((d) => dash(d, () => fixed2((d / t.basePrice) * 100))), '보통주'),
    row('주식배당수익률(%)', ['-', '-', '-'], '보통주'),
    row('주당 현금배당금(원)', dps.map((d) => dash(d, commas)), '보통주'),
    row('주당 주식배당(주)', ['-', '-', '-'], '보통주'),
  ];
}

// ---- major events ----------------------------------------------------------------------------

const EVENT_KINDS = Object.keys(MAJOR_EVENTS) as MajorEventKind[];

export interface SimEvent {
  kind: MajorEventKind;
  filed: string;
  salt: number;
}

/** A company's filings 2015 on: none to four, of kinds and dates drawn from its seed. */
export function majorEventsOf(c: Company): SimEvent[] {
  if (!c.ticker) return [];
  const out: SimEvent[] = [];
  const n = mix(c.seed, 50) % 5;
  for (let i = 0; i < n; i++) {
    // piicDecsn and fricDecsn, the typed ones, come up more often than the rest.
    const pick = mix(c.seed, 51 + i) % (EVENT_KINDS.length + 4);
    const kind = pick >= EVENT_KINDS.length ? (pick % 2 ? 'piicDecsn' : 'fricDecsn') : EVENT_KINDS[pick];
    out.push({ kind, filed: addDays('2015-01-02', mix(c.seed, 60 + i) % 4_300), salt: 70 + i });
  }
  return out;
}

function koreanDate(iso: string): string {
  return `${iso.slice(0, 4)}년 ${iso.slice(5, 7)}월 ${iso.slice(8, 10)}일`;
}

function eventRow(c: Company, e: SimEvent): object {
  const h = (k: number) => mix(c.seed, e.salt * 100 + k);
  const shares = c.ticker!.lstgStCnt;
  const head = { rcept_no: receiptNo(c, e.filed, e.salt), corp_cls: c.corpCls, corp_code: c.corpCode, corp_name: c.name };
  const later = (days: number) => addDays(e.filed, days);
  if (e.kind === 'piicDecsn') {
    const n = Math.round(shares * (0.05 + (h(1) % 20) / 100));
    return {
      ...head, nstk_ostk_cnt: commas(n), nstk_estk_cnt: '-', fv_ps: commas(unit(c.seed, 18) < 0.5 ? 500 : 5000),
      bfic_tisstk_ostk: commas(shares), bfic_tisstk_estk: '-', fdpp_fclt: commas((h(2) % 50) * 1e8), fdpp_bsninh: '-',
      fdpp_op: commas((1 + (h(3) % 80)) * 1e8), fdpp_dtrp: '-', fdpp_ocsa: '-', fdpp_etc: '-',
      ic_mthn: ['주주배정증자', '주주우선공모증자', '제3자배정증자', '일반공모증자'][h(4) % 4], ssl_at: h(5) % 2 ? 'Y' : 'N',
      ssl_bgd: compactDate(later(10)), ssl_edd: compactDate(later(40)),
    };
  }
  if (e.kind === 'fricDecsn') {
    const ratio = [0.5, 1, 0.2, 2][h(1) % 4];
    return {
      ...head, nstk_ostk_cnt: commas(shares * ratio), nstk_estk_cnt: '-', fv_ps: commas(unit(c.seed, 18) < 0.5 ? 500 : 5000),
      bfic_tisstk_ostk: commas(shares), bfic_tisstk_estk: '-', nstk_asstd: koreanDate(later(15)), nstk_ascnt_ps_ostk: String(ratio),
      nstk_ascnt_ps_estk: '-', nstk_dividrk: koreanDate(later(15)), nstk_dlprd: koreanDate(later(35)), nstk_lstprd: koreanDate(later(36)),
      bddd: koreanDate(e.filed), od_a_at_t: '0', od_a_at_b: '0', adt_a_atn: '-',
    };
  }
  return { ...head, bddd: koreanDate(e.filed), od_a_at_t: String(h(1) % 3), od_a_at_b: '0', adt_a_atn: '-' };
}

// ---- the service -----------------------------------------------------------------------------

export class DartService {
  constructor(private readonly now: () => number) {}

  /** The normal answer for `endpoint` (e.g. "fnlttMultiAcnt.json"); faults and limits are the server's. */
  answer(endpoint: string, params: URLSearchParams): SimResponse {
    if (endpoint === CORP_CODE_FILE) {
      return { status: 200, headers: { 'content-type': 'application/x-msdownload', 'content-disposition': 'attachment; filename=CORPCODE.zip' }, body: corpCodeArchive() };
    }
    const today = kstDate(this.now());
    const periodic = (maxCorps: number, rows: (c: Company, req: PeriodicRequest) => object[]): SimResponse => {
      const checked = periodicRequest(params, maxCorps);
      if ('status' in checked) return dartStatus(checked.status);
      const req = checked.ok;
      return listAnswer(req.corps.filter((c) => hasReport(c, req.year, req.q, today)).flatMap((c) => rows(c, req)));
    };
    switch (endpoint) {
      case 'fnlttMultiAcnt.json':
        return periodic(MAX_CORPS, (c, req) => [...mainRows(c, 'CFS', req), ...mainRows(c, 'OFS', req)]);
      case 'fnlttSinglAcnt.json':
        return periodic(1, (c, req) => [...mainRows(c, 'CFS', req), ...mainRows(c, 'OFS', req)]);
      case 'fnlttSinglAcntAll.json': {
        const fs = params.get('fs_div');
        if (fs !== 'CFS' && fs !== 'OFS') return dartStatus('100');
        return periodic(1, (c, req) => allRows(c, fs, req));
      }
      case 'alotMatter.json':
        return periodic(1, dividendRows);
    }
    const kind = endpoint.replace(/\.json$/, '');
    if (endpoint.endsWith('.json') && Object.hasOwn(MAJOR_EVENTS, kind)) return this.events(kind as MajorEventKind, params, today);
    return { status: 404, headers: { 'content-type': 'text/html;charset=UTF-8' }, body: '<html><body>404 Not Found</body></html>' };
  }

  private events(kind: MajorEventKind, params: URLSearchParams, today: string): SimResponse {
    const corp = params.get('corp_code') ?? '';
    const bgn = params.get('bgn_de') ?? '';
    const end = params.get('end_de') ?? '';
    if (!/^\d{8}$/.test(corp) || !/^\d{8}$/.test(bgn) || !/^\d{8}$/.test(end)) return dartStatus('100');
    const c = companyByCorpCode(corp);
    if (!c) return dartStatus('013');
    const found = majorEventsOf(c).filter((e) => e.kind === kind && compactDate(e.filed) >= bgn && compactDate(e.filed) <= end && e.filed <= today);
    return listAnswer(found.map((e) => eventRow(c, e)));
  }

  faultAnswers(endpoint: string, params: URLSearchParams): FaultAnswer {
    const xml = endpoint === CORP_CODE_FILE;
    return {
      normal: () => this.answer(endpoint, params),
      noData: () => dartStatus('013', xml),
      code: (code) => dartStatus(code, xml),
      quota: () => dartStatus('020', xml),
      tps: () => dartStatus('020', xml),
      auth: () => dartStatus('010', xml),
      appError: () => dartStatus('900', xml),
    };
  }
}

export function dartHandler(o: { keys: ReadonlySet<string>; now: () => number; maintenance: boolean }): SourceHandler {
  const service = new DartService(o.now);
  const endpointOf = (path: string): string => path.replace(/^api\//, '');
  const isXml = (path: string): boolean => endpointOf(path) === CORP_CODE_FILE;
  return {
    admit(req) {
      if (!req.path.startsWith('api/')) return { refuse: { status: 404, headers: { 'content-type': 'text/html;charset=UTF-8' }, body: '<html><body>404 Not Found</body></html>' } };
      const key = req.params.get('crtfc_key');
      return key && o.keys.has(key) ? { key } : { refuse: dartStatus('010', isXml(req.path)) };
    },
    preempt: (req) => (o.maintenance && inMaintenance(o.now()) ? dartStatus('800', isXml(req.path)) : undefined),
    answers: (req) => service.faultAnswers(endpointOf(req.path), req.params),
  };
}
