/**
 * The FSS "금융상품 한눈에" (finlife) client: one product type for one sector, every page up to
 * `max_page_no`, base rows joined to their options. The page size is the server's choice (100
 * by default, a few per page for some sectors: korean-apis.md §2.3), so paging follows the
 * server's counters, never a size of our own.
 */
import type { z } from 'zod';
import { SourceError } from '../errors';
import { httpGet, type Pacer } from '../http';
import { decodeFinlifePage, MALFORMED_CLASS, SOURCE } from './envelope';
import { joinOptions, type JoinResult } from './join';
import { PRODUCT_TYPES, type FinlifeProduct, type FinlifeProductType, type TopFinGrpNo } from './products';
import { hookedRequest, type OnRequest } from '../request-hooks';

export const FINLIFE_BASE_URL = 'https://finlife.fss.or.kr';
const PATH_PREFIX = '/finlifeapi/';
/** 60 pages are seen in the wild (연금저축, 금융투자); far beyond that the counters are lying. */
const DEFAULT_MAX_PAGES = 300;

export interface FinlifeClientOptions {
  /** Scheme and host, e.g. FINLIFE_BASE_URL or the simulator's URL. */
  baseUrl: string;
  /** The 32-character `auth` key, read from the worker's environment by the caller. */
  auth: string;
  timeoutMs: number;
  pacer: Pacer;
  /** Loop guard: more pages than this fail the call instead of paging forever. */
  maxPages?: number;
  now?: () => number;
  onRequest?: OnRequest;
}

export interface FinlifeQuery {
  topFinGrpNo: TopFinGrpNo;
  /** 금융회사 코드 또는 명, e.g. "0010587" or "국민". */
  financeCd?: string;
}

export interface FinlifeResult<T extends FinlifeProductType> extends JoinResult<T> {
  productType: T;
  topFinGrpNo: string;
  /** The server's total_count, for the caller to compare with `products.length`. */
  totalCount: number;
  pages: number;
}

export class FinlifeClient {
  constructor(private readonly opts: FinlifeClientOptions) {}

  async products<T extends FinlifeProductType>(type: T, query: FinlifeQuery, signal?: AbortSignal): Promise<FinlifeResult<T>> {
    const spec = PRODUCT_TYPES[type];
    const maxPages = this.opts.maxPages ?? DEFAULT_MAX_PAGES;
    const bases: FinlifeProduct<T>['base'][] = [];
    const options: FinlifeProduct<T>['options'] = [];
    let totalCount = 0;
    let maxPageNo = 1;
    let firstPageSize = 0;
    let pages = 0;

    for (let pageNo = 1; pageNo <= maxPageNo; pageNo++) {
      const endpoint = `${spec.service} topFinGrpNo=${query.topFinGrpNo} page ${pageNo}`;
      // A hard cap, and the pages total_count allows at the first page's size (one spare for a
      // listing that shifted): max_page_no alone cannot be trusted to stop.
      const impliedPages = firstPageSize > 0 ? Math.ceil(totalCount / firstPageSize) + 1 : Infinity;
      if (pageNo > maxPages || pageNo > impliedPages) {
        throw new SourceError(
          SOURCE,
          'retryable',
          `${endpoint}: paging did not converge: max_page_no ${maxPageNo}, total_count ${totalCount}, ${bases.length} products after ${pages} pages`,
          'PAGING',
        );
      }
      const page = await this.fetchPage(spec.service, query, pageNo, endpoint, signal);
      pages++;
      if (pageNo === 1) {
        totalCount = page.totalCount;
        firstPageSize = page.baseList.length;
      }
      maxPageNo = page.maxPageNo;
      if (page.baseList.length === 0) {
        if (bases.length < totalCount) {
          throw new SourceError(SOURCE, 'retryable', `${endpoint}: empty page with ${bases.length}/${totalCount} products read`, 'PAGING');
        }
        break;
      }
      page.baseList.forEach((raw, i) => bases.push(parseRow(spec.base, raw, `${endpoint} baseList[${i}]`) as FinlifeProduct<T>['base']));
      page.optionList.forEach((raw, i) => options.push(parseRow(spec.option, raw, `${endpoint} optionList[${i}]`) as FinlifeProduct<T>['options'][number]));
    }

    return { productType: type, topFinGrpNo: query.topFinGrpNo, totalCount, pages, ...joinOptions<T>(bases, options, spec.joinKey) };
  }

  private async fetchPage(service: string, query: FinlifeQuery, pageNo: number, endpoint: string, signal?: AbortSignal) {
    const url = new URL(`${PATH_PREFIX}${service}.json`, this.opts.baseUrl);
    url.searchParams.set('auth', this.opts.auth);
    url.searchParams.set('topFinGrpNo', query.topFinGrpNo);
    url.searchParams.set('pageNo', String(pageNo));
    if (query.financeCd) url.searchParams.set('financeCd', query.financeCd);
    const answer = await hookedRequest(this.opts, endpoint, () => url, () => httpGet(SOURCE, url, this.opts.timeoutMs, signal));
    return decodeFinlifePage(answer, (this.opts.now ?? Date.now)(), endpoint);
  }
}

function parseRow(schema: z.ZodType, raw: unknown, where: string): unknown {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SourceError(SOURCE, MALFORMED_CLASS, `${where}: row does not match (${issue?.path.join('.')}: ${issue?.message})`, 'MALFORMED');
  }
  return parsed.data;
}
