/**
 * apis.data.go.kr as one source: the gateway (key check, the fault plan's token bucket) and the
 * service's answers are the same for every FSC operation; only the rows differ. getStockPriceInfo
 * keeps its byte-level fast path (datagokr.ts), the others page plain rows (datagokr-ops.ts).
 */
import type { IsoDate } from '../../calendar/trading-calendar';
import { STOCK_PRICE_PATH, StockPriceService, invalidRequest, parseStockPriceQuery, requestFormat } from './datagokr';
import { ROW_OPERATIONS, answerRows } from './datagokr-ops';
import { gatewayError, resultOnly, type GatewayCode, type SimResponse } from './envelopes';
import { normalizeDate } from './faults';
import type { SourceHandler } from './source';

export interface DatagokrHandlerOptions {
  keys: ReadonlySet<string>;
  service: StockPriceService;
  today: () => IsoDate;
  /** The fault plan's rps token bucket; false means over it. */
  bucket: () => boolean;
  onBucketRefusal: () => void;
}

const GATEWAY_CODES = new Set(['20', '22', '23', '30']);

/** A resultCode as the real API sends it: the gateway's XML envelope for its own codes, the service's header otherwise. */
function codeAnswer(code: string, params: URLSearchParams): SimResponse {
  if (GATEWAY_CODES.has(code)) return gatewayError(Number(code) as GatewayCode, code === '20' || code === '30' ? 401 : 200);
  return resultOnly(code, requestFormat(params));
}

export function datagokrHandler(o: DatagokrHandlerOptions): SourceHandler {
  const known = new Set([STOCK_PRICE_PATH, ...ROW_OPERATIONS.map((op) => op.path)]);
  return {
    admit(req) {
      const format = requestFormat(req.params);
      // Wrong operation paths are a service error (12), not a gateway one: the key is never looked at.
      if (!known.has(req.url.pathname)) return { refuse: resultOnly('12', format) };
      const key = req.params.get('serviceKey');
      if (!key) return { refuse: gatewayError(20, 401) };
      if (!o.keys.has(key)) return { refuse: gatewayError(30, 401) };
      if (!o.bucket()) {
        o.onBucketRefusal();
        return { refuse: gatewayError(23, 200) };
      }
      return { key };
    },
    date(req) {
      const basDt = req.params.get('basDt');
      return basDt ? normalizeDate(basDt) : undefined;
    },
    answers(req) {
      const params = req.params;
      const format = requestFormat(params);
      let normal: () => SimResponse;
      let closed: () => SimResponse;
      if (req.url.pathname === STOCK_PRICE_PATH) {
        const query = parseStockPriceQuery(params);
        normal = () => (query ? o.service.answer(query) : invalidRequest(format));
        closed = () => (query ? o.service.closedAnswer(query) : invalidRequest(format));
      } else {
        const op = ROW_OPERATIONS.find((x) => x.path === req.url.pathname)!;
        normal = () => answerRows(op, params, format, o.today()) ?? invalidRequest(format);
        closed = () => resultOnly('03', format);
      }
      return {
        normal,
        closed,
        noData: () => resultOnly('03', format),
        code: (code) => codeAnswer(code, params),
        quota: () => gatewayError(22, 200),
        tps: () => gatewayError(23, 200),
        auth: () => gatewayError(30, 401),
        appError: () => resultOnly('01', format),
      };
    },
  };
}
