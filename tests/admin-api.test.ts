/**
 * The admin routes over HTTP (api/admin-routes.ts) against a scratch database and the test
 * Temporal server: collection-log paging and filters, bad input, the token, schedules and alerts.
 */
import { sql } from 'kysely';
import { kstLabel } from '../calendar/trading-calendar';
import { raiseAlert } from '../db/alerts';
import { type AdminStack, startAdminStack, TOKEN, UI } from './helpers/admin-stack';

let stack: AdminStack;

beforeAll(async () => {
  stack = await startAdminStack('admin_api');
});

afterAll(async () => {
  await stack?.close();
});

async function get(path: string, token: string | null = TOKEN, method = 'GET') {
  const res = await fetch(stack.url + path, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

interface LogSeed { chain: string; step: string; status: string; started: string; workflow?: string }

async function insertLogs(rows: LogSeed[]): Promise<number[]> {
  const ids: number[] = [];
  for (const [i, r] of rows.entries()) {
    const res = await sql<{ id: string }>`
      INSERT INTO data_collection_log (workflow_id, run_id, chain, step, status, started_at, finished_at, rows_in, rows_written, error)
      VALUES (${r.workflow ?? `${r.chain}-${r.started.slice(0, 10)}`}, ${`run-${i}-${r.step}`}, ${r.chain}, ${r.step}, ${r.status},
              ${r.started}::timestamptz, ${r.started}::timestamptz + interval '90 seconds', 100, 90, ${r.status === 'failed' ? 'source down' : null})
      RETURNING id`.execute(stack.scratch.db);
    ids.push(Number(res.rows[0]!.id));
  }
  return ids;
}

describe('GET /admin/collection-logs', () => {
  let dailyIds: number[];

  beforeAll(async () => {
    // Nine daily steps over three Korean days (the first at 00:30 KST = the evening before in UTC), two weekly ones.
    dailyIds = await insertLogs([
      { chain: 'daily-collection', step: 'prices', status: 'succeeded', started: '2026-11-18T00:30:00+09:00' },
      { chain: 'daily-collection', step: 'checks', status: 'succeeded', started: '2026-11-18T00:40:00+09:00' },
      { chain: 'daily-collection', step: 'score', status: 'failed', started: '2026-11-18T00:50:00+09:00' },
      { chain: 'daily-collection', step: 'prices', status: 'succeeded', started: '2026-11-19T16:30:00+09:00' },
      { chain: 'daily-collection', step: 'checks', status: 'skipped', started: '2026-11-19T16:40:00+09:00' },
      { chain: 'daily-collection', step: 'score', status: 'succeeded', started: '2026-11-19T16:50:00+09:00' },
      { chain: 'daily-collection', step: 'prices', status: 'failed', started: '2026-11-20T16:30:00+09:00' },
      { chain: 'daily-collection', step: 'prices', status: 'succeeded', started: '2026-11-20T17:30:00+09:00' },
      { chain: 'daily-collection', step: 'score', status: 'running', started: '2026-11-20T23:59:00+09:00' },
    ]);
    await insertLogs([
      { chain: 'weekly-refresh', step: 'listing', status: 'succeeded', started: '2026-11-21T10:00:00+09:00' },
      { chain: 'weekly-refresh', step: 'stocks', status: 'failed', started: '2026-11-21T10:05:00+09:00' },
    ]);
  });

  it('pages through a chain with limit 2: every row once, newest first, stable while rows arrive', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, body } = await get(`/admin/collection-logs?chain=daily-collection&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(status).toBe(200);
      expect(body.rows.length).toBeLessThanOrEqual(2);
      seen.push(...body.rows.map((r: { id: number }) => r.id));
      cursor = body.next;
      if (++pages === 2) {
        // A new run starts while the operator pages: it lands above page 1, not in the pages to come.
        await insertLogs([{ chain: 'daily-collection', step: 'prices', status: 'running', started: '2026-11-23T16:30:00+09:00' }]);
      }
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual([...dailyIds].reverse());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('returns rows with ISO times, KST labels and a Web UI link', async () => {
    const { body } = await get('/admin/collection-logs?chain=weekly-refresh');
    expect(body.next).toBeNull();
    expect(body.limit).toBe(50);
    expect(body.rows).toHaveLength(2);
    expect(body.rows[0]).toMatchObject({
      chain: 'weekly-refresh', step: 'stocks', status: 'failed', error: 'source down', rows_in: 100, rows_written: 90, seconds: 90,
      started_at: '2026-11-21T01:05:00.000Z', started_at_kst: '2026-11-21 10:05:00 KST', finished_at_kst: '2026-11-21 10:06:30 KST',
      temporal_ui_url: `${UI}/namespaces/default/workflows/weekly-refresh-2026-11-21/run-1-stocks`,
    });
  });

  it('filters by status (one or several) and by KST dates', async () => {
    const failed = await get('/admin/collection-logs?status=failed');
    expect(failed.body.rows.map((r: { chain: string; step: string }) => `${r.chain}/${r.step}`)).toEqual(['weekly-refresh/stocks', 'daily-collection/prices', 'daily-collection/score']);
    const two = await get('/admin/collection-logs?chain=daily-collection&status=failed,skipped');
    expect(two.body.rows.map((r: { status: string }) => r.status)).toEqual(['failed', 'skipped', 'failed']);
    // 2026-11-18 in Korea starts at 2026-11-17T15:00Z: the 00:30 KST row belongs to it.
    const day = await get('/admin/collection-logs?chain=daily-collection&from=2026-11-18&to=2026-11-18');
    expect(day.body.rows.map((r: { started_at_kst: string }) => r.started_at_kst)).toEqual([
      '2026-11-18 00:50:00 KST', '2026-11-18 00:40:00 KST', '2026-11-18 00:30:00 KST',
    ]);
    // `to` takes its whole day, to 23:59 KST.
    const range = await get('/admin/collection-logs?chain=daily-collection&from=2026-11-19&to=2026-11-20');
    expect(range.body.rows).toHaveLength(6);
    expect(range.body.filters).toEqual({ chain: 'daily-collection', status: null, from: '2026-11-19', to: '2026-11-20', cursor: null });
  });

  it.each([
    ['from=2026-02-30', 'invalid date', /from: date must be a calendar date written YYYY-MM-DD, got "2026-02-30"/],
    ['to=20261120', 'invalid date', /to: date must be a calendar date/],
    ['from=2999-01-01', 'invalid date', /from: date 2999-01-01 is after today \(\d{4}-\d{2}-\d{2} in KST\)/],
    ['from=2026-11-20&to=2026-11-19', 'invalid date', /from \(2026-11-20\) is after to \(2026-11-19\)/],
    ['limit=0', 'invalid limit', /from 1 to 500/],
    ['limit=501', 'invalid limit', /from 1 to 500, got "501"/],
    ['limit=ten', 'invalid limit', /got "ten"/],
    ['status=done', 'invalid status', /running, succeeded, failed, skipped/],
    ['cursor=abc', 'invalid cursor', /"next" value/],
  ])('400 on %s', async (query, error, detail) => {
    const { status, body } = await get(`/admin/collection-logs?${query}`);
    expect(status).toBe(400);
    expect(body.error).toBe(error);
    expect(body.detail).toMatch(detail);
  });
});

describe('the token', () => {
  it.each(['/admin/collection-logs', '/admin/schedules', '/admin/alerts'])('401 on %s without the token or with a wrong one', async (path) => {
    expect((await get(path, null)).status).toBe(401);
    expect((await get(path, 'wrong-token-wrong-token')).status).toBe(401);
  });

  it('401 on acknowledging without the token', async () => {
    expect((await get('/admin/alerts/1/ack', null, 'POST')).status).toBe(401);
  });

  it('serves the page and its script without the token: they hold no data', async () => {
    for (const path of ['/admin', '/admin/app.js']) {
      const res = await fetch(stack.url + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(await res.text()).not.toContain(TOKEN);
    }
  });
});

describe('GET /admin/schedules and the alerts', () => {
  it('shows every catalog schedule with its next fire time in KST, paused state and note', async () => {
    const { status, body } = await get('/admin/schedules');
    expect(status).toBe(200);
    expect(body.schedules.map((s: { id: string }) => s.id)).toEqual(stack.entries.map((e) => e.id));
    for (const card of body.schedules) {
      const d = await stack.client.schedule.getHandle(card.id).describe();
      expect(card).toMatchObject({ registered: true, paused: d.state.paused, note: d.state.note ?? null });
      const next = d.info.nextActionTimes[0];
      expect(card.next_fire_kst).toBe(next ? kstLabel(next, 'minute') : null);
    }
    expect(body.schedules.at(-1)).toMatchObject({ paused: true, note: expect.stringContaining('paused by the admin page test') });
  });

  it('counts open alerts per chain, lists them, and acknowledges one', async () => {
    const id = await raiseAlert(stack.scratch.db, {
      alertType: 'source_failure', severity: 'critical', title: '[데이터 수집 실패] datagokr 30 (loadPriceBatch)',
      message: 'SERVICE KEY IS NOT REGISTERED', source: 'datagokr', workflowId: 'weekly-refresh-2026-11-21',
    });
    const cards = (await get('/admin/schedules')).body.schedules as Array<{ chain: string; alerts: { open: number; newest: { id: number } | null } }>;
    expect(cards.find((c) => c.chain === 'weekly-refresh')!.alerts).toMatchObject({ open: 1, newest: { id } });
    expect(cards.find((c) => c.chain === 'daily-collection')!.alerts).toEqual({ open: 0, newest: null });

    const open = await get('/admin/alerts');
    expect(open.body.alerts).toEqual([expect.objectContaining({ id, chain: 'weekly-refresh', temporal_ui_url: `${UI}/namespaces/default/workflows/weekly-refresh-2026-11-21` })]);

    expect((await get(`/admin/alerts/${id}/ack`, TOKEN, 'GET')).status).toBe(405);
    expect(await get(`/admin/alerts/${id}/ack`, TOKEN, 'POST')).toEqual({ status: 200, body: { id, outcome: 'acknowledged' } });
    expect((await get(`/admin/alerts/${id}/ack`, TOKEN, 'POST')).body.outcome).toBe('already-acknowledged');
    expect((await get('/admin/alerts')).body.alerts).toEqual([]);
    expect((await get('/admin/alerts/999999/ack', TOKEN, 'POST')).status).toBe(404);
    expect((await get('/admin/alerts/x1/ack', TOKEN, 'POST')).status).toBe(400);
  });
});
