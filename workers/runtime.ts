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
      logger[PINO_LEVEL[entry.level]]({ ...entry.meta, temporal: true }, entry.message);
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
