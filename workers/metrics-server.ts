/**
 * The Prometheus endpoint of a worker process, the same for the jobs worker (workers/job-metrics.ts) and
 * the collection worker (workers/collection-metrics.ts): GET /metrics answers the registry's text, followed
 * by another exporter's text when `appendUrl` is given (the Temporal SDK's own, see workers/runtime.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** METRICS_HOST's default: loopback, like the report API; containers set 0.0.0.0. */
export const DEFAULT_METRICS_HOST = '127.0.0.1';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  /** 0 = any free port (the URL says which). */
  port: number;
  host?: string;
  /** Another exporter's /metrics, appended to each answer when it answers. */
  appendUrl?: string;
}

export async function serveMetrics(registry: Registry, o: MetricsServerOptions): Promise<MetricsServer> {
  const host = o.host ?? DEFAULT_METRICS_HOST;
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end('see /metrics\n');
      return;
    }
    void (async () => {
      let text = await registry.metrics();
      if (o.appendUrl) {
        try {
          const more = await fetch(o.appendUrl, { signal: AbortSignal.timeout(2000) });
          if (more.ok) text += `\n${await more.text()}`;
        } catch {
          text += `\n# ${o.appendUrl} did not answer\n`;
        }
      }
      res.writeHead(200, { 'content-type': registry.contentType }).end(text);
    })().catch((err: unknown) => res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${reachable}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
