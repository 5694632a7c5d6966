/**
 * Prometheus metrics of the service jobs (seed 002's jennie_job_duration_seconds and
 * jennie_job_runs_total, without the prefix), served together with the Temporal SDK's own metrics.
 *
 *   METRICS_PORT (9464)      /metrics on METRICS_HOST (127.0.0.1): job_duration_seconds, job_runs_total, then the SDK's temporal_* metrics
 *   METRICS_SDK_PORT (9465)  the SDK's exporter itself (Runtime telemetry, 127.0.0.1 only), which /metrics reads
 */
import { Counter, Histogram, Registry } from 'prom-client';
import type { RunObserver } from '../activities/jobs/runs';
import { DEFAULT_METRICS_HOST, type MetricsServer, serveMetrics } from './metrics-server';

const LABELS = ['job_id', 'scope', 'trigger_source', 'status'] as const;

export class JobMetrics implements RunObserver {
  readonly registry = new Registry();
  readonly runs = new Counter({ name: 'job_runs_total', help: 'Service job runs by job, scope, trigger and final status', labelNames: LABELS, registers: [this.registry] });
  readonly duration = new Histogram({
    name: 'job_duration_seconds',
    help: 'Duration of service job runs, from the run record to its end',
    labelNames: LABELS,
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
    registers: [this.registry],
  });

  observeRun(labels: Record<(typeof LABELS)[number], string>, durationSec: number): void {
    this.runs.inc(labels);
    this.duration.observe(labels, durationSec);
  }

  /** The value of job_runs_total for these labels (0 when never counted). */
  async runCount(labels: Partial<Record<(typeof LABELS)[number], string>>): Promise<number> {
    const { values } = await this.runs.get();
    return values.filter((v) => Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want)).reduce((n, v) => n + v.value, 0);
  }
}

/** The jobs worker's /metrics (workers/metrics-server.ts), with the SDK exporter's text appended when `sdkUrl` answers. */
export function startMetricsServer(metrics: JobMetrics, port: number, sdkUrl?: string, host = DEFAULT_METRICS_HOST): Promise<MetricsServer> {
  return serveMetrics(metrics.registry, { port, host, appendUrl: sdkUrl });
}
