/**
 * The demo implementations of seed 002's example services (shared/job-services.ts names them and checks
 * their params). Each runs as the activity `runServiceJob` on its own task queue `{scope}.jobs.{service}`,
 * and does visible, harmless work against the simulator: a few price requests, a log line, a result that
 * the run row keeps as its summary. Dev tooling: the jobs worker gets them from dev/job-services/main.ts,
 * `npm run dev` and the tests, never from production code.
 *
 * Every service also understands three test parameters, so that runs can be made slow or failing
 * on purpose: `sleep_ms` (hold the run), `fail_attempts` (fail that many attempts first; -1 = every
 * attempt) and `next_delay_sec` (queue mode: the delay the run asks for).
 */
import { activityInfo, sleep } from '@temporalio/activity';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/client';
import { PRICE_MONITOR, PRICE_MONITOR_WORKFLOW_ID, type PriceMonitorInput, serviceQueue, type ServiceJobInput, type ServiceJobResult } from '../../shared/jobs';
import { PRICE_MONITOR_SERVICE, type PriceMonitorActivities, type ServiceActivities } from '../../shared/job-services';
import type { JobServices, ServiceContext as WorkerServiceContext } from '../../workers/jobs-worker';
import { fetchQuotes, lastSessionKst, type Quote } from './market';

export interface ServiceContext extends WorkerServiceContext {
  /** The simulator's base URL; without one the services log what they would do and return. */
  simulatorUrl?: string;
}

type DemoService = (input: ServiceJobInput, ctx: ServiceContext) => Promise<ServiceJobResult>;

const tickersOf = (params: Record<string, unknown>, fallback: string[]): string[] =>
  Array.isArray(params.tickers) ? params.tickers.map(String) : fallback;

async function quotesFor(ctx: ServiceContext, tickers: string[]): Promise<Quote[]> {
  if (!ctx.simulatorUrl) return [];
  const basDt = lastSessionKst(ctx.now());
  const out: Quote[] = [];
  for (const t of tickers) out.push(...(await fetchQuotes(ctx.simulatorUrl, { basDt, ticker: t, rows: 1 })));
  return out;
}

const buyScanner: DemoService = async (input, ctx) => {
  const tickers = tickersOf(input.params, ['005930']);
  const quotes = await quotesFor(ctx, tickers);
  const candidates = quotes.filter((q) => q.changePct <= -1).map((q) => `${q.ticker} ${q.name} ${q.changePct}%`);
  ctx.log.info({ jobId: input.jobId, scope: input.scope, runId: input.runId, scanned: quotes.length, candidates }, '매수 스캔 완료');
  return { summary: `scanned ${quotes.length} of ${tickers.length} tickers (${String(input.params.scan_mode ?? 'default')}), ${candidates.length} candidates`, details: { candidates } };
};

const scout: DemoService = async (input, ctx) => {
  const top = Number(input.params.top ?? 5);
  const rows = ctx.simulatorUrl ? await fetchQuotes(ctx.simulatorUrl, { basDt: lastSessionKst(ctx.now()), market: 'KOSPI', rows: 100 }) : [];
  const movers = rows.sort((a, b) => Math.abs(b.changePct) - Math.abs(a.changePct)).slice(0, top).map((q) => `${q.ticker} ${q.changePct}%`);
  ctx.log.info({ jobId: input.jobId, scope: input.scope, runId: input.runId, movers }, 'Scout 완료');
  return { summary: `looked at ${rows.length} KOSPI stocks, top ${movers.length} movers: ${movers.join(', ')}`, details: { movers } };
};

const newsCrawler: DemoService = async (input, ctx) => {
  const rows = ctx.simulatorUrl ? await fetchQuotes(ctx.simulatorUrl, { basDt: lastSessionKst(ctx.now()), market: 'KOSDAQ', rows: 50 }) : [];
  const headlines = rows
    .sort((a, b) => b.changePct - a.changePct)
    .slice(0, 3)
    .map((q) => `${q.name}(${q.ticker}) ${q.changePct >= 0 ? '상승' : '하락'} ${Math.abs(q.changePct)}%`);
  ctx.log.info({ jobId: input.jobId, scope: input.scope, runId: input.runId, headlines }, '뉴스 크롤링 완료');
  return { summary: `${headlines.length} headlines`, details: { headlines } };
};

const priceMonitor: DemoService = async (input, ctx) => {
  if (input.params.action === 'start') {
    const monitor: PriceMonitorInput = { scope: ctx.scope, tickers: tickersOf(input.params, ['005930']), pollSec: Number(input.params.poll_sec ?? 60) };
    // Starts the monitor if it is not running, and signals it either way: a second start is a no-op for it.
    const handle = await ctx.client.workflow.signalWithStart(PRICE_MONITOR.workflowType, {
      workflowId: PRICE_MONITOR_WORKFLOW_ID,
      taskQueue: serviceQueue(ctx.scope, PRICE_MONITOR_SERVICE),
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
};

/** One demo per service of shared/job-services.ts. */
export const DEMO_SERVICES: Record<string, DemoService> = {
  'buy-scanner': buyScanner,
  scout,
  [PRICE_MONITOR_SERVICE]: priceMonitor,
  'news-crawler': newsCrawler,
};

/** The activity of one demo service's worker: the service's work behind the test parameters. */
export function createServiceActivities(service: string, ctx: ServiceContext): ServiceActivities {
  const run = DEMO_SERVICES[service];
  if (!run) throw new Error(`no demo service "${service}"; demo services: ${Object.keys(DEMO_SERVICES).join(', ')}`);
  return {
    async runServiceJob(input: ServiceJobInput): Promise<ServiceJobResult> {
      const p = input.params;
      if (typeof p.sleep_ms === 'number' && p.sleep_ms > 0) await sleep(p.sleep_ms);
      const failAttempts = typeof p.fail_attempts === 'number' ? p.fail_attempts : 0;
      const attempt = activityInfo().attempt;
      if (failAttempts < 0 || attempt <= failAttempts) {
        throw ApplicationFailure.retryable(`demo failure of ${input.jobId} (attempt ${attempt}, fail_attempts=${failAttempts})`, 'DemoFailure');
      }
      const result = await run(input, ctx);
      return typeof p.next_delay_sec === 'number' ? { ...result, nextDelaySec: p.next_delay_sec } : result;
    },
  };
}

/** The price monitor's own activity: one look at its tickers, on the price-monitor queue. */
export function createPriceMonitorActivities(ctx: ServiceContext): PriceMonitorActivities {
  return {
    async samplePrices(input) {
      const quotes = await quotesFor(ctx, input.tickers);
      const moves = quotes.map((q) => `${q.ticker} ${q.close} (${q.changePct}%)`);
      ctx.log.info({ scope: ctx.scope, moves }, 'Price Monitor 시세 확인');
      return { quotes: quotes.length, moves };
    },
  };
}

/**
 * The demo services as the jobs worker takes them (workers/jobs-worker.ts `JobServices`): every one, or
 * the `only` ones, reading the simulator at `simulatorUrl`.
 */
export function demoJobServices(o: { simulatorUrl?: string; only?: string[] } = {}): JobServices {
  const services = o.only ?? Object.keys(DEMO_SERVICES);
  return Object.fromEntries(
    services.map((service) => [
      service,
      (worker: WorkerServiceContext) => {
        const ctx: ServiceContext = { ...worker, simulatorUrl: o.simulatorUrl };
        const activities = createServiceActivities(service, ctx);
        return service === PRICE_MONITOR_SERVICE ? { ...activities, ...createPriceMonitorActivities(ctx) } : activities;
      },
    ]),
  );
}
