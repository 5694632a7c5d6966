/**
 * GLOBAL_QUOTE: the latest price of one symbol, values as strings under numbered keys ("05.
 * price", "10. change percent": "0.8623%"). An unknown symbol is not an error here: the answer is
 * `{"Global Quote": {}}`, which reads as no quote.
 */
import { z } from 'zod';
import type { IsoDate } from '../../calendar/trading-calendar';
import { requireNumber, strictDate, strictNumber } from '../parse';
import { malformedAnswer, mapRows } from '../rows';
import { SOURCE } from './answer';

export const QUOTE_FUNCTION = 'GLOBAL_QUOTE';
const QUOTE_KEY = 'Global Quote';

export interface AlphaVantageQuote {
  symbol: string;
  /** "07. latest trading day" */
  tradeDate: IsoDate | null;
  open: number | null;
  high: number | null;
  low: number | null;
  price: number;
  volume: number | null;
  previousClose: number | null;
  change: number | null;
  /** Percent, e.g. 0.8623 for "0.8623%". */
  changePercent: number | null;
}

const v = z.string().optional();
const quoteSchema = z.object({
  '01. symbol': z.string().min(1),
  '02. open': v,
  '03. high': v,
  '04. low': v,
  '05. price': z.string(),
  '06. volume': v,
  '07. latest trading day': v,
  '08. previous close': v,
  '09. change': v,
  '10. change percent': v,
});

export function toQuote(json: Record<string, unknown>): AlphaVantageQuote | null {
  const raw = json[QUOTE_KEY];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw malformedAnswer(SOURCE, QUOTE_FUNCTION, `no "${QUOTE_KEY}" object`);
  if (Object.keys(raw).length === 0) return null;
  const [quote] = mapRows(SOURCE, QUOTE_FUNCTION, [raw], quoteSchema, (q) => {
    return {
      symbol: q['01. symbol'],
      tradeDate: strictDate(q['07. latest trading day'], 'latest trading day'),
      open: strictNumber(q['02. open'], 'open'),
      high: strictNumber(q['03. high'], 'high'),
      low: strictNumber(q['04. low'], 'low'),
      price: requireNumber(q['05. price'], 'price'),
      volume: strictNumber(q['06. volume'], 'volume'),
      previousClose: strictNumber(q['08. previous close'], 'previous close'),
      change: strictNumber(q['09. change'], 'change'),
      changePercent: strictNumber(q['10. change percent']?.replace(/%$/, ''), 'change percent'),
    };
  });
  return quote;
}
