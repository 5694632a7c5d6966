/**
 * The other FSC operations on data.go.kr (korean-apis.md §3.2–3.4) over the simulated
 * companies: stock dividends, bond basic info (about 19,000 bonds a date, paged) and corporate
 * outlines whose fssCorpUnqNo is the same company's DART corp_code. They share getStockPriceInfo's
 * envelope and paging (rowsPage) and, in the server, its key check, limits and faults.
 */
import { addDays, compactDate, type IsoDate } from '../../calendar/trading-calendar';
import { companies, companyByCrno, listedCompanies, type Company } from './companies';
import { dividendPerShare, filingDate } from './dart';
import { parsePageRequest, rowsPage } from './datagokr';
import type { Format, SimResponse } from './envelopes';
import { normalizeDate } from './faults';
import { mix, unit } from './hash';
import { isMarketDay } from './market';

export const DIVIDENDS_PATH = '/1160100/GetStocDiviInfoService_V2/getDiviInfo_V2';
export const BONDS_PATH = '/1160100/GetBondIssuInfoService_V2/getBondBasiInfo_V2';
export const CORP_OUTLINE_PATH = '/1160100/service/GetCorpBasicInfoService_V2/getCorpOutline_V2';

export const BOND_COUNT = 19_000;
const FIRST_DIVIDEND_YEAR = 2015;

/** A request the service refuses as INVALID_REQUEST_PARAMETER (10). */
export const INVALID = Symbol('invalid');

export interface RowsOperation {
  path: string;
  /** The matching rows as (count, builder), built lazily; INVALID for a malformed request. */
  rows(params: URLSearchParams, today: IsoDate): { total: number; rowAt: (i: number) => Record<string, string> } | typeof INVALID;
}

function dateParam(params: URLSearchParams, name: string): IsoDate | undefined | typeof INVALID {
  const v = params.get(name);
  if (!v) return undefined;
  return /^\d{8}$/.test(v) ? (normalizeDate(v) ?? INVALID) : INVALID;
}

const ymd = (iso: string): string => compactDate(iso);

// ---- dividends --------------------------------------------------------------------------------

interface DividendEvent {
  c: Company;
  year: number;
  dps: number;
}

function dividendRow(e: DividendEvent): Record<string, string> {
  const { c, year, dps } = e;
  const t = c.ticker!;
  const par = unit(c.seed, 18) < 0.5 ? 500 : 5000;
  return {
    basDt: ymd(filingDate(c, year, 4)),
    crno: c.crno,
    isinCd: t.isinCd,
    isinCdNm: t.itmsNm,
    stckIssuCmpyNm: c.name,
    dvdnBasDt: `${year}1231`,
    cashDvdnPayDt: `${year + 1}04${String(10 + (mix(c.seed, year) % 15)).padStart(2, '0')}`,
    stckHndvDt: '',
    stckDvdnRcd: '01',
    stckDvdnRcdNm: '현금배당',
    trsnmDptyDcd: '1',
    trsnmDptyDcdNm: '한국예탁결제원',
    scrsItmsKcd: '0101',
    scrsItmsKcdNm: '보통주',
    stckGenrDvdnAmt: String(dps),
    stckGrdnDvdnAmt: '0',
    stckGenrCashDvdnRt: (Math.round((dps / t.basePrice) * 10_000) / 100).toString().replace(/^0\./, '.'),
    stckGenrDvdnRt: '0',
    cashGrdnDvdnRt: '0',
    stckGrdnDvdnRt: '0',
    stckParPrc: String(par),
    stckStacMd: '12',
  };
}

export const dividendsOperation: RowsOperation = {
  path: DIVIDENDS_PATH,
  rows(params, today) {
    const basDt = dateParam(params, 'basDt');
    if (basDt === INVALID) return INVALID;
    const crno = params.get('crno') || undefined;
    const name = params.get('stckIssuCmpyNm') || undefined;
    const lastYear = Number(today.slice(0, 4));
    const events: DividendEvent[] = [];
    const pool = crno ? [companyByCrno(crno)].filter((c): c is Company => !!c?.ticker) : listedCompanies();
    for (const c of pool) {
      if (name && !c.name.includes(name)) continue;
      for (let year = FIRST_DIVIDEND_YEAR; year <= lastYear; year++) {
        const loaded = filingDate(c, year, 4);
        if (loaded > today || (basDt && loaded !== basDt)) continue;
        const dps = dividendPerShare(c, year);
        if (dps > 0) events.push({ c, year, dps });
      }
    }
    return { total: events.length, rowAt: (i) => dividendRow(events[i]) };
  },
};

// ---- bonds ------------------------------------------------------------------------------------

const PUBLIC_ISSUERS = ['대한민국정부', '한국전력공사', '한국토지주택공사', '한국도로공사', '한국수출입은행', '한국산업은행', '중소기업은행', '한국주택금융공사'];
const RATINGS = ['AAA', 'AA+', 'AA', 'AA-', 'A+', 'A', 'A-', 'BBB+', 'BBB'];

function bondIssuer(i: number, listed: readonly Company[]): { name: string; crno: string } {
  const h = mix(0xb0d, i);
  if (h % 5 === 0) {
    const k = (h >>> 8) % PUBLIC_ISSUERS.length;
    return { name: PUBLIC_ISSUERS[k], crno: `${1101710000000 + k * 7919}` };
  }
  const c = listed[(h >>> 4) % listed.length];
  return { name: c.name, crno: c.crno };
}

/** Bond i on basDt. Every bond was issued before 2020 and matures after 2027, so the set is the same on every date. */
function bondRow(i: number, basDt: string, listed: readonly Company[]): Record<string, string> {
  const issuer = bondIssuer(i, listed);
  const h = (k: number) => mix(0xb0d + k, i);
  const issueYear = 2010 + (h(1) % 10);
  const issued = `${issueYear}${String(1 + (h(2) % 12)).padStart(2, '0')}${String(1 + (h(3) % 28)).padStart(2, '0')}`;
  const expires = `${2028 + (h(4) % 20)}${issued.slice(4)}`;
  const amount = (1 + (h(5) % 300)) * 1e9;
  const rate = 1 + (h(6) % 500) / 100;
  const rating = RATINGS[h(7) % RATINGS.length];
  const isin = `KR6${String(100_000 + i).slice(-6)}${String.fromCharCode(65 + (h(8) % 26))}${String(h(9) % 100).padStart(2, '0')}`;
  const coupon = `${basDt.slice(0, 4)}${issued.slice(4, 6)}${issued.slice(6)}`;
  return {
    basDt,
    crno: issuer.crno,
    isinCd: isin,
    isinCdNm: `${issuer.name}${(i % 300) + 1}`,
    scrsItmsKcd: '1101',
    scrsItmsKcdNm: '일반사채',
    bondIsurNm: issuer.name,
    bondIssuDt: issued,
    bondExprDt: expires,
    bondIssuAmt: String(amount),
    bondPymtAmt: '0',
    bondBal: String(amount),
    bondSrfcInrt: String(rate),
    irtChngDcd: 'N',
    bondIntTcd: '1',
    bondIntTcdNm: '이표채',
    intPayCyclCtt: '3',
    nxtmCopnDt: coupon,
    rbfCopnDt: '',
    grnDcd: '0',
    grnDcdNm: '무보증',
    bondRnknDcd: '1',
    bondRnknDcdNm: '선순위',
    txtnDcd: '01',
    txtnDcdNm: '과세',
    optnTcd: '0',
    optnTcdNm: '없음',
    kisScrsItmsKcdNm: rating,
    kbpScrsItmsKcdNm: rating,
    niceScrsItmsKcdNm: rating,
    fnScrsItmsKcdNm: rating,
    bondOffrMcd: '02',
    lstgDt: issued,
    prmncBondYn: 'N',
    stripsPsblYn: 'N',
    bondIssuCurCdNm: 'KRW',
  };
}

/** The latest date with bond data on `today`: the FSC loads business days only. */
function latestBondDate(today: IsoDate): IsoDate {
  let d = today;
  for (let i = 0; i < 15 && !isMarketDay(d); i++) d = addDays(d, -1);
  return d;
}

export const bondsOperation: RowsOperation = {
  path: BONDS_PATH,
  rows(params, today) {
    const basDt = dateParam(params, 'basDt');
    if (basDt === INVALID) return INVALID;
    const date = basDt ?? latestBondDate(today);
    if (date > today || !isMarketDay(date)) return { total: 0, rowAt: () => ({}) };
    const listed = listedCompanies();
    const crno = params.get('crno') || undefined;
    const isin = params.get('isinCd') || undefined;
    const issuerName = params.get('bondIsurNm') || undefined;
    const day = ymd(date);
    if (!crno && !isin && !issuerName) return { total: BOND_COUNT, rowAt: (i) => bondRow(i, day, listed) };
    const keep: number[] = [];
    for (let i = 0; i < BOND_COUNT; i++) {
      const issuer = bondIssuer(i, listed);
      if (crno && issuer.crno !== crno) continue;
      if (issuerName && !issuer.name.includes(issuerName)) continue;
      if (isin && bondRow(i, day, listed).isinCd !== isin) continue;
      keep.push(i);
    }
    return { total: keep.length, rowAt: (k) => bondRow(keep[k], day, listed) };
  },
};

// ---- corporate outline ------------------------------------------------------------------------

function outlineRow(c: Company): Record<string, string> {
  const t = c.ticker;
  const listedOn = t ? (t.listedFrom ? ymd(t.listedFrom) : `${2000 + (mix(c.seed, 90) % 20)}0${1 + (mix(c.seed, 91) % 9)}15`) : '';
  // A few unlisted companies have no DART registration on the FSC's side.
  const fssNo = c.corpCls === 'E' && unit(c.seed, 92) < 0.1 ? '' : c.corpCode;
  return {
    crno: c.crno,
    corpNm: c.name,
    corpEnsnNm: c.engName,
    enpPbanCmpyNm: c.name,
    enpRprFnm: '홍길동',
    corpRegMrktDcd: t ? (t.mrktCtg === 'KOSPI' ? 'Y' : 'K') : 'E',
    corpRegMrktDcdNm: t ? (t.mrktCtg === 'KOSPI' ? '유가증권' : '코스닥') : '기타',
    corpDcd: '11',
    corpDcdNm: '주식회사',
    bzno: String(1_000_000_000 + (mix(c.seed, 93) % 9_000_000_000)),
    enpOzpno: String(10_000 + (mix(c.seed, 94) % 60_000)),
    enpBsadr: '서울특별시 영등포구 여의대로',
    enpDtadr: `${1 + (mix(c.seed, 95) % 200)}`,
    enpHmpgUrl: '',
    enpTlno: '02-0000-0000',
    enpFxno: '',
    sicNm: '기타 제조업',
    enpEstbDt: `${c.foundedYear}0101`,
    enpStacMm: '12',
    enpXchgLstgDt: t?.mrktCtg === 'KOSPI' ? listedOn : '',
    enpXchgLstgAbolDt: t?.delistedAfter && t.mrktCtg === 'KOSPI' ? ymd(t.delistedAfter) : '',
    enpKosdaqLstgDt: t?.mrktCtg === 'KOSDAQ' ? listedOn : '',
    enpKosdaqLstgAbolDt: t?.delistedAfter && t.mrktCtg === 'KOSDAQ' ? ymd(t.delistedAfter) : '',
    enpKrxLstgDt: listedOn,
    enpKrxLstgAbolDt: t?.delistedAfter ? ymd(t.delistedAfter) : '',
    smenpYn: t ? 'N' : 'Y',
    enpMntrBnkNm: '',
    enpEmpeCnt: String(10 + (mix(c.seed, 96) % 5_000)),
    empeAvgCnwkTermCtt: '',
    enpPn1AvgSlryAmt: String(30_000_000 + (mix(c.seed, 97) % 70_000_000)),
    actnAudpnNm: '',
    audtRptOpnnCtt: '',
    enpMainBizNm: '',
    fssCorpUnqNo: fssNo,
    fssCorpChgDtm: fssNo ? `${c.modifyDate.slice(0, 4)}/${c.modifyDate.slice(4, 6)}/${c.modifyDate.slice(6)}` : '',
    fstOpegDt: '20200101',
    lastOpegDt: c.modifyDate,
  };
}

export const corpOutlineOperation: RowsOperation = {
  path: CORP_OUTLINE_PATH,
  rows(params) {
    const crno = params.get('crno') || undefined;
    const name = params.get('corpNm') || undefined;
    const found = crno ? [companyByCrno(crno)].filter((c): c is Company => !!c) : companies();
    const rows = name ? found.filter((c) => c.name.includes(name)) : found;
    return { total: rows.length, rowAt: (i) => outlineRow(rows[i]) };
  },
};

export const ROW_OPERATIONS: readonly RowsOperation[] = [dividendsOperation, bondsOperation, corpOutlineOperation];

/** The answer of a rows operation: resultCode 10 for a malformed request, else a page. */
export function answerRows(op: RowsOperation, params: URLSearchParams, format: Format, today: IsoDate): SimResponse | undefined {
  const page = parsePageRequest(params);
  const rows = page && op.rows(params, today);
  if (!page || !rows || rows === INVALID) return undefined;
  return rowsPage(format, page, rows.total, rows.rowAt);
}
