/**
 * Value parsers for the quirks of Korean APIs (korean-apis.md, PROVENANCE.md): numbers arrive
 * as strings with thousands separators or leading-dot decimals (".81", "-.06"), and emptiness
 * is spelled "", "-", "NULL" or a single space.
 */
const PLACEHOLDERS = new Set(['', '-', 'NULL', ' ']);

export function parseNumber(raw: unknown): number | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw !== 'string') return null;
  const s = raw.trim();
  if (PLACEHOLDERS.has(s)) return null;
  // Number() reads ".81" and "-.06" natively; only thousands separators need stripping.
  // This runs for every field of millions of rows, hence no regex on the common path.
  const n = Number(s.includes(',') ? s.replace(/,/g, '') : s);
  return Number.isFinite(n) && NUMERIC.test(s) ? n : null;
}

const NUMERIC = /^[-+]?[\d,]*\.?\d+$/;

/** Like parseNumber, but a missing value is a parse failure the caller must report. */
export function requireNumber(raw: unknown, field: string): number {
  const n = parseNumber(raw);
  if (n === null) throw new TypeError(`${field}: expected a number, got ${JSON.stringify(raw)}`);
  return n;
}

export function parseText(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  return PLACEHOLDERS.has(raw) ? null : raw;
}

/** One row may arrive as a bare object where a list was expected. */
export function asArray<T>(v: T | T[] | null | undefined): T[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}
