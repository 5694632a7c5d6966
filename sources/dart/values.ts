/**
 * DART's value spellings (korean-apis.md §1.0, PROVENANCE.md 1–7): amounts are strings with or
 * without thousands commas, emptiness is "-", "" or a single space, and dates come as YYYYMMDD,
 * "YYYY.MM.DD", "YYYY-MM-DD" or "2023년 06월 01일" depending on the endpoint.
 *
 * Unlike the shared parseNumber, these refuse a value that is neither a placeholder nor the
 * expected shape: silently reading "abc" as null would store a hole where DART changed format.
 */
import type { IsoDate } from '../../calendar/trading-calendar';
import { parseText, strictDate, strictNumber } from '../parse';

export function text(raw: string | undefined): string | null {
  return raw === undefined ? null : parseText(raw.trim() === '' ? '' : raw);
}

export function amount(raw: string | undefined, field: string): number | null {
  return strictNumber(raw, field);
}

/** DART writes "Y"/"N" for yes/no fields (e.g. piicDecsn ssl_at). */
export function flag(raw: string | undefined, field: string): boolean | null {
  const t = text(raw)?.trim();
  if (t === undefined || t === null) return null;
  if (t === 'Y') return true;
  if (t === 'N') return false;
  throw new TypeError(`${field}: expected Y or N, got ${JSON.stringify(raw)}`);
}

export function date(raw: string | undefined, field: string): IsoDate | null {
  return strictDate(raw, field);
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
