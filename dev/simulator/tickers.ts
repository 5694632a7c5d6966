/**
 * The synthetic KRX universe: a dozen real issues (so fixtures and hand checks read naturally)
 * plus generated ones up to the size of the real market. Built once at import; pure.
 */
import { addDays, type IsoDate } from '../../calendar/trading-calendar';
import { fnv1a, mix, unit } from './hash';

export type MarketCategory = 'KOSPI' | 'KOSDAQ';

export interface Ticker {
  srtnCd: string;
  isinCd: string;
  itmsNm: string;
  mrktCtg: MarketCategory;
  lstgStCnt: number;
  /** Price level the series oscillates around (won). */
  basePrice: number;
  /** Scale of the price swings; 1 is a typical large cap. */
  volatility: number;
  /** Log-drift per year, centred on mid-2023 so the series stays bounded across 2020-2027. */
  drift: number;
  /** Average share of listed shares traded per day. */
  turnover: number;
  seed: number;
  /** First date with rows (inclusive), if the issue listed inside the simulated range. */
  listedFrom?: IsoDate;
  /** Last date with rows (inclusive), if the issue was delisted. */
  delistedAfter?: IsoDate;
}

export const KOSPI_COUNT = 950;
export const KOSDAQ_COUNT = 1950;

interface RealIssue {
  code: string;
  name: string;
  market: MarketCategory;
  shares: number;
  price: number;
  volatility: number;
}

// Share counts and price levels are close to the real ones so values look familiar in logs.
const REAL_ISSUES: readonly RealIssue[] = [
  { code: '005930', name: '삼성전자', market: 'KOSPI', shares: 5_969_782_550, price: 72_000, volatility: 1 },
  { code: '000660', name: 'SK하이닉스', market: 'KOSPI', shares: 728_002_365, price: 130_000, volatility: 1.2 },
  { code: '035720', name: '카카오', market: 'KOSPI', shares: 444_749_160, price: 55_000, volatility: 1.2 },
  { code: '006840', name: 'AK홀딩스', market: 'KOSPI', shares: 13_247_561, price: 17_000, volatility: 0.9 },
  { code: '095570', name: 'AJ네트웍스', market: 'KOSPI', shares: 45_252_759, price: 5_300, volatility: 0.9 },
  { code: '005380', name: '현대차', market: 'KOSPI', shares: 211_531_506, price: 200_000, volatility: 1 },
  { code: '051910', name: 'LG화학', market: 'KOSPI', shares: 70_592_343, price: 450_000, volatility: 1.1 },
  { code: '005935', name: '삼성전자우', market: 'KOSPI', shares: 815_974_664, price: 60_000, volatility: 0.9 },
  { code: '00104K', name: 'CJ4우(전환)', market: 'KOSPI', shares: 2_430_282, price: 60_000, volatility: 1.1 },
  { code: '060310', name: '3S', market: 'KOSDAQ', shares: 48_536_642, price: 3_300, volatility: 1.3 },
  { code: '247540', name: '에코프로비엠', market: 'KOSDAQ', shares: 97_801_344, price: 250_000, volatility: 1.5 },
  { code: '091990', name: '셀트리온헬스케어', market: 'KOSDAQ', shares: 158_002_767, price: 65_000, volatility: 1.2 },
];

const SYLLABLES = [
  '한', '대', '동', '서', '남', '신', '세', '진', '성', '광', '영', '우', '일', '삼', '오', '태', '평', '화',
  '금', '현', '정', '미', '래', '코', '텍', '엠', '에', '디', '지', '비', '케', '이', '아', '유', '원', '준',
  '하', '나', '상', '명', '국', '민', '보', '경', '인', '선', '용', '승', '흥', '창',
];
const SUFFIXES = [
  '전자', '화학', '제약', '바이오', '건설', '산업', '홀딩스', '테크', '소재', '에너지', '반도체', '통신', '식품',
  '시스템', '로직스', '엔터', '메디칼', '정밀', '중공업', '물산', '기계', '증권', '해운', '제지', '인터내셔널',
  '네트웍스', '솔루션', '게임즈', '파마', '모빌리티', '이앤씨', '머티리얼즈', '',
];

const RANGE_START: IsoDate = '2020-03-02';
const RANGE_DAYS = 2_400; // reaches into autumn 2026

export function isinFor(code: string): string {
  const body = `KR7${code}00`;
  const digits = [...body].map((c) => (/\d/.test(c) ? c : String(c.charCodeAt(0) - 55))).join('');
  let sum = 0;
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = Number(digits[i]);
    if (double) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

function logUniform(u: number, lo: number, hi: number): number {
  return Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo)));
}

function fromReal(r: RealIssue): Ticker {
  const seed = fnv1a(r.code);
  return {
    srtnCd: r.code,
    isinCd: isinFor(r.code),
    itmsNm: r.name,
    mrktCtg: r.market,
    lstgStCnt: r.shares,
    basePrice: r.price,
    volatility: r.volatility,
    // Samsung must stay in its realistic 50,000-100,000 band, so the real issues do not trend.
    drift: 0,
    turnover: logUniform(unit(seed, 11), 0.001, 0.004),
    seed,
  };
}

function generated(index: number, market: MarketCategory, usedCodes: Set<string>, usedNames: Set<string>): Ticker {
  const base = fnv1a(`${market}:${index}`);
  let code = '';
  for (let attempt = 0; !code || usedCodes.has(code); attempt++) {
    // Common shares end in 0 on KRX; 5 free digits leave ~100k slots for ~2,900 codes.
    code = `${String((mix(base, attempt) % 99_990) + 1).padStart(5, '0')}0`;
  }
  usedCodes.add(code);

  let name = '';
  for (let attempt = 0; !name || usedNames.has(name); attempt++) {
    const h = mix(base, 1_000 + attempt);
    const a = SYLLABLES[h % SYLLABLES.length];
    const b = SYLLABLES[(h >>> 8) % SYLLABLES.length];
    const suffix = SUFFIXES[(h >>> 16) % SUFFIXES.length];
    const third = suffix === '' || attempt > 20 ? SYLLABLES[(h >>> 24) % SYLLABLES.length] : '';
    name = `${a}${b}${third}${suffix}`;
  }
  usedNames.add(name);

  const seed = fnv1a(code);
  const kosdaq = market === 'KOSDAQ';
  const ticker: Ticker = {
    srtnCd: code,
    isinCd: isinFor(code),
    itmsNm: name,
    mrktCtg: market,
    lstgStCnt: Math.round(logUniform(unit(seed, 1), kosdaq ? 5e6 : 8e6, kosdaq ? 1.5e8 : 6e8)),
    basePrice: logUniform(unit(seed, 2), kosdaq ? 1_200 : 2_000, kosdaq ? 80_000 : 300_000),
    volatility: 0.6 + unit(seed, 3) * (kosdaq ? 1.4 : 1),
    drift: (unit(seed, 4) - 0.45) * 0.25,
    turnover: logUniform(unit(seed, 5), 0.0005, kosdaq ? 0.02 : 0.008),
    seed,
  };

  const fate = mix(seed, 6) % 1000;
  const when = addDays(RANGE_START, Math.floor(unit(seed, 7) * RANGE_DAYS));
  if (fate < 10) ticker.listedFrom = when;
  else if (fate < 15) ticker.delistedAfter = when;
  return ticker;
}

function buildUniverse(): Ticker[] {
  const usedCodes = new Set(REAL_ISSUES.map((r) => r.code));
  const usedNames = new Set(REAL_ISSUES.map((r) => r.name));
  const list = REAL_ISSUES.map(fromReal);
  const realKospi = REAL_ISSUES.filter((r) => r.market === 'KOSPI').length;
  for (let i = 0; i < KOSPI_COUNT - realKospi; i++) list.push(generated(i, 'KOSPI', usedCodes, usedNames));
  for (let i = 0; i < KOSDAQ_COUNT - (REAL_ISSUES.length - realKospi); i++) {
    list.push(generated(i, 'KOSDAQ', usedCodes, usedNames));
  }
  // Plain code-unit order, the order the API pages in ('00104K' after '001040').
  return list.sort((a, b) => (a.srtnCd < b.srtnCd ? -1 : a.srtnCd > b.srtnCd ? 1 : 0));
}

/** All issues ever listed in the simulated range, sorted by srtnCd. */
export const TICKERS: readonly Ticker[] = Object.freeze(buildUniverse());

const byCode = new Map(TICKERS.map((t) => [t.srtnCd, t]));

export function tickerByCode(srtnCd: string): Ticker | undefined {
  return byCode.get(srtnCd);
}

export function isListedOn(ticker: Ticker, date: IsoDate): boolean {
  if (ticker.listedFrom && date < ticker.listedFrom) return false;
  if (ticker.delistedAfter && date > ticker.delistedAfter) return false;
  return true;
}
