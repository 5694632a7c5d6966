/**
 * The operations page in a real browser (Debian's Chromium through playwright-core) against a
 * real stack: the test Temporal server with the collection catalog applied, a scratch database
 * with run-log rows and an open alert, and the admin routes over HTTP.
 */
import fs from 'node:fs';
import { sql } from 'kysely';
import { type Browser, chromium } from 'playwright-core';
import { kstLabel } from '../calendar/trading-calendar';
import { raiseAlert } from '../db/alerts';
import { eventually } from './helpers/eventually';
import { type AdminStack, startAdminStack, TOKEN, UI } from './helpers/admin-stack';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = '/tmp/compass-admin-page.png';
const haveChromium = fs.existsSync(CHROMIUM);
const NAME = 'shows a card per schedule with its next fire time, the run log and the alerts; 확인 acknowledges an alert';

let stack: AdminStack;
let browser: Browser;

beforeAll(async () => {
  if (!haveChromium) return;
  stack = await startAdminStack('admin_page');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** `read()` once it satisfies `ok`, or its last value after `ms` (for the assertion to show). */
async function settled<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await read();
  while (!ok(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  return v;
}

/** A daily run that really exists on the server (no worker: started, then terminated), for the card's last run and link. */
async function aRun(): Promise<{ workflowId: string; runId: string }> {
  const workflowId = `daily-collection-2026-11-20-${Date.now()}`;
  const handle = await stack.client.workflow.start('dailyCollection', { taskQueue: stack.taskQueue, workflowId, args: [{ asOf: '2026-11-20' }] });
  await handle.terminate('admin page test');
  // Visibility is eventually consistent: wait until the list shows it first, as the card will.
  await eventually(async () => {
    for await (const w of stack.client.workflow.list({ query: `WorkflowType = 'dailyCollection'`, pageSize: 1 })) return w.workflowId === workflowId || undefined;
    return undefined;
  }, `${workflowId} in the workflow list`, 15_000);
  return { workflowId, runId: handle.firstExecutionRunId };
}

(haveChromium ? it : it.skip)(haveChromium ? NAME : `${NAME} [skipped: no Chromium at ${CHROMIUM}; apt-get install chromium]`, async () => {
  const run = await aRun();
  await sql`
    INSERT INTO data_collection_log (workflow_id, run_id, chain, step, trading_date, status, started_at, finished_at, rows_in, rows_written, error)
    VALUES (${run.workflowId}, ${run.runId}, 'daily-collection', 'prices', '2026-11-20', 'succeeded', '2026-11-20T16:30:05+09:00', '2026-11-20T16:32:10+09:00', 2874, 2874, NULL),
           (${run.workflowId}, ${run.runId}, 'daily-collection', 'checks', '2026-11-20', 'succeeded', '2026-11-20T16:32:11+09:00', '2026-11-20T16:32:12+09:00', NULL, NULL, NULL),
           (${run.workflowId}, ${run.runId}, 'daily-collection', 'score', '2026-11-20', 'failed', '2026-11-20T16:32:13+09:00', '2026-11-20T16:33:40+09:00', 2874, 0, 'heavy-work slot not granted')`
    .execute(stack.scratch.db);
  const alertId = await raiseAlert(stack.scratch.db, {
    alertType: 'source_failure', severity: 'critical', title: '[데이터 수집 실패] datagokr 99 (loadPriceBatch)',
    message: 'data.go.kr answered resultCode 99 three times', source: 'datagokr', workflowId: run.workflowId, runId: run.runId,
  });

  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'ko-KR', timezoneId: 'UTC' });
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${stack.url}/admin#token=${TOKEN}`);

  // A card per schedule, its next fire time as the server's describe says, in KST.
  for (const e of stack.entries) {
    const card = page.locator(`article.card[data-schedule-id="${e.id}"]`);
    const d = await stack.client.schedule.getHandle(e.id).describe();
    const next = d.info.nextActionTimes[0];
    const want = next ? kstLabel(next, 'minute') : '-';
    expect(await settled(() => card.locator('.next-fire').textContent(), (t) => !!t?.includes(want))).toContain(want);
    if (d.state.paused) await expect(card.textContent()).resolves.toMatch(/일시정지[\s\S]*일시정지예[\s\S]*paused by the admin page test/);
  }
  const daily = page.locator(`article.card[data-schedule-id="${stack.entries.find((e) => e.id.endsWith('-daily-collection'))!.id}"]`);
  const runLink = `${UI}/namespaces/default/workflows/${run.workflowId}/${run.runId}`;
  await expect(daily.locator(`a[href="${runLink}"]`).textContent()).resolves.toBe(run.workflowId);
  await expect(daily.textContent()).resolves.toMatch(/강제 종료[\s\S]*열린 알림1건 \[데이터 수집 실패\] datagokr 99/);

  // The run log, newest first, with KST times and links to the run.
  const logRows = page.locator('#logs tbody tr');
  expect(await settled(() => logRows.count(), (n) => n === 3)).toBe(3);
  await expect(logRows.first().textContent()).resolves.toContain('2026-11-20 16:32:13 KST');
  await expect(logRows.first().textContent()).resolves.toContain('heavy-work slot not granted');
  await expect(logRows.first().locator(`a[href="${runLink}"]`).count()).resolves.toBe(1);

  fs.rmSync(SCREENSHOT, { force: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });

  // 확인 acknowledges the alert in the database, and it leaves the page.
  const alertRow = page.locator(`#alerts tr[data-alert-id="${alertId}"]`);
  await expect(alertRow.textContent()).resolves.toContain('[데이터 수집 실패] datagokr 99');
  await alertRow.getByRole('button', { name: '확인' }).click();
  expect(await settled(() => alertRow.count(), (n) => n === 0)).toBe(0);
  const row = await sql<{ acknowledged_at: Date | null }>`SELECT acknowledged_at FROM ops_alert WHERE id = ${alertId}`.execute(stack.scratch.db);
  expect(row.rows[0]!.acknowledged_at).toBeInstanceOf(Date);
  expect(await settled(() => page.locator('#no-alerts').isVisible(), Boolean)).toBe(true);
  expect(await settled(() => daily.textContent(), (t) => !!t?.includes('열린 알림없음'))).toContain('열린 알림없음');

  // The token left the address bar, stayed in sessionStorage, and never went out in a URL; nothing but the server was asked.
  expect(page.url()).toBe(`${stack.url}/admin`);
  await expect(page.evaluate('sessionStorage.getItem("compass-admin-token")')).resolves.toBe(TOKEN);
  expect(requests.filter((u) => u.includes(TOKEN))).toEqual([]);
  expect(requests.filter((u) => !u.startsWith(stack.url))).toEqual([]);
  await page.close();
}, 120_000);
