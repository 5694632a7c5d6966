/**
 * Routes the Temporal runtime's logs (Core, worker, workflow `log` calls) into pino, so that
 * one JSON stream holds everything. Must run before any worker or native connection exists.
 */
import { DefaultLogger, type LogLevel, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { Logger } from '../config/logger';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Worker lifecycle lines that say nothing new once per task queue: the jobs worker runs one
 * activity-only worker per service and scope, and would print each of these a dozen times at start.
 * They go to debug, not away.
 */
const LIFECYCLE_NOISE = [/^No Nexus services registered/, /^No workflows registered, not polling/, /^No activities registered, not polling/, /^Worker state changed/];

let installed = false;

export interface RuntimeOptions {
  /**
   * host:port of the SDK's Prometheus exporter (worker and client metrics, `temporal_` prefix).
   * There is one Runtime per process, so whoever installs it decides; the jobs worker sets it.
   */
  prometheusBindAddress?: string;
}

export function installTemporalRuntime(logger: Logger, level: LogLevel = 'INFO', opts: RuntimeOptions = {}): void {
  if (installed) return;
  installed = true;
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const level = LIFECYCLE_NOISE.some((re) => re.test(entry.message)) ? 'debug' : PINO_LEVEL[entry.level];
      logger[level]({ ...entry.meta, temporal: true }, entry.message);
    }),
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) },
      ...(opts.prometheusBindAddress
        ? { metrics: { prometheus: { bindAddress: opts.prometheusBindAddress, useSecondsForDurations: true }, metricPrefix: 'temporal_' } }
        : {}),
    },
    shutdownSignals: ['SIGINT', 'SIGTERM'],
  });
}
