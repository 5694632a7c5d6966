/**
 * The watchdog against real Temporal servers: the shared test server for a schedule paused
 * through its slots, and a private dev server (SQLite file) that is stopped past a short
 * schedule's catch-up window and started again, as an outage would.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type ScheduleOptions } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { sql } from 'kysely';
import { closeActivityDeps, createActivityDeps, type ActivityDeps } from '../activities/deps';
import { type CalendarHorizonResult, scheduleFireTimes, slotSuffix, type WatchdogCheckResult, watchdogActivities } from '../activities/watchdog';
import { kstLabel } from '../calendar/trading-calendar';
import { verdictsOf } from '../db/watchdog';
import { CATALOG } from '../schedules/catalog';
import { buildScheduleOptions } from '../schedules/options';
import { freePort } from '../scripts/lib/ports';
import { resolveTemporalCli, startDevServer } from '../scripts/lib/temporal-server';
import { startSimulator, type Simulator } from '../dev/simulator/server';
import { systemClock } from '../shared/clock';
import { opsWatchdog } from '../workflows';
import { createCollectionWorker } from '../workers/collection-worker';
import { connectTestClient, connectTestWorkerConnection, type ScratchDb, scratchDatabase, temporalAddress, testDeps, workflowBundle } from './helpers/services';
import { testClock } from './helpers/clock';

jest.setTimeout(180_000);

let sim: Simulator;
let scratch: ScratchDb;
let client: Client;
let deps: ActivityDeps;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `watchdog-test-${randomUUID()}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** On the real clock: the schedules under watch fire in real time. */
function depsFor(address: string): ActivityDeps {
  return testDeps({
    DATABASE_URL: scratch.url, SIMULATOR_URL: sim.url, TEMPORAL_ADDRESS: address, WATCHDOG_START_GRACE_SEC: '1', DATAGOKR_RPS: '1000',
  }, systemClock);
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, now: testClock });
  scratch = await scratchDatabase('watchdog');
  client = await connectTestClient();
  deps = depsFor(temporalAddress());
  worker = await createCollectionWorker({ connection: await connectTestWorkerConnection(), namespace: 'default', taskQueue, deps, workflowBundle: await workflowBundle() });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  if (deps) await closeActivityDeps(deps);
  await client?.connection.close();
  await scratch?.drop();
  await sim?.close();
});

/** A schedule firing every 10 s whose runs are quick watchdog runs that check nothing. */
function shortSchedule(id: string, queue: string, extra: Partial<ScheduleOptions> = {}): ScheduleOptions {
  return {
    scheduleId: id,
    spec: { intervals: [{ every: '10s' }] },
    action: { type: 'startWorkflow', workflowType: 'opsWatchdog', taskQueue: queue, workflowId: id, args: [{ scheduleIds: [], deadlines: false, deliver: false }], workflowExecutionTimeout: '2 minutes' },
    policies: { catchupWindow: '10s', overlap: 'ALLOW_ALL' },
    ...extra,
  };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

describe('expected fire times', () => {
  const fireTimes = async (id: string, from: string, to: string) => (await scheduleFireTimes(client, id, Date.parse(from), Date.parse(to))).map((t) => slotSuffix(new Date(t)));

  it('are the server\'s for a catalog schedule: weekdays at 16:30 KST without KRX holidays, bounds included', async () => {
    const entry = { ...CATALOG.find((e) => e.id === 'daily-collection')!, id: `wd-fire-${randomUUID().slice(0, 8)}` };
    const { options } = buildScheduleOptions(entry, { taskQueue, scope: 'mock' });
    const handle = await client.schedule.create({ ...options, state: { ...options.state, paused: true } });
    try {
      // Seollal: Friday 9 and Monday 12 February 2024 are KRX holidays.
      expect(await fireTimes(entry.id, '2024-02-05T07:30:00Z', '2024-02-16T07:30:00Z')).toEqual(
        ['05', '06', '07', '08', '13', '14', '15', '16'].map((d) => `2024-02-${d}T07:30:00Z`),
      );
      expect(await fireTimes(entry.id, '2024-02-05T07:30:01Z', '2024-02-06T07:29:59Z')).toEqual([]);
    } finally {
      await handle.delete();
    }
    const watchdog = { ...CATALOG.find((e) => e.id === 'ops-watchdog')!, id: `wd-cron-${randomUUID().slice(0, 8)}` };
    const cron = await client.schedule.create({ ...buildScheduleOptions(watchdog, { taskQueue, scope: 'mock' }).options, state: { paused: true } });
    try {
      expect(await fireTimes(watchdog.id, '2024-02-05T10:00:00Z', '2024-02-05T10:59:59Z')).toEqual(['00', '15', '30', '45'].map((m) => `2024-02-05T10:${m}:00Z`));
      // More than the server lists in one answer (1000): 15 days of quarter hours, asked for again after the last.
      const many = await fireTimes(watchdog.id, '2024-02-01T00:00:00Z', '2024-02-15T23:59:59Z');
      expect(many).toHaveLength(15 * 96);
      expect([many[0], many[999], many[1000], many.at(-1)]).toEqual(['2024-02-01T00:00:00Z', '2024-02-11T09:45:00Z', '2024-02-11T10:00:00Z', '2024-02-15T23:45:00Z']);
    } finally {
      await cron.delete();
    }
  });
});

describe('watchdog', () => {
  it('reports the slots of a schedule paused through them, once, and the slots after it was resumed as run', async () => {
    const id = `wd-paused-${randomUUID().slice(0, 8)}`;
    const handle = await client.schedule.create(shortSchedule(id, taskQueue, { state: { paused: true, note: 'paused by mistake' } }));
    try {
      const created = (await handle.describe()).info.createdAt.getTime();
      // Let two slots pass while paused (and the 1 s grace after the second).
      await sleep(Math.max(0, (Math.floor(created / 10_000) + 2) * 10_000 + 1_500 - Date.now()));
      const whilePaused = await client.workflow.execute(opsWatchdog, { taskQueue, workflowId: `wd-run-${randomUUID()}`, args: [{ scheduleIds: [id], deadlines: false, deliver: false }] });
      expect(whilePaused.schedules.findings.length).toBeGreaterThanOrEqual(1);
      for (const f of whilePaused.schedules.findings) {
        expect(f).toMatchObject({ subject: `schedule:${id}`, verdict: 'missed' });
        expect(f.detail).toBe('no run: the schedule is paused (note: "paused by mistake")');
      }
      const alerts = await sql<{ title: string; message: string; severity: string; alert_type: string }>`
        SELECT title, message, severity, alert_type FROM ops_alert WHERE source = 'watchdog' ORDER BY id`.execute(scratch.db);
      expect(alerts.rows).toHaveLength(whilePaused.schedules.findings.length);
      const first = whilePaused.schedules.findings[0]!;
      expect(alerts.rows[0]).toMatchObject({ alert_type: 'schedule_missed', severity: 'critical', title: `[스케줄 누락] ${id} · ${kstLabel(new Date(first.slot))}` });
      expect(alerts.rows[0]!.message).toContain(`schedule:${id} slot ${first.slot}`);

      await handle.unpause('resumed');
      const resumedAt = Date.now();
      // Wait for a slot after the resume to have run, and for every paused slot to be past its catch-up window.
      await waitFor('a run after the resume', async () => {
        const d = await handle.describe();
        return d.info.recentActions.some((a) => a.scheduledAt.getTime() > resumedAt);
      });
      await sleep(Math.max(0, resumedAt + 12_000 - Date.now()));
      const afterResume = await waitFor('the post-resume run to be judged', async () => {
        const r = await client.workflow.execute(opsWatchdog, { taskQueue, workflowId: `wd-run-${randomUUID()}`, args: [{ scheduleIds: [id], deadlines: false, deliver: false }] });
        return r.schedules.pending === 0 ? r : null;
      });
      // Slots already judged are not judged (or alerted) again; anything new that was missed lies before the resume.
      for (const f of afterResume.schedules.findings) {
        expect(whilePaused.schedules.findings.map((x) => x.slot)).not.toContain(f.slot);
        expect(f.verdict).toBe('missed');
        expect(Date.parse(f.slot)).toBeLessThan(resumedAt);
      }
      const verdicts = await verdictsOf(scratch.db, `schedule:${id}`);
      const ran = verdicts.filter((v) => v.slotAt.getTime() > resumedAt);
      expect(ran.length).toBeGreaterThanOrEqual(1);
      expect(ran.every((v) => v.verdict === 'ok' && v.workflowId === `${id}-${slotSuffix(v.slotAt)}`)).toBe(true);
      expect(verdicts.filter((v) => v.slotAt.getTime() <= resumedAt).every((v) => v.verdict === 'missed')).toBe(true);
      const alertCount = await sql<{ n: string }>`SELECT count(*) AS n FROM ops_alert WHERE source = 'watchdog'`.execute(scratch.db);
      expect(Number(alertCount.rows[0]!.n)).toBe(whilePaused.schedules.findings.length + afterResume.schedules.findings.length);
    } finally {
      await handle.delete();
    }
  });

  it('finds the runs of slots older than the schedule\'s ten recent actions, through the runs listed under the schedule', async () => {
    const id = `wd-many-${randomUUID().slice(0, 8)}`;
    const handle = await client.schedule.create(shortSchedule(id, taskQueue, { spec: { intervals: [{ every: '2s' }] } }));
    try {
      const info = await waitFor('13 scheduled runs', async () => {
        const d = await handle.describe();
        return d.info.numActionsTaken >= 13 ? d.info : null;
      });
      await handle.pause('enough runs');
      const last = info.recentActions.at(-1)!.scheduledAt.getTime();
      const oldestRecent = info.recentActions[0]!.scheduledAt.getTime();
      // Judged as of just after the last slot taken (grace 1 s), so that no slot of the pause is.
      const check = (): Promise<WatchdogCheckResult> =>
        new MockActivityEnvironment().run(watchdogActivities(deps).checkScheduleSlots, { scheduleIds: [id], now: new Date(last + 1_500).toISOString() });
      const result = await waitFor('every run to have finished', async () => {
        const r = await check();
        return r.pending === 0 ? r : null;
      });
      expect(result.findings).toEqual([]);
      const verdicts = await verdictsOf(scratch.db, `schedule:${id}`);
      expect(verdicts.length).toBeGreaterThanOrEqual(13);
      expect(verdicts.filter((v) => v.slotAt.getTime() < oldestRecent).length).toBeGreaterThanOrEqual(3);
      for (const v of verdicts) expect([v.verdict, v.workflowId]).toEqual(['ok', `${id}-${slotSuffix(v.slotAt)}`]);
    } finally {
      await handle.delete();
    }
  });

  it('reports a scheduled run that failed, with the source failure that ended it (an expired key)', async () => {
    // data.go.kr answers every request as an unregistered or expired key would: non-retryable.
    sim.setFaults({ rules: [{ source: 'datagokr', kind: 'auth' }] });
    const id = `wd-fail-${randomUUID().slice(0, 8)}`;
    const handle = await client.schedule.create({
      ...shortSchedule(id, taskQueue),
      action: { type: 'startWorkflow', workflowType: 'dailyCollection', taskQueue, workflowId: id, args: [{ asOf: '2024-03-15', backfillDays: 3 }], workflowExecutionTimeout: '2 minutes' },
    });
    let slot: Date;
    try {
      const first = await waitFor('the first run', async () => (await handle.describe()).info.recentActions[0]);
      await handle.pause('one failed run is enough');
      slot = first.scheduledAt;
      await waitFor('the run to fail', async () => (await client.workflow.getHandle(first.action.workflow.workflowId).describe()).status.name === 'FAILED');
      await sleep(Math.max(0, slot.getTime() + 1_500 - Date.now())); // past the 1 s grace
      const result = await client.workflow.execute(opsWatchdog, { taskQueue, workflowId: `wd-run-${randomUUID()}`, args: [{ scheduleIds: [id], deadlines: false, deliver: false }] });
      const failed = result.schedules.findings.find((f) => f.slot === slotSuffix(slot))!;
      expect(failed).toMatchObject({ verdict: 'failed', workflowId: `${id}-${slotSuffix(slot)}` });
      expect(failed.detail).toMatch(/^the run ended FAILED: SourceNonRetryable: /);
      const alert = await sql<{ alert_type: string; severity: string; title: string }>`SELECT alert_type, severity, title FROM ops_alert WHERE id = ${failed.alertId!}`.execute(scratch.db);
      expect(alert.rows[0]).toEqual({ alert_type: 'schedule_failed', severity: 'critical', title: `[스케줄 실패] ${id} · ${kstLabel(slot)}` });
    } finally {
      sim.reset();
      await handle.delete();
    }
  });

  it('reports the slots lost while the server was down past the catch-up window', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compass-wd-server-'));
    const port = await freePort();
    const serverOptions = { cliPath: resolveTemporalCli(), port, dbFilename: path.join(dir, 'temporal.db'), logFile: path.join(dir, 'temporal.log') };
    let server = await startDevServer(serverOptions);
    const own = depsFor(server.address);
    const check = (): Promise<WatchdogCheckResult> => new MockActivityEnvironment().run(watchdogActivities(own).checkScheduleSlots, { scheduleIds: [id] });
    const id = `wd-outage-${randomUUID().slice(0, 8)}`;
    try {
      const connect = async () => new Client({ connection: await Connection.connect({ address: server.address }), namespace: 'default' });
      // Nobody polls this task queue: runs start and stay open, which is enough to show the slot was taken.
      let c = await connect();
      await c.schedule.create(shortSchedule(id, `nobody-${id}`));
      await waitFor('the first scheduled run', async () => (await c.schedule.getHandle(id).describe()).info.recentActions.length > 0, 30_000);
      await c.connection.close();

      await server.stop();
      const downAt = Date.now();
      await sleep(35_000);
      server = await startDevServer(serverOptions);
      const upAt = Date.now();
      c = await connect();
      const info = await waitFor('the scheduler to count missed slots', async () => {
        const d = await c.schedule.getHandle(id).describe();
        return d.info.numActionsMissedCatchupWindow > 0 ? d.info : null;
      }, 60_000);
      await c.connection.close();
      await sleep(2_000);

      const result = await check();
      const missed = result.findings.filter((f) => f.verdict === 'missed');
      expect(missed.length).toBeGreaterThanOrEqual(info.numActionsMissedCatchupWindow);
      for (const f of missed) {
        expect(Date.parse(f.slot)).toBeGreaterThan(downAt - 10_000);
        expect(Date.parse(f.slot)).toBeLessThan(upAt);
        expect(f.detail).toMatch(/^no run started within the catch-up window \(10 s\): .*the server was down past the window \(\d+ slots missed so far\)/);
      }
      const titles = await sql<{ title: string }>`SELECT title FROM ops_alert WHERE alert_type = 'schedule_missed' AND title LIKE ${`%${id}%`}`.execute(scratch.db);
      expect(titles.rows.map((r) => r.title).sort()).toEqual(missed.map((f) => `[스케줄 누락] ${id} · ${kstLabel(new Date(f.slot))}`).sort());
      // A second look finds nothing new about those slots.
      const again = await check();
      expect(again.findings.filter((f) => missed.some((m) => m.slot === f.slot))).toEqual([]);
    } finally {
      await closeActivityDeps(own);
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('raises an alert when a deadline passes unmet: prices by 17:30, the score before 07:30, the report by 08:30', async () => {
    const acts = watchdogActivities(deps);
    const at = (now: string): Promise<WatchdogCheckResult> => new MockActivityEnvironment().run(acts.checkDeadlines, { now });
    // Monday 18 March 2024, 18:00 KST, on an empty database, with no report run.
    const r = await at('2024-03-18T09:00:00Z');
    const got = r.findings.map((f) => `${f.subject} ${f.slot} ${f.verdict}`).sort();
    expect(got).toEqual([
      'deadline:counterparty-report 2024-03-16T23:30:00Z missed',
      'deadline:counterparty-report 2024-03-17T23:30:00Z missed',
      'deadline:prices 2024-03-18T08:30:00Z missed',
      'deadline:score 2024-03-16T22:30:00Z missed',
      'deadline:score 2024-03-17T22:30:00Z missed',
    ]);
    const prices = r.findings.find((f) => f.subject === 'deadline:prices')!;
    expect(prices.detail).toBe('no prices of 2024-03-18 in stock_price_daily by 17:30 KST (daily-collection)');
    const title = await sql<{ title: string }>`SELECT title FROM ops_alert WHERE id = ${prices.alertId!}`.execute(scratch.db);
    expect(title.rows[0]!.title).toBe('[마감 누락] prices · 2024-03-18 17:30:00 KST');

    // Tuesday: the prices of the 19th are in by the deadline, the score of the 18th too.
    await sql`INSERT INTO stock_price_daily (ticker, trade_date, market, open_price, high_price, low_price, close_price, change_amount, change_rate, volume, trading_value, source)
              VALUES ('005930', '2024-03-19', 'KOSPI', 1, 1, 1, 1, 0, 0, 1, 1, 'test')`.execute(scratch.db);
    await sql`INSERT INTO compass_score_daily (ticker, score_date, total_score) VALUES ('005930', '2024-03-18', 50)`.execute(scratch.db);
    const next = await at('2024-03-19T09:00:00Z');
    expect(next.findings.map((f) => f.subject)).toEqual(['deadline:counterparty-report']);
    expect(next.judged).toBe(3);
  });
});

describe('holiday calendar horizon', () => {
  it('leaves runs recorded before the check existed replaying as they ran (patched calendar-horizon)', async () => {
    const file = path.join(__dirname, 'fixtures', 'histories', 'ops-watchdog.json');
    const { workflowId, ...history } = JSON.parse(fs.readFileSync(file, 'utf8')) as { workflowId: string };
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId)).resolves.toBeUndefined();
  });

  it('warns CALENDAR_ALERT_DAYS (60) before calendar/krx-holidays.json runs out, in one open alert, and is critical past its end', async () => {
    const DAY = 86_400_000;
    const uncovered = Date.parse('2028-01-01T00:00:00+09:00'); // the first day in Korea the file (2020-2027) does not cover
    let now = uncovered - 61 * DAY;
    const pinned = createActivityDeps(deps.cfg, { now: () => now });
    const check = (): Promise<CalendarHorizonResult> => new MockActivityEnvironment().run(watchdogActivities(pinned).checkCalendarHorizon, {});
    const open = async () => (await sql<{ id: string; alert_type: string; severity: string; title: string; message: string; repeat_count: number }>`
      SELECT id, alert_type, severity, title, message, repeat_count FROM ops_alert
       WHERE alert_type LIKE 'calendar_data_%' AND acknowledged_at IS NULL ORDER BY id`.execute(scratch.db)).rows;
    try {
      expect(await check()).toEqual({ today: '2027-11-01', lastDay: '2027-12-31', daysLeft: 61, alert: null });
      expect(await open()).toEqual([]);

      now = uncovered - 59 * DAY;
      const warned = await check();
      expect(warned).toMatchObject({ today: '2027-11-03', lastDay: '2027-12-31', daysLeft: 59, alert: { severity: 'warning' } });
      // The next watchdog run counts on the same open alert.
      expect(await check()).toEqual(warned);
      const [warning, ...more] = await open();
      expect(more).toEqual([]);
      expect(warning).toMatchObject({
        id: String(warned.alert!.alertId), alert_type: 'calendar_data_ending', severity: 'warning', repeat_count: 2,
        title: '[휴장일 데이터 만료 임박] calendar/krx-holidays.json · 2027-12-31까지',
      });
      expect(warning!.message).toBe(
        'The KRX holiday calendar (calendar/krx-holidays.json, 2020-2027) has 59 day(s) left, today (2027-11-03 KST) included: ' +
          "from 2028-01-01 every chain run fails with CalendarRangeError. Add 2028's KRX holidays to the file, set lastYear to 2028, " +
          'then deploy the worker and apply the schedules (npm run schedules -- apply).',
      );

      now = Date.parse('2028-01-02T10:00:00+09:00');
      const ended = await check();
      expect(ended).toMatchObject({ today: '2028-01-02', daysLeft: -1, alert: { severity: 'critical' } });
      const critical = (await open()).filter((a) => a.severity === 'critical');
      expect(critical).toHaveLength(1);
      expect(critical[0]).toMatchObject({ id: String(ended.alert!.alertId), alert_type: 'calendar_data_ended', title: '[휴장일 데이터 만료] calendar/krx-holidays.json · 2027-12-31까지' });
      expect(critical[0]!.message).toContain('ran out on 2027-12-31 (today is 2028-01-02 KST)');
    } finally {
      await closeActivityDeps(pinned);
    }
  });
});
