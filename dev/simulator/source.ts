/**
 * What the server needs of each simulated source: who is asking (key or session), the answers
 * for every fault kind in the source's own format, and what date a request is about. The
 * server does the rest the same way for all of them: key check, limits, faults, stats.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { IsoDate } from '../../calendar/trading-calendar';
import type { SimResponse } from './envelopes';
import type { FaultAnswer } from './faults';

export interface SimRequest {
  method: string;
  url: URL;
  /** The path below the source's mount point (for DART, "api/corpCode.xml"). */
  path: string;
  headers: IncomingHttpHeaders;
  /** Query parameters, plus the form fields of a POST body. */
  params: URLSearchParams;
}

export type Admission =
  /** Served under this key (or session); limits are counted per key. */
  | { key: string }
  /** Answered before any limit or fault: a refused key, a missing session, a bad path. */
  | { refuse: SimResponse };

export interface SourceHandler {
  admit(req: SimRequest): Admission;
  answers(req: SimRequest): FaultAnswer;
  /** The date a request is about, for date-scoped fault rules. */
  date?(req: SimRequest): IsoDate | undefined;
  /** An answer that replaces everything but the key check (DART's maintenance stop). */
  preempt?(req: SimRequest): SimResponse | undefined;
}

export function json(status: number, value: unknown, contentType = 'application/json;charset=UTF-8'): SimResponse {
  return { status, headers: { 'content-type': contentType }, body: JSON.stringify(value) };
}

export const NOT_FOUND: SimResponse = { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found' };
