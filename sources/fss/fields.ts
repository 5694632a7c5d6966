/**
 * Field readers for finlife rows. The API sends the same column as a string in one answer and
 * a number in the next (korean-apis.md §2.3), and the captures carry only a subset of the
 * documented columns (PROVENANCE.md 27–30), so every column but the join key may be absent.
 */
import { z } from 'zod';
import { parseNumber, parseText } from '../parse';

const scalar = z.union([z.string(), z.number()]).nullish();

/** A label, code or free text; absent and placeholder values become null. */
export const text = scalar.transform((v) => (v === null || v === undefined ? null : parseText(String(v))));

/** A rate or amount; anything that is not a plain number (e.g. the label "100,000원") becomes null. */
export const num = scalar.transform((v) => parseNumber(v));

/** A join-key column: required, kept as a string so leading zeros survive ("0010593"). */
export const key = z.union([z.string(), z.number()]).transform((v) => String(v).trim()).pipe(z.string().min(1));
