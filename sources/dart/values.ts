/**
 * DART's value spellings (korean-apis.md §1.0, PROVENANCE.md 1–7): amounts are strings with or
 * without thousands commas, emptiness is "-", "" or a single space, and dates come as YYYYMMDD,
 * "YYYY.MM.DD", "YYYY-MM-DD" or "2023년 06월 01일" depending on the endpoint.
 *
 * Unlike the shared parseNumber, these refuse a value that is neither a placeholder nor the
 * expected shape: silently reading "abc" as null would store a hole where DART changed format.
 */
import type { IsoDate } from '../../calendar/trading-calendar';
import { parseNumber, parseText } from '../parse';

export function text(raw: string | undefined): string | null {
  return raw === undefined ? null : parseText(raw.trim() === '' ? '' : raw);
}

export function amount(raw: string | undefined, field: string): number | null {
  if (raw === undefined || parseText(raw.trim()) === null) return null;
  const n = parseNumber(raw);
  if (n === null) throw new TypeError(`${field}: not a number: ${JSON.stringify(raw)}`);
  return n;
}

/** DART writes "Y"/"N" for yes/no fields (e.g. piicDecsn ssl_at). */
export function flag(raw: string | undefined, field: string): boolean | null {
  const t = text(raw)?.trim();
  if (t === undefined || t === null) return null;
  if (t === 'Y') return true;
  if (t === 'N') return false;
  throw new TypeError(`${field}: expected Y or N, got ${JSON.stringify(raw)}`);
}

const DATE_SHAPES = [
  /^(\d{4})(\d{2})(\d{2})$/,
  /^(\d{4})[.-](\d{1,2})[.-](\d{1,2})\.?$/,
  /^(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일$/,
];

export function date(raw: string | undefined, field: string): IsoDate | null {
  const t = text(raw)?.trim();
  if (t === undefined || t === null || t === '') return null;
  for (const shape of DATE_SHAPES) {
    const m = shape.exec(t);
    if (!m) continue;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    // Right shape, impossible date (20230231): a format change, not a placeholder.
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) break;
    return `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  }
  throw new TypeError(`${field}: not a date: ${JSON.stringify(raw)}`);
}

// Plain arithmetic rather than a Date round trip: corpCode.xml has 120,000 dates to check.
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export interface PeriodLabel {
  /** null for a balance-sheet instant ("2020.03.31 현재"). */
  from: IsoDate | null;
  to: IsoDate;
}

/**
 * The `*_dt` labels of fnlttSinglAcnt/fnlttMultiAcnt: "2020.03.31 현재" (an instant) or
 * "2020.01.01 ~ 2020.03.31" (a period). Kept beside the raw label because the term names
 * ("제 52 기1분기말") say nothing about the calendar.
 */
export function periodLabel(raw: string | undefined, field: string): PeriodLabel | null {
  const t = text(raw)?.trim();
  if (t === undefined || t === null || t === '') return null;
  const range = /^(\S+)\s*~\s*(\S+)$/.exec(t);
  if (range) return { from: date(range[1], field), to: date(range[2], field)! };
  const instant = /^(\S+)\s*현재$/.exec(t);
  if (instant) return { from: null, to: date(instant[1], field)! };
  throw new TypeError(`${field}: not a period label: ${JSON.stringify(raw)}`);
}

/** The first 8 digits of a receipt number are its filing date (korean-apis.md §1.6). */
export function filedOn(rceptNo: string): IsoDate | null {
  try {
    return date(rceptNo.slice(0, 8), 'rcept_no');
  } catch {
    return null;
  }
}
