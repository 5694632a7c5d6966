/**
 * Every request to the KRX portal goes through here: paced, gated by `beforeRequest`, sent with
 * the browser headers KRX expects and the session's cookies, and reported to `onRequest`.
 * Redirects are followed by hand so that cookies set on the way are kept (fetch would drop them).
 */
import { httpRequest, type HttpAnswer, type Pacer } from '../http';
import { redactBody } from '../redaction';
import { hookedRequest, type BeforeRequest, type OnRequest } from '../request-hooks';
import { CookieJar } from './cookies';
import { REFERER_PATH, SOURCE, USER_AGENT } from './wire';

const MAX_REDIRECTS = 5;

export interface KrxTransportOptions {
  base: string;
  timeoutMs: number;
  pacer: Pacer;
  now: () => number;
  beforeRequest?: BeforeRequest;
  onRequest?: OnRequest;
  /** Blanked in every answer before anything can quote it (the password, should KRX echo a form). */
  secrets: readonly string[];
}

export interface KrxRequest {
  /** Names the request in failures and events, e.g. "MDCSTAT01501" or "login". */
  endpoint: string;
  path: string;
  query?: Record<string, string>;
  form?: Record<string, string>;
  /** Default: the portal's outer loader page, which getJsonData requires. */
  referer?: string;
  /** getJsonData is an XHR endpoint; the login pages are plain navigations. */
  xhr?: boolean;
}

export class KrxTransport {
  readonly cookies = new CookieJar();

  constructor(private readonly opts: KrxTransportOptions) {}

  url(path: string, query: Record<string, string> = {}): URL {
    const url = new URL(path, this.opts.base);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url;
  }

  async send(req: KrxRequest, signal?: AbortSignal): Promise<HttpAnswer> {
    let url = this.url(req.path, req.query);
    return hookedRequest(this.opts, req.endpoint, () => url, async () => {
      let method: 'GET' | 'POST' = req.form ? 'POST' : 'GET';
      let body = req.form ? new URLSearchParams(req.form) : undefined;
      for (let hop = 0; ; hop++) {
        const answer = redactBody(await httpRequest(SOURCE, url, { method, headers: this.headers(req), body, redirect: 'manual' }, this.opts.timeoutMs, signal), this.opts.secrets);
        this.cookies.store(answer.headers, this.opts.now());
        const location = answer.headers.get('location');
        if (answer.status < 300 || answer.status >= 400 || !location || hop >= MAX_REDIRECTS) return answer;
        url = new URL(location, url);
        // Browsers fetch a 301/302/303 target with GET; 307/308 keep the method and body.
        if (answer.status !== 307 && answer.status !== 308) {
          method = 'GET';
          body = undefined;
        }
      }
    });
  }

  private headers(req: KrxRequest): Record<string, string> {
    const headers: Record<string, string> = {
      'user-agent': USER_AGENT,
      referer: req.referer ?? this.url(REFERER_PATH).toString(),
      accept: req.xhr ? 'application/json, text/javascript, */*; q=0.01' : 'text/html,application/json;q=0.9,*/*;q=0.8',
    };
    if (req.xhr) headers['x-requested-with'] = 'XMLHttpRequest';
    const cookie = this.cookies.header();
    if (cookie) headers.cookie = cookie;
    return headers;
  }
}
