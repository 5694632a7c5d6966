/**
 * The companies behind the simulated tickers, as DART and the FSC know them: one company per
 * common-share ticker (preferred lines such as 005935 belong to the same company), plus unlisted
 * companies that DART also lists. Identifiers are stable across runs: corp_code (8 digits),
 * crno (법인등록번호, 13 digits) and a founding year that numbers the fiscal terms (제 N 기).
 */
import { TICKERS, type Ticker } from './tickers';
import { fnv1a, mix, unit } from './hash';

export interface Company {
  corpCode: string;
  crno: string;
  name: string;
  engName: string;
  /** The common-share ticker; absent for unlisted companies. */
  ticker?: Ticker;
  /** DART corp_cls: Y KOSPI, K KOSDAQ, E other (unlisted). */
  corpCls: 'Y' | 'K' | 'E';
  foundedYear: number;
  seed: number;
  /** Has no periodic-report data at all (DART answers 013), like the financial companies DART's XBRL APIs exclude. */
  noFinancials: boolean;
  modifyDate: string;
}

// Real identifiers for the real issues, so hand checks against DART read naturally.
const REAL_CORP_CODES: Record<string, string> = {
  '005930': '00126380',
  '000660': '00164779',
  '035720': '00258801',
  '006840': '00117230',
  '095570': '00360595',
  '005380': '00164742',
  '051910': '00356361',
  '060310': '00366997',
  '247540': '01160363',
  '091990': '00650526',
};
const REAL_CRNO: Record<string, string> = { '005930': '1301110006246' };

export const UNLISTED_COUNT = 400;

function isCommonShare(t: Ticker): boolean {
  return t.srtnCd.endsWith('0');
}

function build(): Company[] {
  const used = new Set(Object.values(REAL_CORP_CODES));
  const usedCrno = new Set(Object.values(REAL_CRNO));
  const fresh = (seed: number): string => {
    for (let a = 0; ; a++) {
      const code = `00${String(mix(seed, 900 + a) % 1_000_000).padStart(6, '0')}`;
      if (!used.has(code)) {
        used.add(code);
        return code;
      }
    }
  };
  const crnoFor = (seed: number): string => {
    for (let a = 0; ; a++) {
      const c = `1${String(10_000 + (mix(seed, 950 + a) % 90_000))}${String(mix(seed, 960 + a) % 10_000_000).padStart(7, '0')}`;
      if (!usedCrno.has(c)) {
        usedCrno.add(c);
        return c;
      }
    }
  };
  const modify = (seed: number): string => {
    const y = 2016 + (mix(seed, 970) % 8);
    const m = 1 + (mix(seed, 971) % 12);
    const d = 1 + (mix(seed, 972) % 28);
    return `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
  };
  const list: Company[] = [];
  for (const t of TICKERS) {
    if (!isCommonShare(t)) continue;
    const seed = fnv1a(`corp:${t.srtnCd}`);
    list.push({
      corpCode: REAL_CORP_CODES[t.srtnCd] ?? fresh(seed),
      crno: REAL_CRNO[t.srtnCd] ?? crnoFor(seed),
      name: t.itmsNm,
      engName: `${t.srtnCd} Co., Ltd.`,
      ticker: t,
      corpCls: t.mrktCtg === 'KOSPI' ? 'Y' : 'K',
      foundedYear: 1950 + (mix(seed, 980) % 60),
      seed,
      noFinancials: t.itmsNm.endsWith('증권') || unit(seed, 981) < 0.02,
      modifyDate: modify(seed),
    });
  }
  const listedNames = list.map((c) => c.name);
  for (let i = 0; i < UNLISTED_COUNT; i++) {
    const seed = fnv1a(`unlisted:${i}`);
    // Some unlisted companies share a listed one's name (DART has two 카카오), which is why links go through stock_code.
    const name = i % 40 === 0 ? listedNames[mix(seed, 1) % listedNames.length] : `${listedNames[mix(seed, 2) % listedNames.length]}${['홀딩스', '파트너스', '개발', '인베스트'][i % 4]}${i}`;
    list.push({
      corpCode: fresh(seed),
      crno: crnoFor(seed),
      name,
      engName: '',
      corpCls: 'E',
      foundedYear: 1980 + (mix(seed, 980) % 40),
      seed,
      noFinancials: true,
      modifyDate: modify(seed),
    });
  }
  return list.sort((a, b) => (a.corpCode < b.corpCode ? -1 : a.corpCode > b.corpCode ? 1 : 0));
}

let cached: Company[] | undefined;
let byCorpCode: Map<string, Company> | undefined;
let byCrno: Map<string, Company> | undefined;

/** Every company, sorted by corp_code; built on first use. */
export function companies(): readonly Company[] {
  cached ??= build();
  return cached;
}

export function companyByCorpCode(corpCode: string): Company | undefined {
  byCorpCode ??= new Map(companies().map((c) => [c.corpCode, c]));
  return byCorpCode.get(corpCode);
}

export function companyByCrno(crno: string): Company | undefined {
  byCrno ??= new Map(companies().map((c) => [c.crno, c]));
  return byCrno.get(crno);
}

let byTicker: Map<string, Company> | undefined;

/** The company of a ticker; a preferred line (005935) belongs to its common share's company (005930). */
export function companyOfTicker(srtnCd: string): Company | undefined {
  byTicker ??= new Map(listedCompanies().map((c) => [c.ticker!.srtnCd, c]));
  return byTicker.get(`${srtnCd.slice(0, 5)}0`);
}

export function listedCompanies(): Company[] {
  return companies().filter((c) => c.ticker);
}
