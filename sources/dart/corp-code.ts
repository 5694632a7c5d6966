/**
 * corpCode.xml: DART's company master, a ZIP holding CORPCODE.xml (korean-apis.md §1.3). It is
 * the only link from a KRX ticker to the `corp_code` every other DART endpoint wants.
 *
 * The XML is flat (`<result><list><corp_code/>…</list>…</result>`, about 120,000 entries and
 * 30 MB), so a regex pass over the `<list>` elements reads it in one sweep without an XML
 * library; anything it does not recognise fails validation instead of being skipped.
 */
import { z } from 'zod';
import type { IsoDate } from '../../calendar/trading-calendar';
import { decodeText } from '../http';
import { malformed, mapRows, statusFromXml } from './envelope';
import { date, text } from './values';
import { readEntry, ZipError } from './zip';

export const CORP_CODE_ENDPOINT = 'corpCode.xml';
const ENTRY_NAME = 'CORPCODE.xml';
/** The real file is ~30 MB; ten times that is a broken or hostile archive. */
const MAX_XML_BYTES = 300 * 1024 * 1024;

export interface CorpCode {
  /** 8 digits, leading zeros kept. */
  corpCode: string;
  corpName: string;
  corpEngName: string | null;
  /** 6 characters (may end in a letter, e.g. "00104K"); null for unlisted companies, which DART spells " ". */
  stockCode: string | null;
  modifyDate: IsoDate;
}

const entrySchema = z.object({
  corp_code: z.string().regex(/^\d{8}$/),
  corp_name: z.string().min(1),
  corp_eng_name: z.string().optional(),
  stock_code: z.string().regex(/^\s*([0-9A-Z]{6})?\s*$/),
  modify_date: z.string().regex(/^\d{8}$/),
});

/** The archive's bytes → entries. DART's error answers (XML with a status, no archive) are the client's to classify. */
export async function parseCorpCodeZip(bytes: Uint8Array): Promise<CorpCode[]> {
  let xml: string;
  try {
    xml = decodeText(await readEntry(bytes, { name: ENTRY_NAME, maxBytes: MAX_XML_BYTES }));
  } catch (err) {
    if (err instanceof ZipError) throw malformed(CORP_CODE_ENDPOINT, err.message);
    throw err;
  }
  return parseCorpCodeXml(xml);
}

export function parseCorpCodeXml(xml: string): CorpCode[] {
  if (!/<result[\s>]/.test(xml)) {
    throw malformed(CORP_CODE_ENDPOINT, statusFromXml(xml) ? 'a status answer inside the archive' : 'no <result> element');
  }
  // Closing tag required: a document cut short fails here instead of losing its last entries.
  if (!/<\/result>\s*$/.test(xml)) throw malformed(CORP_CODE_ENDPOINT, 'XML ends before </result> (truncated)');
  const raw: Record<string, string>[] = [];
  for (const m of xml.matchAll(/<list>([\s\S]*?)<\/list>/g)) raw.push(readFields(m[1]));
  return mapRows(CORP_CODE_ENDPOINT, raw, entrySchema, (e): CorpCode => ({
    corpCode: e.corp_code,
    corpName: e.corp_name.trim(),
    corpEngName: text(e.corp_eng_name)?.trim() || null,
    stockCode: e.stock_code.trim() || null,
    modifyDate: date(e.modify_date, 'modify_date')!,
  }));
}

/** `<name>value</name>` and `<name/>` children of one `<list>`, entity-decoded. */
function readFields(inner: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of inner.matchAll(/<([A-Za-z_][\w.-]*)\s*(?:\/>|>([^<]*)<\/\1\s*>)/g)) out[m[1]] = decodeEntities(m[2] ?? '');
  return out;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref] ?? whole;
    const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
  });
}

/**
 * The listed companies, one per ticker. Names are not unique (two 카카오 entries, one
 * unlisted), which is why the link goes through the stock code. Should two entries ever claim
 * one ticker (a relisting), the most recently modified one wins.
 */
export function listedCompanies(entries: readonly CorpCode[]): CorpCode[] {
  const best = new Map<string, CorpCode>();
  for (const e of entries) {
    if (!e.stockCode) continue;
    const seen = best.get(e.stockCode);
    if (!seen || e.modifyDate > seen.modifyDate) best.set(e.stockCode, e);
  }
  return [...best.values()];
}

/** Ticker → corp_code, for listed companies only (see listedCompanies). */
export function tickerToCorpCode(entries: readonly CorpCode[]): Map<string, string> {
  return new Map(listedCompanies(entries).map((e) => [e.stockCode!, e.corpCode]));
}
