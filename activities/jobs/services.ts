/**
 * The demo services of seed 002's example jobs. Each runs as the activity `runServiceJob` on its own
 * task queue `{scope}.jobs.{service}`, and does visible, harmless work against the simulator: a few
 * price requests, a log line, a result that the run row keeps as its summary.
 *
 * Every service also understands three test parameters, so that runs can be made slow or failing
 * on purpose: `sleep_ms` (hold the run), `fail_attempts` (fail that many attempts first; -1 = every
 * attempt) and `next_delay_sec` (queue mode: the delay the run asks for).
 */
import { activityInfo, sleep } from '@temporalio/activity';
import { ApplicationFailure, type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Logger } from '../../config/logger';
import {
  PRICE_MONITOR, PRICE_MONITOR_WORKFLOW_ID, type JobScope, type PriceMonitorInput, serviceQueue, type ServiceJobInput, type ServiceJobResult,
} from '../../shared/jobs';
import type { Clock } from '../../shared/clock';
import { fetchQuotes, lastSessionKst, type Quote } from './market';

export interface ServiceContext {
  scope: JobScope;
  /** The simulator's base URL; without one the services log what they would do and return. */
  simulatorUrl?: string;
  /** A client of the scope's namespace (price-monitor signals its workflow with it). */
  client: Client;
  log: Logger;
  /** The calendar clock: which session is the last one. */
  now: Clock;
}

export interface JobService {
  description: string;
  /** Problems with a job's default_params, checked with the catalog. */
  paramProblems(params: Record<string, unknown>): string[];
  run(input: ServiceJobInput, ctx: ServiceContext): Promise<ServiceJobResult>;
}

const tickersOf = (params: Record<string, unknown>, fallback: string[]): string[] =>
  Array.isArray(params.tickers) ? params.tickers.map(String) : fallback;

function tickerProblems(params: Record<string, unknown>): string[] {
  if (params.tickers === undefined) return [];
  return Array.isArray(params.tickers) && params.tickers.every((t) => typeof t === 'string' && /^[0-9A-Z]{6}$/.test(t))
    ? []
    : ['tickers must be a list of 6-character ticker codes such as "005930"'];
}

async function quotesFor(ctx: ServiceContext, tickers: string[]): Promise<Quote[]> {
  if (!ctx.simulatorUrl) return [];
  const basDt = lastSessionKst(ctx.now());
  const out: Quote[] = [];
  for (const t of tickers) out.push(...(await fetchQuotes(ctx.simulatorUrl, { basDt, ticker: t, rows: 1 })));
  return out;
}

const buyScanner: JobService = {
  description: 'scans tickers and logs the ones that fell more than 1% as buy candidates',
  paramProblems: tickerProblems,
  async run(input, ctx) {
    const tickers = tickersOf(input.params, ['005930']);
    const quotes = await quotesFor(ctx, tickers);
    const candidates = quotes.filter((q) => q.changePct <= -1).map((q) => `${q.ticker} ${q.name} ${q.changePct}%`);
    ctx.log.info({ jobId: input.jobId, scope: input.scope, runId: input.runId, scanned: quotes.length, candidates }, '매수 스캔 완료');
    return { summary: `scanned ${quotes.length} of ${tickers.length} tickers (${String(input.params.scan_mode ?? 'default')}), ${candidates.length} candidates`, details: { candidates } };
  },
};

const scout: JobService = {
  description: "ranks the session's biggest KOSPI movers",
  paramProblems: (p) => (p.top === undefined || (Number.isInteger(p.top) && (p.top as number) > 0) ? [] : ['top must be a positive whole number']),
  async run(input, ctx) {
    const top = Number(input.params.top ?? 5);
    const rows = ctx.simulatorUrl ? await fetchQuotes(ctx.simulatorUrl, { basDt: lastSessionKst(ctx.now()), market: 'KOSPI', rows: 100 }) : [];
    const movers = rows.sort((a, b) => Math.abs(b.changePct) - Math.abs(a.changePct)).slice(0, top).map((q) => `${q.ticker} ${q.changePct}%`);
    ctx.log.info({ jobId: input.jobId, scope: input.scope, runId: input.runId, movers }, 'Scout 완료');
    return { summary: `looked at ${rows.length} KOSPI stocks, top ${movers.length} movers: ${movers.join(', ')}`, details: { movers } };
  },
};

const newsCrawler: JobService = {
  description: "writes a headline for each of the session's top movers (the demo's stand-in for crawling)",
  paramProblems: () => [],
  async run(input, ctx) {
    const rows = ctx.simulatorUrl ? await fetchQuotes(ctx.simulatorUrl, { basDt: lastSessionKst(ctx.now()), market: 'KOSDAQ', rows: 50 }) : [];
    const headlines = rows
      .sort((a, b) => b.changePct - a.changePct)
      .slice(0, 3)
      .map((q) => `${q.name}(${q.ticker}) ${q.changePct >= 0 ? '상승' : '하락'} ${Math.abs(q.changePct)}%`);
    ctx.log.info({ jobId: input.jobId, scope: input.scope, runId: input.runId, headlines }, '뉴스 크롤링 완료');
    return { summary: `${headlines.length} headlines`, details: { headlines } };
  },
};

const priceMonitor: JobService = {
  description: 'starts (signal start) or stops (signal stop) the long-running price-monitor workflow',
  paramProblems: (p) => {
    const out = tickerProblems(p);
    if (p.action !== 'start' && p.action !== 'stop') out.push('action must be "start" or "stop"');
    if (p.poll_sec !== undefined && !(Number.isInteger(p.poll_sec) && (p.poll_sec as number) >= 1)) out.push('poll_sec must be a whole number of seconds ≥ 1');
    return out;
  },
  async run(input, ctx) {
    if (input.params.action === 'start') {
      const monitor: PriceMonitorInput = { scope: ctx.scope, tickers: tickersOf(input.params, ['005930']), pollSec: Number(input.params.poll_sec ?? 60) };
      // Starts the monitor if it is not running, and signals it either way: a second start is a no-op for it.
      const handle = await ctx.client.workflow.signalWithStart(PRICE_MONITOR.workflowType, {
        workflowId: PRICE_MONITOR_WORKFLOW_ID,
        taskQueue: serviceQueue(ctx.scope, 'price-monitor'),
        args: [monitor],
        signal: PRICE_MONITOR.start,
        signalArgs: [{ runId: input.runId }],
      });
      ctx.log.info({ jobId: input.jobId, scope: input.scope, workflowId: handle.workflowId }, 'Price Monitor 시작');
      return { summary: `price monitor running (workflow ${handle.workflowId}, run ${handle.signaledRunId})` };
    }
    try {
      await ctx.client.workflow.getHandle(PRICE_MONITOR_WORKFLOW_ID).signal(PRICE_MONITOR.stop, { runId: input.runId });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { summary: 'price monitor was not running; nothing to stop' };
      throw err;
    }
    ctx.log.info({ jobId: input.jobId, scope: input.scope }, 'Price Monitor 종료');
    return { summary: `price monitor told to stop (workflow ${PRICE_MONITOR_WORKFLOW_ID})` };
  },
};

export const JOB_SERVICES: Record<string, JobService> = {
  'buy-scanner': buyScanner,
  scout,
  'price-monitor': priceMonitor,
  'news-crawler': newsCrawler,
};

/** The activity each service worker registers: the service's work behind the scope check and test parameters. */
export function createServiceActivities(service: string, ctx: ServiceContext) {
  const impl = JOB_SERVICES[service];
  if (!impl) throw new Error(`no service "${service}"; services: ${Object.keys(JOB_SERVICES).join(', ')}`);
  return {
    async runServiceJob(input: ServiceJobInput): Promise<ServiceJobResult> {
      // Scopes never share a namespace or a queue, so this cannot happen unless a queue is misnamed; refuse loudly.
      if (input.scope !== ctx.scope || input.service !== service) {
        throw ApplicationFailure.nonRetryable(
          `a ${input.scope} job for "${input.service}" reached the ${ctx.scope} worker of "${service}"; refused`, 'ScopeMismatch',
        );
      }
      const p = input.params;
      if (typeof p.sleep_ms === 'number' && p.sleep_ms > 0) await sleep(p.sleep_ms);
      const failAttempts = typeof p.fail_attempts === 'number' ? p.fail_attempts : 0;
      const attempt = activityInfo().attempt;
      if (failAttempts < 0 || attempt <= failAttempts) {
        throw ApplicationFailure.retryable(`demo failure of ${input.jobId} (attempt ${attempt}, fail_attempts=${failAttempts})`, 'DemoFailure');
      }
      const result = await impl.run(input, ctx);
      return typeof p.next_delay_sec === 'number' ? { ...result, nextDelaySec: p.next_delay_sec } : result;
    },
  };
}

export type ServiceActivities = ReturnType<typeof createServiceActivities>;

/** The price monitor's own activity: one look at its tickers, on the price-monitor queue. */
export function createPriceMonitorActivities(ctx: ServiceContext) {
  return {
    async samplePrices(input: { tickers: string[] }): Promise<{ quotes: number; moves: string[] }> {
      const quotes = await quotesFor(ctx, input.tickers);
      const moves = quotes.map((q) => `${q.ticker} ${q.close} (${q.changePct}%)`);
      ctx.log.info({ scope: ctx.scope, moves }, 'Price Monitor 시세 확인');
      return { quotes: quotes.length, moves };
    },
  };
}

export type PriceMonitorActivities = ReturnType<typeof createPriceMonitorActivities>;
