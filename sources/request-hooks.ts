/**
 * The hooks a client offers its caller around each request, the same for every source: a gate
 * before (where a shared daily quota plugs in) and an event after (logs, counters).
 */
import { type Pacer, redactUrl } from './http';

/** Called right before each request; may throw, e.g. a rate-limited SourceError when the daily quota is spent. */
export type BeforeRequest = (endpoint: string) => Promise<void> | void;

export interface RequestEvent {
  endpoint: string;
  /** Secrets replaced by *** (redactUrl). */
  url: string;
  /** null when no HTTP answer came (timeout, reset). */
  httpStatus: number | null;
  ms: number;
}

export type OnRequest = (event: RequestEvent) => void;

export interface RequestHooks {
  pacer: Pacer;
  beforeRequest?: BeforeRequest;
  onRequest?: OnRequest;
}

/**
 * One request the way every client makes it: wait for the pacer, let the gate refuse, send, and
 * report it (with the status, or null when no answer came) whatever happens next. `loggedUrl` is
 * read at the end, for a client that follows redirects; it is logged through redactUrl.
 */
export async function hookedRequest<T extends { status: number }>(hooks: RequestHooks, endpoint: string, loggedUrl: () => URL, send: () => Promise<T>): Promise<T> {
  await hooks.pacer.wait();
  await hooks.beforeRequest?.(endpoint);
  const started = Date.now();
  let httpStatus: number | null = null;
  try {
    const answer = await send();
    httpStatus = answer.status;
    return answer;
  } finally {
    hooks.onRequest?.({ endpoint, url: redactUrl(loggedUrl()), httpStatus, ms: Date.now() - started });
  }
}
