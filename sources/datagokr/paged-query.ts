/**
 * Paging to the end for the FSC query APIs that share the data.go.kr envelope, with the same
 * failure classes as getStockPriceInfo (envelope.ts). Every failure names the operation and the
 * page, so an operator can tell which of the FSC APIs is refusing the key.
 */
import type { z } from 'zod';
import { MALFORMED_CLASS, SourceError } from '../errors';
import { httpGet, type Pacer } from '../http';
import { decodePage, SOURCE } from './envelope';
import { hookedRequest, type OnRequest } from '../request-hooks';

export interface DatagokrClientOptions {
  /** Scheme and host, e.g. https://apis.data.go.kr or the simulator's URL. */
  baseUrl: string;
  /** Read from the worker's environment only; never passed through workflows. */
  serviceKey: string;
  timeoutMs: number;
  pacer: Pacer;
  now?: () => number;
  onRequest?: OnRequest;
  /** Overrides the operation's default page size (each API's maximum numOfRows is UNCONFIRMED). */
  pageSize?: number;
  /** Overrides the loop guard (default 100 pages). */
  maxPages?: number;
  /** Overrides the operation's path, for a renamed or legacy service. */
  path?: string;
}

export interface PagedQuery {
  path: string;
  /** The operation's name for messages, e.g. "getBondBasiInfo_V2". */
  operation: string;
  params: Record<string, string | undefined>;
  /** Defaults of the operation; the client options may override path, pageSize and maxPages. */
  pageSize: number;
  /** Loop guard: a source that keeps answering full pages fails after this many. */
  maxPages?: number;
}

export async function fetchAllItems(opts: DatagokrClientOptions, query: PagedQuery, signal?: AbortSignal): Promise<Array<{ raw: unknown; where: string }>> {
  const q = { ...query, path: opts.path ?? query.path, pageSize: opts.pageSize ?? query.pageSize, maxPages: opts.maxPages ?? query.maxPages ?? 100 };
  const rows: Array<{ raw: unknown; where: string }> = [];
  let totalCount = Infinity;
  let impliedPages = Infinity;
  for (let pageNo = 1; rows.length < totalCount; pageNo++) {
    const where = `${q.operation} page ${pageNo}`;
    if (pageNo > q.maxPages || pageNo > impliedPages) {
      throw new SourceError(SOURCE, 'retryable', `${where}: paging did not converge: ${rows.length}/${totalCount} rows after ${pageNo - 1} pages`, 'PAGING');
    }
    const page = await fetchPage(opts, q, pageNo, where, signal);
    totalCount = page.totalCount;
    if (page.items.length === 0) {
      if (rows.length < totalCount) {
        throw new SourceError(SOURCE, 'retryable', `${where}: empty page with ${rows.length}/${totalCount} rows read`, 'PAGING');
      }
      break;
    }
    // The server may serve fewer rows than asked (its own cap), so the first page sets the pace.
    if (pageNo === 1) impliedPages = Math.ceil(totalCount / page.items.length) + 1;
    page.items.forEach((raw, i) => rows.push({ raw, where: `${where} item ${i}` }));
  }
  return rows;
}

async function fetchPage(opts: DatagokrClientOptions, q: PagedQuery, pageNo: number, where: string, signal?: AbortSignal) {
  const url = new URL(q.path, opts.baseUrl);
  url.searchParams.set('serviceKey', opts.serviceKey);
  url.searchParams.set('resultType', 'json');
  url.searchParams.set('numOfRows', String(q.pageSize));
  url.searchParams.set('pageNo', String(pageNo));
  for (const [k, v] of Object.entries(q.params)) if (v !== undefined && v !== '') url.searchParams.set(k, v);
  const answer = await hookedRequest(opts, q.path.split('/').pop() ?? q.path, () => url, () => httpGet(SOURCE, url, opts.timeoutMs, signal));
  try {
    return decodePage<unknown>(answer, (opts.now ?? Date.now)());
  } catch (err) {
    throw err instanceof SourceError ? inContext(err, where) : err;
  }
}

function inContext(err: SourceError, where: string): SourceError {
  const prefix = `${err.source}: `;
  const msg = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  return new SourceError(err.source, err.failureClass, `${where}: ${msg}`, err.code, err.retryAfterMs);
}

/** Parses one item; a row that does not match is the same class as a malformed body. */
export function parseItem<S extends z.ZodType>(schema: S, row: { raw: unknown; where: string }): z.output<S> {
  const parsed = schema.safeParse(row.raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SourceError(SOURCE, MALFORMED_CLASS, `${row.where}: row does not match (${issue?.path.join('.')}: ${issue?.message})`, 'MALFORMED');
  }
  return parsed.data;
}

/** Rejects a request before any call: a retry cannot fix it. */
export function badRequest(operation: string, why: string): SourceError {
  return new SourceError(SOURCE, 'non-retryable', `${operation}: ${why}`, 'BAD_REQUEST');
}
