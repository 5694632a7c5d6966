/**
 * The demo services' only source: the simulator's data.go.kr stock price route, read with a few
 * small requests. Harmless and visible: every request shows in the simulator's /__sim/stats.
 */
import { addDays, compactDate, kstDate, tradingDayOnOrBefore } from '../../calendar/trading-calendar';
import { SIMULATOR_DATAGOKR_KEY } from '../../config/simulator-endpoints';

const PRICE_PATH = '/1160100/service/GetStockSecuritiesInfoService/getStockPriceInfo';

export interface Quote {
  ticker: string;
  name: string;
  market: string;
  close: number;
  changePct: number;
  volume: number;
  date: string;
}

/** The last KRX session before today in Korea, as YYYYMMDD: a session the simulator has published at any hour. */
export function lastSessionKst(nowMs: number): string {
  return compactDate(tradingDayOnOrBefore(addDays(kstDate(nowMs), -1)));
}

type Row = Record<string, string>;

function toQuote(r: Row): Quote {
  const num = (v: string | undefined) => Number(v ?? 'NaN');
  return { ticker: r.srtnCd ?? '', name: r.itmsNm ?? '', market: r.mrktCtg ?? '', close: num(r.clpr), changePct: num(r.fltRt), volume: num(r.trqu), date: r.basDt ?? '' };
}

/** Quotes of one session: for `ticker` alone, or the first `rows` of `market` (KOSPI/KOSDAQ). */
export async function fetchQuotes(baseUrl: string, q: { basDt: string; ticker?: string; market?: string; rows?: number }): Promise<Quote[]> {
  const url = new URL(PRICE_PATH, baseUrl);
  url.searchParams.set('serviceKey', SIMULATOR_DATAGOKR_KEY);
  url.searchParams.set('resultType', 'json');
  url.searchParams.set('basDt', q.basDt);
  url.searchParams.set('numOfRows', String(q.rows ?? 10));
  url.searchParams.set('pageNo', '1');
  if (q.ticker) url.searchParams.set('likeSrtnCd', q.ticker);
  if (q.market) url.searchParams.set('mrktCls', q.market);
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`simulator answered HTTP ${res.status} for ${url.pathname}`);
  const body = (await res.json()) as { response?: { header?: { resultCode?: string; resultMsg?: string }; body?: { items?: { item?: Row[] } | '' } } };
  const code = body.response?.header?.resultCode;
  if (code !== '00') throw new Error(`simulator resultCode ${code ?? '?'}: ${body.response?.header?.resultMsg ?? 'no message'}`);
  const items = body.response?.body?.items;
  return items && typeof items === 'object' ? (items.item ?? []).map(toQuote) : [];
}
