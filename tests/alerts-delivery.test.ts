/**
 * Operations alert delivery on real parts: PostgreSQL, a real SMTP server for ALERT_EMAIL_TO and
 * a local HTTP server standing in for the Slack-compatible ALERT_WEBHOOK_URL.
 */
import http from 'node:http';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { alertDeliveryActivities, type AlertDeliveryResult, MAX_DELIVERY_ATTEMPTS } from '../activities/alert-delivery';
import { closeActivityDeps, type ActivityDeps } from '../activities/deps';
import { ackAlert, renderOpenAlerts } from '../client/alerts';
import { raiseAlert } from '../db/alerts';
import { alertById } from '../db/alerts-queries';
import { closeLocal, listenLocal } from './helpers/local-server';
import { type ScratchDb, scratchDatabase, testDeps } from './helpers/services';
import { type SmtpSink, startSmtpSink } from './helpers/smtp-sink';

let smtp: SmtpSink;
let scratch: ScratchDb;
let deps: ActivityDeps;
let hook: http.Server;
let hookUrl: string;
const posts: Array<{ contentType: string | undefined; body: { text: string } }> = [];
let hookStatus = 200;

beforeAll(async () => {
  smtp = await startSmtpSink();
  scratch = await scratchDatabase('alerts');
  hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (hookStatus === 200) posts.push({ contentType: req.headers['content-type'], body: JSON.parse(body) as { text: string } });
      res.writeHead(hookStatus, { 'content-type': 'text/plain' }).end(hookStatus === 200 ? 'ok' : 'invalid_payload');
    });
  });
  hookUrl = `${await listenLocal(hook)}/services/T000/B000/XXXX`;
  // No source is called here; the simulator URL only satisfies the mock scope's configuration.
  deps = testDeps({ DATABASE_URL: scratch.url, SIMULATOR_URL: 'http://127.0.0.1:9', SMTP_URL: smtp.url, ALERT_EMAIL_TO: 'ops@example.com, oncall@example.com', ALERT_WEBHOOK_URL: hookUrl });
});

afterAll(async () => {
  if (deps) await closeActivityDeps(deps);
  await scratch?.drop();
  await smtp?.close();
  if (hook) await closeLocal(hook);
});

const deliver = (): Promise<AlertDeliveryResult> => new MockActivityEnvironment().run(alertDeliveryActivities(deps).deliverOpsAlerts);

const expiredKey = {
  alertType: 'source_non_retryable',
  severity: 'critical' as const,
  title: '[데이터 수집 실패] DART API 키 만료',
  message: 'DART status 010: 등록되지 않은 키입니다',
  source: 'dart',
  workflowId: 'weekly-refresh-2026-11-21',
};

describe('ops alert delivery', () => {
  it('deduplicates an identical alert within the window and delivers it once, by email and by webhook', async () => {
    const first = await raiseAlert(scratch.db, expiredKey);
    const again = await raiseAlert(scratch.db, { ...expiredKey, message: 'DART status 010 again' });
    expect(again).toBe(first);
    const other = await raiseAlert(scratch.db, { ...expiredKey, title: '[데이터 수집 실패] 일별 시세 적재 실패', source: 'datagokr' });
    expect(other).not.toBe(first);
    expect((await alertById(scratch.db, first))!.repeatCount).toBe(2);

    const result = await deliver();
    expect(result).toEqual({ delivered: [first, other], failed: [] });
    expect(posts).toHaveLength(2);
    expect(posts[0]!.contentType).toBe('application/json');
    expect(posts[0]!.body.text).toContain('*[CRITICAL] [데이터 수집 실패] DART API 키 만료*');
    expect(posts[0]!.body.text).toContain('DART status 010 again');
    expect(posts[0]!.body.text).toContain(`alert #${first}`);
    const mails = smtp.messages.filter((m) => m.subject.includes('DART API 키 만료'));
    expect(mails.map((m) => m.to[0]).sort()).toEqual(['oncall@example.com', 'ops@example.com']);
    expect(mails[0]!.subject).toBe('[Compass 운영 알림][CRITICAL] [데이터 수집 실패] DART API 키 만료');
    expect(mails[0]!.text).toContain('- 출처: dart');
    expect(mails[0]!.text).toContain('- 반복: 2회');
    expect(mails[0]!.text).toContain(`npm run ops -- ack ${first}`);

    // The same alert raised again inside the window is counted, not delivered again.
    expect(await raiseAlert(scratch.db, expiredKey)).toBe(first);
    expect(await deliver()).toEqual({ delivered: [], failed: [] });
    expect(posts).toHaveLength(2);
    expect(smtp.messages).toHaveLength(4);
  });

  it('raises a new alert once the window has passed, or once the open one is acknowledged', async () => {
    const before = await raiseAlert(scratch.db, expiredKey);
    await sql`UPDATE ops_alert SET last_seen_at = now() - interval '2 hours' WHERE id = ${before}`.execute(scratch.db);
    const after = await raiseAlert(scratch.db, expiredKey);
    expect(after).not.toBe(before);
    expect(await ackAlert(scratch.db, after)).toBe('acknowledged');
    expect(await ackAlert(scratch.db, after)).toBe('already-acknowledged');
    expect(await ackAlert(scratch.db, 999_999)).toBe('not-found');
    const third = await raiseAlert(scratch.db, expiredKey);
    expect(third).not.toBe(after);
    const listing = (await renderOpenAlerts(scratch.db)).join('\n');
    expect(listing).toContain(`#${third}  CRITICAL`);
    expect(listing).not.toContain(`#${after} `);
    await deliver();
  });

  it('retries a failed webhook without sending the emails again, and gives up after the last attempt', async () => {
    const id = await raiseAlert(scratch.db, { alertType: 'schedule_missed', severity: 'warning', title: '[스케줄 누락] daily-collection', message: 'no run', source: 'watchdog' });
    const mailsBefore = smtp.messages.length;
    const postsBefore = posts.length;
    hookStatus = 500;
    try {
      const failed = await deliver();
      expect(failed.delivered).toEqual([]);
      expect(failed.failed).toEqual([{ id, error: expect.stringContaining('webhook answered HTTP 500') }]);
      expect(smtp.messages.length).toBe(mailsBefore + 2);
      const row = await alertById(scratch.db, id);
      expect(row!.deliveredAt).toBeNull();
      expect(row!.deliveryError).toContain('HTTP 500');
    } finally {
      hookStatus = 200;
    }
    expect(await deliver()).toEqual({ delivered: [id], failed: [] });
    expect(posts.length).toBe(postsBefore + 1);
    expect(smtp.messages.length).toBe(mailsBefore + 2); // the emails went out once

    // A webhook that never recovers: the alert is tried MAX_DELIVERY_ATTEMPTS times, then left alone.
    const stuck = await raiseAlert(scratch.db, { alertType: 'x', severity: 'info', title: 'never delivered', message: 'm', source: 'test' });
    hookStatus = 500;
    try {
      for (let i = 0; i < MAX_DELIVERY_ATTEMPTS + 2; i++) await deliver();
    } finally {
      hookStatus = 200;
    }
    const row = await alertById(scratch.db, stuck);
    expect(row!.deliveredAt).toBeNull();
    const attempts = await sql<{ n: number }>`SELECT delivery_attempts AS n FROM ops_alert WHERE id = ${stuck}`.execute(scratch.db);
    expect(attempts.rows[0]!.n).toBe(MAX_DELIVERY_ATTEMPTS);
  });
});
