/**
 * zod readers for data.go.kr item fields (korean-apis.md §3.0): every value is a string,
 * decimals may lead with a dot, and emptiness is "" or "NULL". Only the key columns are
 * required; the rest become null when absent, so a trimmed answer still parses.
 */
import { z } from 'zod';
import type { IsoDate } from '../../calendar/trading-calendar';
import { parseNumber, parseText } from '../parse';

const scalar = z.union([z.string(), z.number()]).nullish();

export const text = scalar.transform((v) => (v === null || v === undefined ? null : parseText(String(v))));

export const num = scalar.transform((v) => parseNumber(v));

/** YYYYMMDD (or YYYY-MM-DD) → IsoDate; placeholders → null; anything else fails the row. */
export const date = scalar.transform((v, ctx): IsoDate | null => {
  const s = v === null || v === undefined ? '' : String(v).trim();
  if (s === '' || s === '-' || s === 'NULL') return null;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(s);
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `not a date: ${JSON.stringify(s)}` });
    return z.NEVER;
  }
  return `${m[1]}-${m[2]}-${m[3]}`;
});

export const required = z.union([z.string(), z.number()]).transform((v) => String(v).trim()).pipe(z.string().min(1));
