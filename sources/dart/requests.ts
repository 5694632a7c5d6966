/**
 * Request parameters shared by the DART endpoints, checked before any call: a bad parameter
 * would cost a call of the daily quota and come back as status 100 anyway.
 */
import { compactDate, parseIsoDate, type IsoDate } from '../../calendar/trading-calendar';
import { SourceError } from '../errors';
import { SOURCE } from './envelope';

/** reprt_code (korean-apis.md §1.0). */
export const REPORT_CODES = { q1: '11013', half: '11012', q3: '11014', annual: '11011' } as const;
export type ReportCode = (typeof REPORT_CODES)[keyof typeof REPORT_CODES];

/** Periodic-report endpoints (financial statements, alotMatter) share these parameters. */
export interface PeriodicReportRequest {
  corpCode: string;
  /** From 2015 (DART's coverage). */
  bsnsYear: number;
  reprtCode: ReportCode;
}

/** Major-event endpoints: one company, filings received between two dates (inclusive). */
export interface FilingRangeRequest {
  corpCode: string;
  bgnDe: IsoDate;
  endDe: IsoDate;
}

const FIRST_YEAR = 2015;

export function badRequest(endpoint: string, what: string): SourceError {
  return new SourceError(SOURCE, 'non-retryable', `${endpoint}: bad request: ${what}`, 'BAD_REQUEST');
}

export function checkCorpCodes(endpoint: string, corpCodes: readonly string[]): void {
  if (corpCodes.length === 0) throw badRequest(endpoint, 'no corp_code given');
  const bad = corpCodes.find((c) => !/^\d{8}$/.test(c));
  if (bad !== undefined) throw badRequest(endpoint, `corp_code must be 8 digits, got ${JSON.stringify(bad)}`);
}

export function periodicParams(endpoint: string, corpCodes: readonly string[], bsnsYear: number, reprtCode: string): Record<string, string> {
  checkCorpCodes(endpoint, corpCodes);
  if (!Number.isInteger(bsnsYear) || bsnsYear < FIRST_YEAR || bsnsYear > 9999) {
    throw badRequest(endpoint, `bsns_year ${bsnsYear} is outside DART's coverage (${FIRST_YEAR} on)`);
  }
  const codes: readonly string[] = Object.values(REPORT_CODES);
  if (!codes.includes(reprtCode)) throw badRequest(endpoint, `reprt_code ${JSON.stringify(reprtCode)} is not one of ${codes.join(', ')}`);
  return { corp_code: corpCodes.join(','), bsns_year: String(bsnsYear), reprt_code: reprtCode };
}

export function filingRangeParams(endpoint: string, req: FilingRangeRequest): Record<string, string> {
  checkCorpCodes(endpoint, [req.corpCode]);
  for (const d of [req.bgnDe, req.endDe]) {
    try {
      parseIsoDate(d);
    } catch {
      throw badRequest(endpoint, `not a YYYY-MM-DD date: ${JSON.stringify(d)}`);
    }
  }
  if (req.bgnDe > req.endDe) throw badRequest(endpoint, `bgn_de ${req.bgnDe} is after end_de ${req.endDe}`);
  return { corp_code: req.corpCode, bgn_de: compactDate(req.bgnDe), end_de: compactDate(req.endDe) };
}
