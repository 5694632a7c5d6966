/**
 * The two morning emails on real parts: the Temporal dev server, PostgreSQL, the source
 * simulator (Yahoo index quotes) and a real SMTP server that receives what nodemailer sends.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { sql } from 'kysely';
import { closeActivityDeps, type ActivityDeps } from '../activities/deps';
import { sendsOf } from '../db/email-sends';
import { createMailTransport } from '../emails/transport';
import { startSimulator, type Simulator } from '../dev/simulator/server';
import { dailyMarketEmail, watchlistScoreAlerts } from '../workflows';
import { createCollectionWorker } from '../workers/collection-worker';
import { createActivities } from '../activities';
import { emailActivities } from '../activities/emails';
import { Worker as TemporalWorker } from '@temporalio/worker';
import { connectTestClient, connectTestWorkerConnection, type ScratchDb, scratchDatabase, testDeps, workflowBundle } from './helpers/services';
import { type SmtpSink, smtpError, startSmtpSink } from './helpers/smtp-sink';
import { testClock } from './helpers/clock';

const FAST = { initialInterval: '200ms', maximumInterval: '500ms' } as const;

let sim: Simulator;
let smtp: SmtpSink;
let scratch: ScratchDb;
let client: Client;
let deps: ActivityDeps;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `emails-test-${randomUUID()}`;

const STOCKS: Array<[string, string, string]> = [
  ['005930', '삼성전자', 'KOSPI'], ['000660', 'SK하이닉스', 'KOSPI'], ['035420', 'NAVER', 'KOSPI'],
  ['247540', '에코프로비엠', 'KOSDAQ'], ['091990', '셀트리온헬스케어', 'KOSDAQ'], ['293490', '카카오게임즈', 'KOSDAQ'],
];

async function price(ticker: string, date: string, market: string, close: number, rate: number): Promise<void> {
  const amount = Math.round((close * rate) / (100 + rate));
  await sql`INSERT INTO stock_price_daily (ticker, trade_date, market, open_price, high_price, low_price, close_price, change_amount, change_rate, volume, trading_value, source)
            VALUES (${ticker}, ${date}::date, ${market}, ${close}, ${close}, ${close}, ${close}, ${amount}, ${rate}, 1000, ${close * 1000}, 'test')`.execute(scratch.db);
}

async function score(ticker: string, date: string, total: number): Promise<void> {
  await sql`INSERT INTO compass_score_daily (ticker, score_date, total_score) VALUES (${ticker}, ${date}::date, ${total})`.execute(scratch.db);
}

async function user(email: string, name: string, tickers: string[], marketEmail = true): Promise<void> {
  const r = await sql<{ id: string }>`INSERT INTO app_user (email, display_name, market_email) VALUES (${email}, ${name}, ${marketEmail}) RETURNING id`.execute(scratch.db);
  for (const t of tickers) await sql`INSERT INTO watchlist_item (user_id, ticker) VALUES (${r.rows[0]!.id}, ${t})`.execute(scratch.db);
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, now: testClock });
  smtp = await startSmtpSink();
  scratch = await scratchDatabase('emails');
  client = await connectTestClient();
  deps = testDeps({ DATABASE_URL: scratch.url, SIMULATOR_URL: sim.url, SMTP_URL: smtp.url, EMAIL_FROM: 'Compass <compass@test.local>', YAHOO_RPS: '100' });
  worker = await createCollectionWorker({ connection: await connectTestWorkerConnection(), namespace: 'default', taskQueue, deps, workflowBundle: await workflowBundle() });
  running = worker.run();

  for (const [t, n, m] of STOCKS) await sql`INSERT INTO stocks (ticker, name, market) VALUES (${t}, ${n}, ${m})`.execute(scratch.db);
  // Thursday 14 and Friday 15 March 2024; Monday 18 only has prices (its score "did not run").
  const rates: Record<string, [number, number, number]> = {
    '005930': [73000, 1.5, -0.5], '000660': [160000, 8.2, 2.0], '035420': [190000, -3.1, 0.7],
    '247540': [280000, -9.7, 1.1], '091990': [70000, 0, -2.2], '293490': [21000, 4.4, 0.3],
  };
  for (const [t, , m] of STOCKS) {
    const [close, r15, r18] = rates[t]!;
    await price(t, '2024-03-14', m, close, 0.1);
    await price(t, '2024-03-15', m, close, r15);
    await price(t, '2024-03-18', m, close, r18);
  }
  const scores: Record<string, [number, number]> = {
    '005930': [70, 77.5], '000660': [60, 54], '035420': [50, 52], '247540': [82, 81], '091990': [40, 35], '293490': [65, 66],
  };
  for (const [t, [a, b]] of Object.entries(scores)) {
    await score(t, '2024-03-14', a);
    await score(t, '2024-03-15', b);
  }
  await user('kim@example.com', '김투자', ['005930', '000660', '035420']);
  await user('lee@example.com', '이분석', ['247540']);
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await closeActivityDeps(deps);
  await client?.connection.close();
  await scratch?.drop();
  await smtp?.close();
  await sim?.close();
});

const to = (addr: string, date: string, kind = 'market') =>
  smtp.messages.filter((m) => m.to.includes(addr) && m.messageId.includes(`compass-${kind}-${date}-`));

/** The text of one section of the plain-text part: from its "■ title" line to the next. */
function section(text: string, title: string): string {
  const start = text.indexOf(`■ ${title}`);
  if (start < 0) return '';
  const next = text.indexOf('■ ', start + 2);
  return text.slice(start, next < 0 ? undefined : next);
}

describe('daily market email', () => {
  it('sends every recipient one Korean email with the four indices, breadth, movers and score highlights, each with its as-of date', async () => {
    const result = await client.workflow.execute(dailyMarketEmail, { taskQueue, workflowId: `mail-${randomUUID()}`, args: [{ date: '2024-03-16', retry: FAST }] });
    expect(result.stale).toEqual([]);
    expect(result.sends.map((s) => s.status)).toEqual(['sent', 'sent']);
    expect(result.asOf).toMatchObject({ prices: '2024-03-15', score: '2024-03-15' });

    const [kim] = to('kim@example.com', '2024-03-16');
    expect(to('kim@example.com', '2024-03-16')).toHaveLength(1);
    expect(to('lee@example.com', '2024-03-16')).toHaveLength(1);
    expect(kim!.subject).toBe('[Compass] 2024년 3월 16일 (토) 일일 시장 요약');
    expect(kim!.headers.from).toContain('compass@test.local');

    const indices = section(kim!.text, '주요 지수');
    for (const label of ['KOSPI', 'KOSDAQ', 'S&P 500', 'NASDAQ']) expect(indices).toMatch(new RegExp(`- ${label.replace(/[&]/g, '\\&')}: [\\d,.]+ \\([+-]?[\\d,.]+, [+-]?[\\d.]+%\\) · 기준일 \\d{4}년`));
    expect(indices).toContain('KOSPI');
    expect(indices).toMatch(/KOSPI: .*기준일 2024년 3월 15일 \(금\)/);
    expect(indices).not.toContain('⚠');

    const breadth = section(kim!.text, '국내 시장 등락');
    expect(breadth).toContain('기준일: 2024년 3월 15일 (금)');
    expect(breadth).toContain('- 코스피: 상승 2 / 하락 1 / 보합 0');
    expect(breadth).toContain('- 코스닥: 상승 1 / 하락 1 / 보합 1');
    // Top gainer first, top loser first.
    expect(breadth.indexOf('SK하이닉스 (000660) 160,000원 +8.20%')).toBeLessThan(breadth.indexOf('카카오게임즈'));
    expect(breadth).toContain('에코프로비엠 (247540) 280,000원 -9.70%');
    expect(breadth).not.toContain('⚠');

    const highlights = section(kim!.text, 'Compass Score 하이라이트');
    expect(highlights).toContain('기준일: 2024년 3월 15일 (금) · 산출 종목 6개');
    expect(highlights).toMatch(/점수 상위:\n {2}· 에코프로비엠 \(247540\) 81\.0점 \(-1\.0\)\n {2}· 삼성전자 \(005930\) 77\.5점 \(\+7\.5\)/);
    expect(highlights).toMatch(/점수 상승:\n {2}· 삼성전자 \(005930\) 77\.5점 \(\+7\.5\)/);
    expect(highlights).not.toContain('⚠');
    // The HTML part carries the same figures.
    expect(kim!.html).toContain('SK하이닉스 (000660)');
    expect(kim!.html).toContain('<html lang="ko">');
    expect(await sql`SELECT 1 FROM ops_alert`.execute(scratch.db).then((r) => r.rows.length)).toBe(0);
  });

  it('says so in the score section when the score did not run after the last prices, and raises an alert', async () => {
    const result = await client.workflow.execute(dailyMarketEmail, { taskQueue, workflowId: `mail-${randomUUID()}`, args: [{ date: '2024-03-19', retry: FAST }] });
    expect(result.stale).toEqual(['score']);
    const [kim] = to('kim@example.com', '2024-03-19');
    expect(kim!.subject).toContain('(일부 데이터 지연)');
    const highlights = section(kim!.text, 'Compass Score 하이라이트');
    expect(highlights).toContain('⚠ Compass Score가 최신 시세 이후 계산되지 않았습니다: 점수 기준일 2024-03-15, 시세 기준일 2024-03-18.');
    expect(highlights).toContain('기준일: 2024년 3월 15일 (금)');
    // The other sections are current and say nothing.
    expect(section(kim!.text, '국내 시장 등락')).not.toContain('⚠');
    expect(section(kim!.text, '국내 시장 등락')).toContain('기준일: 2024년 3월 18일 (월)');
    expect(kim!.html).toContain('⚠ Compass Score가 최신 시세 이후 계산되지 않았습니다');
    const alerts = await sql<{ alert_type: string; severity: string; title: string; source: string }>`SELECT alert_type, severity, title, source FROM ops_alert`.execute(scratch.db);
    expect(alerts.rows).toEqual([{ alert_type: 'email_stale_data', severity: 'critical', title: '[시장 이메일] 2024-03-19 데이터 지연: score', source: 'daily-market-email' }]);
  });

  it('never sends twice: a rerun for the same day sends nothing new', async () => {
    const before = smtp.messages.length;
    const result = await client.workflow.execute(dailyMarketEmail, { taskQueue, workflowId: `mail-${randomUUID()}`, args: [{ date: '2024-03-16', retry: FAST }] });
    expect(result.sends.map((s) => s.status)).toEqual(['already-sent', 'already-sent']);
    expect(smtp.messages.length).toBe(before);
  });
});

describe('watchlist score alerts', () => {
  it('lists, per user, the watched stocks whose score moved by the threshold or more; the threshold is configurable', async () => {
    const strict = await client.workflow.execute(watchlistScoreAlerts, { taskQueue, workflowId: `watch-${randomUUID()}`, args: [{ date: '2024-03-16', threshold: 10, retry: FAST }] });
    expect(strict.sends).toEqual([]);
    expect(strict.usersWithoutMoves).toBe(2);

    const result = await client.workflow.execute(watchlistScoreAlerts, { taskQueue, workflowId: `watch-${randomUUID()}`, args: [{ date: '2024-03-16', retry: FAST }] });
    expect(result.scoreDate).toBe('2024-03-15');
    expect(result.sends).toEqual([expect.objectContaining({ to: 'kim@example.com', status: 'sent' })]);
    expect(result.usersWithoutMoves).toBe(1); // lee's 247540 moved 1 point
    const mails = to('kim@example.com', '2024-03-16', 'watchlist');
    expect(mails).toHaveLength(1);
    const m = mails[0]!;
    expect(m.subject).toBe('[Compass] 관심 종목 2개의 Compass Score가 5점 이상 움직였습니다 (2024년 3월 15일 (금))');
    expect(m.text).toContain('- 삼성전자 (005930): 70.0 → 77.5 (+7.5점)');
    expect(m.text).toContain('- SK하이닉스 (000660): 60.0 → 54.0 (-6.0점)');
    expect(m.text).not.toContain('NAVER'); // +2
    expect(m.text).toContain('김투자님의 관심 종목 점수 변동');
    expect(to('lee@example.com', '2024-03-16', 'watchlist')).toHaveLength(0);

    // Sunday: no score since Friday's, whose moves went out yesterday: nothing is sent again.
    const sunday = await client.workflow.execute(watchlistScoreAlerts, { taskQueue, workflowId: `watch-${randomUUID()}`, args: [{ date: '2024-03-17', retry: FAST }] });
    expect(sunday).toMatchObject({ scoreDate: '2024-03-15', alreadyReported: 1, sends: [] });
    expect(to('kim@example.com', '2024-03-17', 'watchlist')).toHaveLength(0);
  });
});

describe('delivery', () => {
  it('retries an SMTP failure and records a refused recipient without retrying it', async () => {
    await user('flaky@example.com', '일시오류', []);
    await user('gone@example.com', '없는사람', []);
    let flakyTries = 0;
    smtp.onRcpt = (addr) => {
      if (addr === 'flaky@example.com' && ++flakyTries === 1) return smtpError(451, 'try again later');
      if (addr === 'gone@example.com') return smtpError(550, 'no such mailbox');
      return undefined;
    };
    try {
      const result = await client.workflow.execute(dailyMarketEmail, { taskQueue, workflowId: `mail-${randomUUID()}`, args: [{ date: '2024-03-20', retry: FAST }] });
      const by = Object.fromEntries(result.sends.map((s) => [s.to, s.status]));
      expect(by).toEqual({ 'kim@example.com': 'sent', 'lee@example.com': 'sent', 'flaky@example.com': 'sent', 'gone@example.com': 'refused' });
    } finally {
      smtp.onRcpt = () => undefined;
    }
    expect(to('flaky@example.com', '2024-03-20')).toHaveLength(1);
    expect(to('gone@example.com', '2024-03-20')).toHaveLength(0);
    const rows = Object.fromEntries((await sendsOf(scratch.db, 'market', '2024-03-20')).map((r) => [r.recipient, r]));
    expect(rows['flaky@example.com']).toMatchObject({ status: 'sent', attempts: 2 });
    expect(rows['gone@example.com']).toMatchObject({ status: 'refused', attempts: 1 });
    expect(rows['gone@example.com']!.error).toContain('550');
    expect(flakyTries).toBe(2);
    await sql`UPDATE app_user SET market_email = false WHERE email IN ('flaky@example.com', 'gone@example.com')`.execute(scratch.db);
  });

  it('delivers exactly once when the worker dies between the SMTP send and the record', async () => {
    const crashQueue = `emails-crash-${randomUUID()}`;
    let crashed!: () => void;
    const crashedOnce = new Promise<void>((r) => (crashed = r));
    let crashes = 0;
    const hooks = {
      afterAccepted: (key: string) => {
        if (key.startsWith('market:2024-03-21:kim@') && crashes++ === 0) {
          crashed();
          throw new Error('worker killed after the SMTP server took the message, before the ledger recorded it');
        }
      },
    };
    const dying = await TemporalWorker.create({
      connection: await connectTestWorkerConnection(), namespace: 'default', taskQueue: crashQueue, workflowBundle: await workflowBundle(),
      activities: { ...createActivities(deps), ...emailActivities(deps, hooks) },
    });
    const dyingRun = dying.run();
    const handle = await client.workflow.start(dailyMarketEmail, {
      taskQueue: crashQueue, workflowId: `mail-crash-${randomUUID()}`,
      // The retry waits long enough for the first worker to be gone.
      args: [{ date: '2024-03-21', retry: { initialInterval: '3s', maximumInterval: '3s' } }],
    });
    await crashedOnce;
    dying.shutdown();
    await dyingRun;
    const second = await createCollectionWorker({ connection: await connectTestWorkerConnection(), namespace: 'default', taskQueue: crashQueue, deps, workflowBundle: await workflowBundle() });
    const secondRun = second.run();
    try {
      const result = await handle.result();
      const by = Object.fromEntries(result.sends.map((s) => [s.to, s.status]));
      expect(by).toEqual({ 'kim@example.com': 'uncertain', 'lee@example.com': 'sent' });
    } finally {
      second.shutdown();
      await secondRun;
    }
    expect(crashes).toBe(1);
    expect(to('kim@example.com', '2024-03-21')).toHaveLength(1);
    expect(to('lee@example.com', '2024-03-21')).toHaveLength(1);
    const rows = Object.fromEntries((await sendsOf(scratch.db, 'market', '2024-03-21')).map((r) => [r.recipient, r.status]));
    expect(rows).toEqual({ 'kim@example.com': 'uncertain', 'lee@example.com': 'sent' });
    const uncertain = await sql<{ title: string }>`SELECT title FROM ops_alert WHERE alert_type = 'email_delivery_uncertain'`.execute(scratch.db);
    expect(uncertain.rows).toEqual([{ title: '[이메일] 전송 여부 불확실: market:2024-03-21:kim@example.com' }]);
    // And a rerun of the day still sends nothing.
    await client.workflow.execute(dailyMarketEmail, { taskQueue, workflowId: `mail-${randomUUID()}`, args: [{ date: '2024-03-21', retry: FAST }] });
    expect(to('kim@example.com', '2024-03-21')).toHaveLength(1);
    expect(to('lee@example.com', '2024-03-21')).toHaveLength(1);
  });

  it('writes an .eml file to the outbox when SMTP_URL is not set', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compass-outbox-'));
    const t = createMailTransport({ EMAIL_FROM: 'Compass <c@test.local>', OUTBOX_DIR: dir });
    try {
      const d = await t.send({ to: 'kim@example.com', subject: '[Compass] 테스트', html: '<p>안녕하세요</p>', text: '안녕하세요', messageId: '<compass-market-2024-03-16-abc@compass.local>' });
      expect(d).toEqual({ transport: 'outbox', location: path.join(dir, 'compass-market-2024-03-16-abc.eml') });
      const raw = fs.readFileSync(d.location, 'utf8');
      expect(raw).toMatch(/^Content-Type: multipart\/alternative/m);
      expect(raw).toContain('To: kim@example.com');
      expect(raw).toContain('Message-ID: <compass-market-2024-03-16-abc@compass.local>');
    } finally {
      t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
