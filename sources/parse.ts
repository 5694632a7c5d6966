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
  if (PLACEHOLDERS.has(raw) || PLACEHOLDERS.has(raw.trim())) return null;
  let s = raw.trim().replace(/,/g, '');
  if (s.startsWith('.')) s = `0${s}`;
  else if (s.startsWith('-.')) s = `-0${s.slice(1)}`;
  if (!/^-?\d+(\.\d+)?$/.test(s)) return null;
  return Number(s);
}

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
