/** Schedules as code against a real Temporal server: apply, diff, prune and validation. */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { CATALOG, type ScheduleEntry } from '../schedules/catalog';
import { applyCatalog, ensureNamespace, planChanges, pruneSchedules } from '../schedules/manage';
import { CatalogError, validateCatalog } from '../schedules/validate';
import { connectTestClient } from './helpers/services';

const ctx = { taskQueue: 'schedules-test', scope: 'mock' as const };
let client: Client;
const suffix = randomUUID().slice(0, 6);
const daily = CATALOG.find((e) => e.id === 'daily-collection')!;
const entry: ScheduleEntry = { ...daily, id: `t-daily-${suffix}` };

beforeAll(async () => {
  client = await connectTestClient();
});

afterAll(async () => {
  for (const id of [entry.id, `t-extra-${suffix}`, `t-monthly-${suffix}`, `t-quarterly-${suffix}`, `t-weekly-${suffix}`]) await client.schedule.getHandle(id).delete().catch(() => undefined);
  await client.connection.close();
});

describe('schedule catalog', () => {
  it('validates the shipped catalog', () => {
    expect(() => validateCatalog(CATALOG)).not.toThrow();
  });

  it('creates the daily-collection schedule with its spec and policies', async () => {
    const plan = await applyCatalog(client, [entry], ctx);
    expect(plan.find((c) => c.id === entry.id)?.kind).toBe('create');
    const d = await client.schedule.getHandle(entry.id).describe();
    expect(d.spec.timezone).toBe('Asia/Seoul');
    const cal = d.spec.calendars![0]!;
    expect(cal.hour).toEqual([{ start: 16, end: 16, step: 1 }]);
    expect(cal.minute).toEqual([{ start: 30, end: 30, step: 1 }]);
    expect(cal.dayOfWeek).toEqual([{ start: 'MONDAY', end: 'FRIDAY', step: 1 }]);
    // KRX weekday holidays are skipped by the schedule itself, e.g. 2026-09-24 (Chuseok).
    expect(d.spec.skip!.some((s) => JSON.stringify(s).includes('"SEPTEMBER"') && JSON.stringify(s.dayOfMonth).includes('24') && JSON.stringify(s.year).includes('2026'))).toBe(true);
    expect(d.policies.overlap).toBe('SKIP');
    expect(d.policies.catchupWindow).toBe(3_600_000);
    expect(d.action.type).toBe('startWorkflow');
    if (d.action.type === 'startWorkflow') {
      expect(d.action.workflowType).toBe('chainSlot');
      expect(d.action.args).toEqual([{ chain: 'daily-collection' }]);
      expect(d.action.workflowRunTimeout).toBe(6 * 3_600_000);
    }
    // The next fire times are weekdays at 16:30 KST (07:30 UTC).
    for (const t of d.info.nextActionTimes.slice(0, 3)) {
      expect(t.getUTCHours()).toBe(7);
      expect(t.getUTCMinutes()).toBe(30);
      expect([1, 2, 3, 4, 5]).toContain(t.getUTCDay());
    }
  });

  it('is idempotent: a second apply changes nothing on the server', async () => {
    const before = await client.schedule.getHandle(entry.id).describe();
    const plan = await applyCatalog(client, [entry], ctx);
    expect(plan.find((c) => c.id === entry.id)?.kind).toBe('unchanged');
    const after = await client.schedule.getHandle(entry.id).describe();
    expect(after.info.lastUpdatedAt?.getTime()).toBe(before.info.lastUpdatedAt?.getTime());
    expect((await planChanges(client, [entry], ctx)).find((c) => c.id === entry.id)?.kind).toBe('unchanged');
  });

  it('diff names the changed part and apply replaces it, keeping an operator pause and note', async () => {
    const handle = client.schedule.getHandle(entry.id);
    await handle.pause('paused by the operator for maintenance');
    const changed: ScheduleEntry = { ...entry, runTimeout: '5 hours' };
    const diff = await planChanges(client, [changed], ctx);
    expect(diff.find((c) => c.id === entry.id)).toMatchObject({ kind: 'update', parts: ['action'] });
    expect((await handle.describe()).action).toMatchObject({ workflowRunTimeout: 6 * 3_600_000 }); // diff changed nothing
    await applyCatalog(client, [changed], ctx);
    const d = await handle.describe();
    expect(d.action).toMatchObject({ workflowRunTimeout: 5 * 3_600_000 });
    expect(d.state.paused).toBe(true);
    expect(d.state.note).toBe('paused by the operator for maintenance');
  });

  it('registers a namespace the server lacks (a cluster that is not the dev server), once', async () => {
    const namespace = `t-ns-${suffix}`;
    const other = new Client({ connection: client.connection, namespace });
    await expect(other.schedule.getHandle('x').describe()).rejects.toThrow(/namespace/i);
    expect(await ensureNamespace(other)).toBe(true);
    expect(await ensureNamespace(other)).toBe(false);
    const described = await client.workflowService.describeNamespace({ namespace });
    expect(Number(described.config!.workflowExecutionRetentionTtl!.seconds)).toBe(7 * 86_400);
  });

  it('rejects a malformed catalog before touching the server', async () => {
    const bad = [{ ...entry, calendar: { hour: 25, minute: 0 } }, { ...entry, id: 'Bad Id', workflowType: 'noSuchWorkflow' }];
    await expect(applyCatalog(client, bad, ctx)).rejects.toThrow(CatalogError);
    await expect(applyCatalog(client, bad, ctx)).rejects.toThrow(/calendar\.hour[\s\S]*workflowType/);
    const d = await client.schedule.getHandle(entry.id).describe();
    expect(d.action).toMatchObject({ workflowRunTimeout: 5 * 3_600_000 });
    await expect(applyCatalog(client, [entry, entry], ctx)).rejects.toThrow(/duplicate id/);
  });

  it('prune deletes managed schedules that left the catalog, and only those', async () => {
    const extra: ScheduleEntry = { ...entry, id: `t-extra-${suffix}` };
    await applyCatalog(client, [entry, extra], ctx);
    // The list is eventually consistent: wait until the new schedule shows.
    for (let i = 0; i < 50; i++) {
      const plan = await planChanges(client, [entry], ctx);
      if (plan.some((c) => c.id === extra.id && c.kind === 'delete')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const others = CATALOG.map((e) => e.id);
    const deleted = await pruneSchedules(client, [entry, ...CATALOG.filter((e) => others.includes(e.id))]);
    expect(deleted).toContain(extra.id);
    expect(deleted).not.toContain(entry.id);
    await expect(client.schedule.getHandle(extra.id).describe()).rejects.toThrow();
  });

  it('fires the weekly chain on Saturdays at 10:00, the monthly one on first Saturdays and the quarterly one in Jan/Apr/Jul/Oct only', async () => {
    const pick = (id: string) => ({ ...CATALOG.find((e) => e.id === id)!, id: `t-${id.split('-')[0]}-${suffix}` });
    const entries = [pick('weekly-refresh'), pick('monthly-products'), pick('quarterly-corporate-actions')];
    await applyCatalog(client, entries, ctx);
    const kst = (t: Date) => new Date(t.getTime() + 9 * 3_600_000); // read as UTC = Korean wall clock
    const next = async (id: string) => (await client.schedule.getHandle(id).describe()).info.nextActionTimes.map(kst);

    for (const t of await next(entries[0]!.id)) expect([t.getUTCDay(), t.getUTCHours(), t.getUTCMinutes()]).toEqual([6, 10, 0]);
    const monthly = await next(entries[1]!.id);
    expect(monthly.length).toBeGreaterThanOrEqual(3);
    for (const t of monthly) {
      expect([t.getUTCDay(), t.getUTCHours()]).toEqual([6, 13]);
      expect(t.getUTCDate()).toBeLessThanOrEqual(7);
    }
    // One a month: the first Saturday, never a second one in the same month.
    expect(new Set(monthly.map((t) => t.getUTCMonth())).size).toBe(monthly.length);
    for (const t of await next(entries[2]!.id)) {
      expect([0, 3, 6, 9]).toContain(t.getUTCMonth());
      expect([t.getUTCDay(), t.getUTCHours()]).toEqual([0, 10]);
      expect(t.getUTCDate()).toBeLessThanOrEqual(7);
    }
  });
});
