/**
 * What the HTTP APIs share (node:http, no framework): the report API (api/server.ts) and the jobs
 * API (api/jobs-api.ts). A JSON reply for every request, HttpError for the expected failures, the
 * bearer-token check (constant time), and one log line per request that never holds the
 * Authorization header.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../config/logger';

/** A reply: `body` is sent as JSON, except a string or Buffer, sent as it is (give its content-type in `headers`). */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A route of a server: its reply, or undefined when the request is not its own. */
export type Route = (req: http.IncomingMessage, url: URL) => Promise<Reply | undefined>;

/** An expected failure: its status and `{"error": …, "detail": …}` (plus `body`'s fields) as the reply. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly detail?: string,
    readonly extra: { body?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? error);
  }

  reply(): Reply {
    return { status: this.status, body: { error: this.error, ...(this.detail ? { detail: this.detail } : {}), ...this.extra.body }, headers: this.extra.headers };
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * The check of `Authorization: Bearer <token>`: throws a 401 HttpError unless the request carries
 * the token. Both sides are hashed first, so timingSafeEqual compares equal lengths.
 */
export function bearerAuth(token: string, realm: string): (req: http.IncomingMessage) => void {
  const expected = digest(token);
  return (req) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (m !== null && timingSafeEqual(digest(m[1]!), expected)) return;
    throw new HttpError(401, 'unauthorized', 'send the API token as "Authorization: Bearer <token>"', {
      headers: { 'www-authenticate': `Bearer realm="${realm}"` },
    });
  };
}

/** The request's JSON body; undefined when it has none. Bad JSON: 400; more than `limitBytes`: 413. */
export async function readJsonBody(req: http.IncomingMessage, limitBytes = 1 << 20): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new HttpError(413, 'body too large', `the request body is over ${limitBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(400, 'invalid JSON', `the request body is not JSON: ${(err as Error).message}`);
  }
}

export interface JsonServerOptions {
  /** For the log lines: "report API", "jobs API". */
  name: string;
  host: string;
  port: number;
  logger: Logger;
  handle(req: http.IncomingMessage, url: URL): Promise<Reply>;
  /** Maps the handler's own error types to replies; HttpError is mapped here, anything else is a 500. */
  errorReply?(err: unknown): Reply | undefined;
  /** Node's limit on a whole request (ms); 0 turns it off. Default Node's (300 s). */
  requestTimeoutMs?: number;
}

export interface JsonServer {
  url: string;
  close(): Promise<void>;
}

export async function startJsonServer(o: JsonServerOptions): Promise<JsonServer> {
  const log = o.logger;
  const server = http.createServer((req, res) => {
    const started = Date.now();
    Promise.resolve()
      .then(() => o.handle(req, new URL(req.url ?? '/', 'http://localhost')))
      .catch((err: unknown): Reply => {
        if (err instanceof HttpError) return err.reply();
        const mapped = o.errorReply?.(err);
        if (mapped) return mapped;
        log.error({ err }, `${o.name} request failed`);
        return { status: 500, body: { error: 'internal error', detail: err instanceof Error ? err.message : String(err) } };
      })
      .then(({ status, body, headers }) => {
        const raw = typeof body === 'string' || Buffer.isBuffer(body);
        res.writeHead(status, { 'content-type': raw ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
        res.end(raw ? body : JSON.stringify(body, null, 2) + '\n');
        // Method, path and query only: the Authorization header is never logged.
        log.info({ method: req.method, path: req.url, status, ms: Date.now() - started }, o.name);
      });
  });
  if (o.requestTimeoutMs !== undefined) server.requestTimeout = o.requestTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The end of an API process: on SIGINT or SIGTERM, close what `close` closes, then exit. */
export function closeOnSignals(close: () => Promise<void>): void {
  const stop = async () => {
    await close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
