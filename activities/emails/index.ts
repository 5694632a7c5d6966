/**
 * The two morning emails' activities: build each email's content from the database and the
 * index quote source, and send one message under its send key, at most once (db/email-sends.ts).
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { addDays, tradingDayOnOrBefore } from '../../calendar/trading-calendar';
import { claimSend, recordFailure, recordSent, reportedTo } from '../../db/email-sends';
import { priceSummary, scoreSummary } from '../../db/market-email';
import { marketEmailRecipients, type Recipient, watchlistMoves } from '../../db/watchlists';
import { renderMarketEmail, type IndexLine, type MarketEmailData } from '../../emails/templates/market';
import { renderWatchlistEmail } from '../../emails/templates/watchlist';
import { classifySmtpError, createMailTransport, type MailTransport } from '../../emails/transport';
import { INDEX_SYMBOLS, type IndexName, type IndexQuoteSource, latestQuote } from '../../sources/yahoo/index-quotes';
import { raiseWithDeps } from '../alerts';
import type { ActivityDeps } from '../deps';

export type EmailKind = 'market' | 'watchlist' | 'alert';

export interface SendEmailInput {
  kind: EmailKind;
  /** The day the email is for (Korea): with kind and recipient, its send key. */
  sendDate: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** What the email reports (a watchlist alert's score date): the same news goes to a recipient once. */
  about?: string;
}

export interface SendEmailResult {
  to: string;
  /** `already-sent`: an earlier run or attempt delivered it; `uncertain`: an earlier attempt died mid-send (not resent). */
  status: 'sent' | 'already-sent' | 'refused' | 'uncertain';
  location?: string;
  error?: string;
}

export interface PreparedEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  about?: string;
}

export interface MarketEmailPrepared {
  date: string;
  message: { subject: string; html: string; text: string };
  recipients: Recipient[];
  /** The sections whose data is stale (empty when none), as the email names them. */
  stale: string[];
  asOf: { prices: string | null; score: string | null; indices: Record<string, string | null> };
  alertId: number | null;
}

export interface WatchlistPrepared {
  scoreDate: string | null;
  emails: PreparedEmail[];
  usersWithoutMoves: number;
  /** Users whose moves of this score date were emailed before. */
  alreadyReported: number;
}

export interface EmailHooks {
  /** Test hook: runs after the transport took the message and before the ledger records it. */
  afterAccepted?(key: string): Promise<void> | void;
  /** Another index quote source than deps.sources.yahoo. */
  indexSource?: IndexQuoteSource;
}

/** `market:2026-11-22:kim@example.com`; `extra` tells apart several emails of one kind, day and recipient (alerts). */
export function sendKey(kind: EmailKind, sendDate: string, to: string, extra?: string): string {
  return `${kind}:${sendDate}:${to.trim().toLowerCase()}${extra ? `#${extra}` : ''}`;
}

/** Fixed per send key: `<compass-market-2026-11-22-1a2b3c4d5e@compass.local>`. */
export function messageIdFor(key: string): string {
  const [kind, date] = key.split(':');
  return `<compass-${kind}-${date}-${createHash('sha256').update(key).digest('hex').slice(0, 10)}@compass.local>`;
}

const transports = new WeakMap<ActivityDeps, MailTransport>();

export function mailTransportOf(deps: ActivityDeps): MailTransport {
  let t = transports.get(deps);
  if (!t) {
    t = createMailTransport(deps.cfg);
    transports.set(deps, t);
  }
  return t;
}

const INDEX_LABELS: Record<IndexName, string> = { KOSPI: 'KOSPI', KOSDAQ: 'KOSDAQ', SP500: 'S&P 500', NASDAQ: 'NASDAQ' };
const KOREAN_INDICES: IndexName[] = ['KOSPI', 'KOSDAQ'];
/** A US close older than this many days before the email is stale (weekends and US holidays fit). */
const US_STALE_DAYS = 4;

async function indexLines(source: IndexQuoteSource, date: string, expectedTradeDate: string): Promise<IndexLine[]> {
  const asOf = addDays(date, -1);
  return Promise.all(
    (Object.keys(INDEX_SYMBOLS) as IndexName[]).map(async (name): Promise<IndexLine> => {
      const symbol = INDEX_SYMBOLS[name];
      const base = { label: INDEX_LABELS[name], symbol };
      try {
        const q = await latestQuote(source, symbol, asOf);
        if (!q) return { ...base, tradeDate: null, close: null, change: null, changeRate: null, stale: '시세 없음' };
        const floor = KOREAN_INDICES.includes(name) ? expectedTradeDate : addDays(date, -US_STALE_DAYS);
        return { ...base, tradeDate: q.tradeDate, close: q.close, change: q.change, changeRate: q.changeRate, stale: q.tradeDate < floor ? `${q.tradeDate} 기준` : null };
      } catch (err) {
        return { ...base, tradeDate: null, close: null, change: null, changeRate: null, stale: `조회 실패: ${(err as Error).message.slice(0, 120)}` };
      }
    }),
  );
}

export async function buildMarketEmailData(deps: ActivityDeps, date: string, source: IndexQuoteSource): Promise<MarketEmailData> {
  const expectedTradeDate = tradingDayOnOrBefore(addDays(date, -1));
  const [prices, score, indices] = await Promise.all([
    priceSummary(deps.db, addDays(date, -1)),
    scoreSummary(deps.db, date),
    indexLines(source, date, expectedTradeDate),
  ]);
  const priceStale = !prices.tradeDate || prices.tradeDate < expectedTradeDate
    ? `시세가 최신이 아닙니다: ${expectedTradeDate} 시세가 필요하지만 마지막 적재일은 ${prices.tradeDate ?? '없음'}입니다.`
    : null;
  const scoreStale = !score.scoreDate || (prices.tradeDate !== null && score.scoreDate < prices.tradeDate)
    ? `Compass Score가 최신 시세 이후 계산되지 않았습니다: 점수 기준일 ${score.scoreDate ?? '없음'}, 시세 기준일 ${prices.tradeDate ?? '없음'}.`
    : null;
  return { date, expectedTradeDate, indices, prices: { ...prices, stale: priceStale }, score: { ...score, stale: scoreStale } };
}

export function staleSections(d: MarketEmailData): string[] {
  return [
    ...(d.indices.some((i) => i.stale) ? ['indices'] : []),
    ...(d.prices.stale ? ['prices'] : []),
    ...(d.score.stale ? ['score'] : []),
  ];
}

export function emailActivities(deps: ActivityDeps, hooks: EmailHooks = {}) {
  return {
    /** The market email of `date`, rendered once for every recipient; raises an alert when a section is stale. */
    async prepareMarketEmail(input: { date: string }): Promise<MarketEmailPrepared> {
      const data = await buildMarketEmailData(deps, input.date, hooks.indexSource ?? deps.sources.yahoo);
      const stale = staleSections(data);
      let alertId: number | null = null;
      if (stale.length) {
        const reasons = [
          ...data.indices.filter((i) => i.stale).map((i) => `${i.label}: ${i.stale}`),
          ...(data.prices.stale ? [data.prices.stale] : []),
          ...(data.score.stale ? [data.score.stale] : []),
        ];
        alertId = await raiseWithDeps(deps, {
          alertType: 'email_stale_data',
          severity: data.prices.stale || data.score.stale ? 'critical' : 'warning',
          title: `[시장 이메일] ${input.date} 데이터 지연: ${stale.join(', ')}`,
          message: reasons.join(' / '),
          source: 'daily-market-email',
          dedupeKey: `email_stale_data|${input.date}|${stale.join(',')}`,
        });
      }
      return {
        date: input.date,
        message: renderMarketEmail(data),
        recipients: await marketEmailRecipients(deps.db),
        stale,
        asOf: { prices: data.prices.tradeDate, score: data.score.scoreDate, indices: Object.fromEntries(data.indices.map((i) => [i.label, i.tradeDate])) },
        alertId,
      };
    },

    /** One watchlist email per user whose watched stocks moved by at least the threshold. */
    async prepareWatchlistEmails(input: { date: string; threshold?: number }): Promise<WatchlistPrepared> {
      const threshold = input.threshold ?? deps.cfg.WATCHLIST_ALERT_THRESHOLD;
      const { scoreDate, users } = await watchlistMoves(deps.db, input.date, threshold);
      const moved = users.filter((u) => u.moves.length > 0);
      // No new score since the last alert (a weekend, or the score did not run): its moves were reported already.
      const reported = scoreDate ? await reportedTo(deps.db, 'watchlist', scoreDate) : new Set<string>();
      const fresh = moved.filter((u) => !reported.has(u.email.trim().toLowerCase()));
      const emails = fresh.map((u) => ({ to: u.email, about: u.scoreDate, ...renderWatchlistEmail(u, threshold) }));
      return { scoreDate, emails, usersWithoutMoves: users.length - moved.length, alreadyReported: moved.length - fresh.length };
    },

    /**
     * Sends one message at most once per send key. 5xx replies are recorded as `refused` and not
     * retried; other failures are recorded as `failed` and thrown for the activity's retry.
     */
    async sendEmail(input: SendEmailInput): Promise<SendEmailResult> {
      return sendOnce(deps, hooks, sendKey(input.kind, input.sendDate, input.to), input);
    },
  };
}

export type EmailActivities = ReturnType<typeof emailActivities>;

/** The at-most-once send under `key` (see db/email-sends.ts); called inside an activity. */
export async function sendOnce(deps: ActivityDeps, hooks: EmailHooks, key: string, input: SendEmailInput): Promise<SendEmailResult> {
  const messageId = messageIdFor(key);
  const workflowId = Context.current().info.workflowExecution?.workflowId ?? null;
  const claim = await claimSend(deps.db, { key, kind: input.kind, sendDate: input.sendDate, recipient: input.to, messageId, subject: input.subject, workflowId, about: input.about });
  if (claim === 'sent') return { to: input.to, status: 'already-sent' };
  if (claim === 'refused') return { to: input.to, status: 'refused', error: 'refused earlier' };
  if (claim === 'uncertain') {
    await raiseWithDeps(deps, {
      alertType: 'email_delivery_uncertain',
      severity: 'warning',
      title: `[이메일] 전송 여부 불확실: ${key}`,
      message: `An earlier attempt stopped after handing ${messageId} to the mail transport and before recording it; it is not sent again. Check the mail server's log for this Message-ID.`,
      source: 'email',
      dedupeKey: `email_delivery_uncertain|${key}`,
    });
    return { to: input.to, status: 'uncertain' };
  }
  let delivery;
  try {
    delivery = await mailTransportOf(deps).send({ to: input.to, subject: input.subject, html: input.html, text: input.text, messageId });
  } catch (err) {
    const msg = (err as Error).message;
    if (classifySmtpError(err) === 'refused') {
      await recordFailure(deps.db, key, 'refused', msg);
      // An alert's own refused recipient would only raise another alert to the same address.
      if (input.kind !== 'alert') await raiseWithDeps(deps, {
        alertType: 'email_refused', severity: 'warning', title: `[이메일] 수신 거부: ${input.to}`,
        message: `${input.kind} email of ${input.sendDate} to ${input.to} was refused: ${msg}`, source: 'email', dedupeKey: `email_refused|${input.to}`,
      });
      return { to: input.to, status: 'refused', error: msg };
    }
    await recordFailure(deps.db, key, 'failed', msg);
    throw ApplicationFailure.retryable(`sending ${key} failed: ${msg}`, 'EmailSendFailed');
  }
  await hooks.afterAccepted?.(key);
  await recordSent(deps.db, key, delivery.transport, delivery.location);
  if (delivery.transport === 'outbox') Context.current().log.info(`email written to the outbox: ${delivery.location}`, { key });
  return { to: input.to, status: 'sent', location: delivery.location };
}
