/**
 * HTTP plumbing shared by the source clients: a per-process request pacer, and the one request
 * function (httpRequestBytes, with httpRequest reading the body as text) that applies the
 * timeout and maps network failures to the retryable class. Keys never reach a log line:
 * callers log `redactUrl(url)` only.
 */
import { SourceError } from './errors';

/**
 * What a client awaits before each request. RequestPacer spaces one process's calls; the
 * budget in db/source-budget.ts spaces and counts every worker's calls through PostgreSQL.
 */
export interface Pacer {
  wait(): Promise<void>;
}

/** Spaces requests evenly at `rps` per second within this process. */
export class RequestPacer implements Pacer {
  private nextSlot = 0;
  constructor(private readonly rps: number) {}

  async wait(): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / this.rps;
    if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
  }
}

const SECRET_PARAMS = ['serviceKey', 'crtfc_key', 'auth', 'apikey', 'api_key', 'AUTH_KEY'];

export function redactUrl(url: string | URL): string {
  const u = new URL(url.toString());
  for (const p of SECRET_PARAMS) if (u.searchParams.has(p)) u.searchParams.set(p, 'REDACTED');
  return u.toString().replace(/REDACTED/g, '***');
}

/** An answer with its body as it came, for a client that reads bytes (DART's corpCode.xml is a ZIP). */
export interface HttpBytesAnswer {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
}

/** An answer with its body decoded as UTF-8, the charset every source answers in. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

export async function httpGet(source: string, url: URL, timeoutMs: number, signal?: AbortSignal): Promise<HttpAnswer> {
  return httpRequest(source, url, { headers: { accept: 'application/json, text/xml;q=0.9' } }, timeoutMs, signal);
}

export interface HttpRequestInit {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A form body is sent as application/x-www-form-urlencoded. */
  body?: URLSearchParams;
  /** 'manual' hands 3xx answers to the caller (a client that keeps cookies follows them itself). */
  redirect?: 'follow' | 'manual';
  /** Prefixes a failure's message, for a client whose URL alone does not say which call failed. */
  endpoint?: string;
}

/**
 * The one request every source client sends, text or bytes: the timeout covers reading the
 * body (a server that stalls mid-download times out too), and a request that got no answer is
 * classified by requestFailure. Pacing and the request hooks wrap it (request-hooks.ts), once per
 * logical call, so a client that follows redirects itself is paced and counted once.
 */
export async function httpRequestBytes(source: string, url: URL, init: HttpRequestInit, timeoutMs: number, signal?: AbortSignal): Promise<HttpBytesAnswer> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    const res = await fetch(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body, redirect: init.redirect ?? 'follow', signal: combined });
    return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
  } catch (err) {
    if (signal?.aborted) throw err; // cancellation is not a source failure
    throw requestFailure(source, url, err, timeout.aborted ? timeoutMs : undefined, init.endpoint);
  }
}

/** httpRequestBytes with the body as text. */
export async function httpRequest(source: string, url: URL, init: HttpRequestInit, timeoutMs: number, signal?: AbortSignal): Promise<HttpAnswer> {
  const answer = await httpRequestBytes(source, url, init, timeoutMs, signal);
  return { status: answer.status, headers: answer.headers, body: decodeText(answer.bytes) };
}

const UTF8 = new TextDecoder('utf-8');

/** A body as text, the way fetch's Response.text() reads it: UTF-8, a BOM dropped, invalid bytes replaced rather than thrown. */
export function decodeText(bytes: Uint8Array): string {
  return UTF8.decode(bytes);
}

/**
 * A request that got no answer: retryable, as TIMEOUT when our timeout (`timedOutAfterMs`) cut it,
 * else as NETWORK (refused, reset, DNS). Seed 001 Part 3.3 retries the two differently: a timeout
 * like a 5xx (backoff), a network error every 10 s (activities/failures.ts).
 */
function requestFailure(source: string, url: URL, err: unknown, timedOutAfterMs?: number, endpoint?: string): SourceError {
  const e = err as Error & { cause?: { code?: string } };
  const where = `${endpoint ? `${endpoint}: ` : ''}request to ${redactUrl(url)} failed`;
  if (timedOutAfterMs !== undefined) return new SourceError(source, 'retryable', `${where}: timed out after ${timedOutAfterMs} ms`, 'TIMEOUT');
  return new SourceError(source, 'retryable', `${where}: ${e.cause?.code ?? e.name}: ${e.message}`, 'NETWORK');
}

/** Retry-After in ms (seconds or an HTTP date), or undefined. */
export function retryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const v = headers.get('retry-after');
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
