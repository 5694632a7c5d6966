/**
 * Prometheus metrics of the collection worker, served by workers/main.ts on COLLECTION_METRICS_PORT (9466)
 * through the same server as the jobs worker's (workers/metrics-server.ts):
 *
 *   collection_rows_written_total{chain,step}            rows each finished step wrote (the step log's rowsWritten)
 *   source_requests_total{source,endpoint,status}         requests by HTTP status ("none": no answer came)
 *   source_request_duration_seconds{source}               request latency (histogram)
 *   source_failures_total{source,class,code}              the source failures activities ended with (counted by
 *                                                         workers/source-failure-alerts.ts)
 *   source_quota_used{quota_key}, source_quota_limit{…}   today's (KST) counts of the shared budget, read on each scrape
 *   activity_duration_seconds{activity,status}            every activity attempt (histogram)
 *
 * Labels stay bounded: a step is named by its kind ("prices", not "prices 2026-12-04"), never by dates,
 * tickers or company codes.
 */
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ActivityDeps } from '../activities/deps';
import { FAILURE_TYPES } from '../activities/failures';
import { SourceClients } from '../activities/source-clients';
import { type StepObserver, type StepRef, stepObserver } from '../activities/step-log';
import { logger } from '../config/logger';
import { type QuotaUsage, quotaUsageToday } from '../db/source-budget';
import { QUOTA_WAIT_FAILURE } from '../shared/quota-wait';
import type { RequestEvent } from '../sources/request-hooks';

/** The failure class of each failure type (activities/failures.ts), and the durable quota wait. */
const CLASS_OF_TYPE: Record<string, string> = {
  ...Object.fromEntries(Object.entries(FAILURE_TYPES).map(([failureClass, type]) => [type, failureClass])),
  [QUOTA_WAIT_FAILURE]: 'quota-wait',
};

/** The clients' SourceError ids that differ from the budget's source ids (source-clients.ts), which the labels use. */
const SOURCE_ALIASES: Record<string, string> = { 'data.go.kr': 'datagokr', krx: 'krx-data' };

const sourceLabel = (source: string) => SOURCE_ALIASES[source] ?? source;

/** A step's kind: its name up to the first word with a digit (dates, years, corp codes, tickers). */
export function stepKind(step: string): string {
  const words = step.split(' ');
  const firstVariable = words.findIndex((w) => /\d/.test(w));
  return words.slice(0, firstVariable === -1 ? words.length : firstVariable).join(' ') || 'unnamed';
}

/** A source's status code as a label: its own short codes ("01", "HTTP500", "NETWORK"), anything else "other". */
const codeLabel = (code: string | undefined) => (!code ? 'none' : /^[\w.-]{1,24}$/.test(code) ? code : 'other');

export class CollectionMetrics implements StepObserver {
  readonly registry = new Registry();
  readonly rowsWritten = this.counter('collection_rows_written_total', 'Rows written by the collection steps that finished, by chain and step kind', ['chain', 'step']);
  readonly sourceRequests = this.counter('source_requests_total', 'Requests to the sources by source, endpoint and HTTP status ("none" when no answer came)', ['source', 'endpoint', 'status']);
  readonly sourceRequestDuration = this.histogram('source_request_duration_seconds', 'Latency of the requests to the sources, from sending to the answer read', ['source'],
    [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]);
  readonly sourceFailures = this.counter('source_failures_total', "Source failures that activity attempts ended with, by source, failure class and the source's code", ['source', 'class', 'code']);
  readonly activityDuration = this.histogram('activity_duration_seconds', "Duration of the collection worker's activity attempts, by activity type and outcome", ['activity', 'status'],
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600]);
  readonly quotaUsed = this.quotaGauge('source_quota_used', 'Calls counted today (KST) against each daily quota, across all workers', (q) => q.used);
  readonly quotaLimit = this.quotaGauge('source_quota_limit', 'The daily limit of each quota counted today (KST)', (q) => q.dailyLimit);
  private quotaRead: Promise<QuotaUsage[]> | undefined;

  /** `readQuotas` answers today's counts at each scrape; without it the quota gauges stay empty. */
  constructor(private readonly readQuotas: () => Promise<QuotaUsage[]> = async () => []) {}

  stepDone(ref: StepRef, rowsWritten: number): void {
    this.rowsWritten.inc({ chain: ref.chain, step: stepKind(ref.step) }, rowsWritten);
  }

  /** The source clients' onRequest hook (activities/source-clients.ts). */
  readonly sourceRequest = (source: string, e: RequestEvent): void => {
    const label = sourceLabel(source);
    this.sourceRequests.inc({ source: label, endpoint: e.endpoint, status: e.httpStatus === null ? 'none' : String(e.httpStatus) });
    this.sourceRequestDuration.observe({ source: label }, e.ms / 1000);
  };

  /** One source failure, as activities/failures.ts typed it. */
  sourceFailure(source: string, failureType: string | null | undefined, code: string | undefined): void {
    this.sourceFailures.inc({ source: sourceLabel(source), class: CLASS_OF_TYPE[failureType ?? ''] ?? 'other', code: codeLabel(code) });
  }

  /** Both quota gauges ask once per scrape: prom-client collects the metrics of a registry concurrently. */
  private quotas(): Promise<QuotaUsage[]> {
    this.quotaRead ??= this.readQuotas().finally(() => {
      this.quotaRead = undefined;
    });
    return this.quotaRead;
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  private quotaGauge(name: string, help: string, value: (q: QuotaUsage) => number): Gauge<'quota_key'> {
    const gauge: Gauge<'quota_key'> = new Gauge({
      name,
      help,
      labelNames: ['quota_key'],
      registers: [this.registry],
      collect: async () => {
        const quotas = await this.quotas();
        gauge.reset();
        for (const q of quotas) gauge.set({ quota_key: q.quotaKey }, value(q));
      },
    });
    return gauge;
  }
}

/**
 * `deps` with the collection metrics on: `metrics` set (the worker adds activityMetrics and the failure counts),
 * source clients that report each request, and quota gauges read from deps' database on deps' clock.
 */
export function withCollectionMetrics(deps: ActivityDeps): ActivityDeps & { metrics: CollectionMetrics } {
  const metrics = new CollectionMetrics(() =>
    quotaUsageToday(deps.db, deps.now).catch((err: unknown) => {
      logger.warn({ err: (err as Error).message }, 'could not read the quota counts for /metrics');
      return [];
    }),
  );
  return { ...deps, metrics, sources: new SourceClients(deps.cfg, deps.db, deps.now, { onRequest: metrics.sourceRequest }) };
}

/** Times every activity attempt, and lets the step log report the rows each step wrote (activities/step-log.ts). */
export function activityMetrics(metrics: CollectionMetrics): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const end = metrics.activityDuration.startTimer({ activity: ctx.info.activityType });
        let status = 'failed';
        try {
          const result = await stepObserver.run(metrics, () => next(input));
          status = 'succeeded';
          return result;
        } catch (err) {
          if (ctx.cancellationSignal.aborted) status = 'cancelled';
          else if (err instanceof ApplicationFailure && err.type === QUOTA_WAIT_FAILURE) status = 'quota-wait';
          throw err;
        } finally {
          end({ status });
        }
      },
    },
  });
}
