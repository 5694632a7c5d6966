/**
 * The KRX portal login (korean-apis.md §4.2). Since 2026-02 getJsonData answers `LOGOUT` without
 * a member session; pykrx logs in as a browser does: the login page (JSESSIONID), the login
 * frame, then a form POST whose JSON `_error_code` says how it went.
 *
 * The session's lifetime is not published: pykrx assumes an hour and logs in again 5 minutes
 * early, and so does this (configurable). A `LOGOUT` answer before then is the client's to handle
 * (one fresh login, one retry).
 */
import { SourceError } from '../errors';
import { describeBody } from '../redaction';
import { malformedAnswer } from '../rows';
import type { KrxTransport } from './transport';
import { httpFailure, SOURCE } from './wire';

export const LOGIN_PAGE_PATH = '/contents/MDC/COMS/client/MDCCOMS001.cmd';
export const LOGIN_FRAME_PATH = '/contents/MDC/COMS/client/view/login.jsp';
export const LOGIN_POST_PATH = '/contents/MDC/COMS/client/MDCCOMS001D1.cmd';
/** pykrx's assumption (1 h) less its 5 minutes of margin. */
export const DEFAULT_SESSION_TTL_MS = 55 * 60_000;

const LOGGED_IN = 'CD001';
/** KRX forces a new password about every 3 months; until a person changes it, no login works. */
const PASSWORD_CHANGE_REQUIRED = 'CD010';
/** Another session of this member is open; `skipDup=Y` takes it over. */
const DUPLICATE_LOGIN = 'CD011';

export interface KrxCredentials {
  /** KRX_ID */
  id: string;
  /** KRX_PW */
  password: string;
}

export class KrxSession {
  private loggedInAt: number | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly transport: KrxTransport,
    private readonly credentials: KrxCredentials | undefined,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  get canLogIn(): boolean {
    return this.credentials !== undefined;
  }

  /** Logs in when there is no session yet or the assumed expiry is near; without credentials, nothing. */
  async ensure(signal?: AbortSignal): Promise<void> {
    if (!this.credentials) return;
    if (this.loggedInAt !== null && this.now() - this.loggedInAt < this.ttlMs) return;
    await this.login(signal);
  }

  /** A fresh login, whatever the state; concurrent callers share one. */
  login(signal?: AbortSignal): Promise<void> {
    this.inFlight ??= this.loginOnce(signal).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async loginOnce(signal?: AbortSignal): Promise<void> {
    const creds = this.credentials;
    if (!creds) throw new SourceError(SOURCE, 'non-retryable', 'login: KRX_ID and KRX_PW are not set', 'KRX_LOGIN_CONFIG');
    this.loggedInAt = null;
    this.transport.cookies.clear();
    const page = this.transport.url(LOGIN_PAGE_PATH).toString();
    await this.step('login page', { endpoint: 'login page', path: LOGIN_PAGE_PATH }, signal);
    await this.step('login frame', { endpoint: 'login frame', path: LOGIN_FRAME_PATH, query: { site: 'mdc' }, referer: page }, signal);

    const form = { mbrNm: '', telNo: '', di: '', certType: '', mbrId: creds.id, pw: creds.password };
    let code = await this.submit(form, page, signal);
    if (code === DUPLICATE_LOGIN) code = await this.submit({ ...form, skipDup: 'Y' }, page, signal);
    if (code === LOGGED_IN) {
      this.loggedInAt = this.now();
      return;
    }
    if (code === PASSWORD_CHANGE_REQUIRED) {
      throw new SourceError(SOURCE, 'non-retryable', `login: KRX requires a password change (${code}); change it at data.krx.co.kr and update KRX_PW`, 'KRX_PASSWORD_CHANGE');
    }
    if (code === DUPLICATE_LOGIN) {
      throw new SourceError(SOURCE, 'non-retryable', `login: still a duplicate login (${code}) after resending with skipDup=Y`, 'KRX_DUPLICATE_LOGIN');
    }
    throw new SourceError(SOURCE, 'non-retryable', `login refused (_error_code ${JSON.stringify(code)}); check KRX_ID and KRX_PW`, 'KRX_LOGIN_REFUSED');
  }

  /** The pages before the POST only hand out cookies; their status matters only when the server is down. */
  private async step(name: string, req: Parameters<KrxTransport['send']>[0], signal?: AbortSignal): Promise<void> {
    const answer = await this.transport.send(req, signal);
    if (answer.status >= 500 || answer.status === 429) throw httpFailure(name, answer, this.now());
  }

  private async submit(form: Record<string, string>, referer: string, signal?: AbortSignal): Promise<string> {
    const endpoint = 'login';
    const answer = await this.transport.send({ endpoint, path: LOGIN_POST_PATH, form, referer, xhr: true }, signal);
    const failure = httpFailure(endpoint, answer, this.now());
    if (failure) throw failure;
    let json: unknown;
    try {
      json = JSON.parse(answer.body);
    } catch {
      throw malformedAnswer(SOURCE, endpoint, `not JSON (${describeBody(answer.body)})`);
    }
    const code = (json as { _error_code?: unknown } | null)?._error_code;
    if (typeof code !== 'string') throw malformedAnswer(SOURCE, endpoint, 'no _error_code in the answer');
    return code;
  }
}
