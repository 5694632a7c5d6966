/**
 * The services a job catalog entry may name in its queue `{scope}.jobs.{service}` (seed 002), what each
 * accepts in `default_params`, and the activities a service's worker serves. The catalog checks entries
 * against this list; the jobs worker runs whatever implementations it is given (workers/jobs-worker.ts).
 * Production code ships none: the demo implementations of these four are in dev/job-services/.
 */
import type { ServiceJobInput, ServiceJobResult } from './jobs';

export interface JobServiceSpec {
  description: string;
  /** Problems with a job's default_params, checked with the catalog. */
  paramProblems(params: Record<string, unknown>): string[];
}

function tickerProblems(params: Record<string, unknown>): string[] {
  if (params.tickers === undefined) return [];
  return Array.isArray(params.tickers) && params.tickers.every((t) => typeof t === 'string' && /^[0-9A-Z]{6}$/.test(t))
    ? []
    : ['tickers must be a list of 6-character ticker codes such as "005930"'];
}

export const JOB_SERVICES: Record<string, JobServiceSpec> = {
  'buy-scanner': {
    description: 'scans tickers and logs the ones that fell more than 1% as buy candidates',
    paramProblems: tickerProblems,
  },
  scout: {
    description: "ranks the session's biggest KOSPI movers",
    paramProblems: (p) => (p.top === undefined || (Number.isInteger(p.top) && (p.top as number) > 0) ? [] : ['top must be a positive whole number']),
  },
  'price-monitor': {
    description: 'starts (signal start) or stops (signal stop) the long-running price-monitor workflow',
    paramProblems: (p) => {
      const out = tickerProblems(p);
      if (p.action !== 'start' && p.action !== 'stop') out.push('action must be "start" or "stop"');
      if (p.poll_sec !== undefined && !(Number.isInteger(p.poll_sec) && (p.poll_sec as number) >= 1)) out.push('poll_sec must be a whole number of seconds ≥ 1');
      return out;
    },
  },
  'news-crawler': {
    description: "writes a headline for each of the session's top movers (the demo's stand-in for crawling)",
    paramProblems: () => [],
  },
};

/** The service that also hosts a workflow on its queue: the long-running price monitor (shared/jobs.ts PRICE_MONITOR). */
export const PRICE_MONITOR_SERVICE = 'price-monitor';

/** The activity every service's worker serves on `{scope}.jobs.{service}`; runJob dispatches each run to it. */
export interface ServiceActivities {
  runServiceJob(input: ServiceJobInput): Promise<ServiceJobResult>;
}

/** The price monitor workflow's own activity, on the price-monitor queue: one look at its tickers. */
export interface PriceMonitorActivities {
  samplePrices(input: { tickers: string[] }): Promise<{ quotes: number; moves: string[] }>;
}
