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

/**
 * Placeholders → null; anything else must read as a number. Unlike parseNumber, "abc" is an
 * error: a value that is neither has changed format, and storing it as a hole would hide that.
 */
export function strictNumber(raw: unknown, field: string): number | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string' && PLACEHOLDERS.has(raw.trim())) return null;
  const n = parseNumber(raw);
  if (n === null) throw new TypeError(`${field}: not a number: ${JSON.stringify(raw)}`);
  return n;
}

// YYYYMMDD (DART, data.go.kr, KRX Open API), YYYY/MM/DD (KRX portal), YYYY.MM.DD and
// YYYY-MM-DD (DART), and DART's "2023년 06월 01일".
const DATE_SHAPES = [
  /^(\d{4})(\d{2})(\d{2})$/,
  /^(\d{4})[./-](\d{1,2})[./-](\d{1,2})\.?$/,
  /^(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일$/,
];

/** A date in any spelling the sources use → 'YYYY-MM-DD'; placeholders → null; anything else throws. */
export function strictDate(raw: unknown, field: string): string | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'string') throw new TypeError(`${field}: not a date: ${JSON.stringify(raw)}`);
  const t = raw.trim();
  if (PLACEHOLDERS.has(t)) return null;
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
