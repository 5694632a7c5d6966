/**
 * The shared source budget (db/source-budget.ts) against a real PostgreSQL: several "workers",
 * each with its own connection pool as separate processes would have, draw from one daily
 * count and one per-second spacing.
 */
import { createDb, type Db } from '../db/database';
import { QUOTA_SPENT_CODE, quotaUsageToday, slotSpacingMs, SourceBudget } from '../db/source-budget';
import { SourceError } from '../sources/errors';
import { type ScratchDb, scratchDatabase } from './helpers/services';

let scratch: ScratchDb;
let pools: Db[];

beforeAll(async () => {
  scratch = await scratchDatabase('budget');
  pools = Array.from({ length: 4 }, () => createDb(scratch.url, 3));
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.destroy()));
  await scratch.drop();
});

describe('daily quota counted in PostgreSQL', () => {
  it('four workers calling at once never take more than the limit; the rest are told to wait until midnight KST', async () => {
    const budgets = pools.map((db) => new SourceBudget(db, { source: 'dart', quotaKey: 'test:daily', dailyLimit: 25 }));
    const outcomes = await Promise.allSettled(budgets.flatMap((b) => Array.from({ length: 20 }, () => b.wait())));
    const granted = outcomes.filter((o) => o.status === 'fulfilled').length;
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as unknown);
    expect(granted).toBe(25);
    expect(refused).toHaveLength(55);
    for (const err of refused) {
      expect(err).toBeInstanceOf(SourceError);
      const e = err as SourceError;
      expect(e).toMatchObject({ source: 'dart', failureClass: 'rate-limited', code: QUOTA_SPENT_CODE });
      expect(e.retryAfterMs).toBeGreaterThan(60_000);
      expect(e.retryAfterMs).toBeLessThanOrEqual(24 * 3_600_000 + 60_000);
      expect(e.message).toMatch(/daily quota of 25 calls for test:daily is spent/);
    }
    expect(await quotaUsageToday(scratch.db)).toContainEqual(expect.objectContaining({ quotaKey: 'test:daily', used: 25, dailyLimit: 25 }));
  });

  it('a new Korean day starts a new count', async () => {
    let now = Date.parse('2026-12-08T23:59:30+09:00');
    const b = new SourceBudget(pools[0]!, { source: 'dart', quotaKey: 'test:rollover', dailyLimit: 1 }, () => now);
    await b.wait();
    // Spent: the wait is until 00:01 KST, half a minute to midnight plus the minute of slack.
    await expect(b.wait()).rejects.toMatchObject({ code: QUOTA_SPENT_CODE, retryAfterMs: 90_000 });
    now += 60_000; // 00:00:30 KST on the 9th
    await expect(b.wait()).resolves.toBeUndefined();
    expect(await quotaUsageToday(scratch.db, () => now)).toContainEqual(expect.objectContaining({ quotaKey: 'test:rollover', kstDay: '2026-12-09', used: 1 }));
  });

  it('quotas are separate per key (each data.go.kr API has its own)', async () => {
    const a = new SourceBudget(pools[0]!, { source: 'datagokr', quotaKey: 'datagokr:getStockPriceInfo', dailyLimit: 1 });
    const b = new SourceBudget(pools[1]!, { source: 'datagokr', quotaKey: 'datagokr:getDiviInfo_V2', dailyLimit: 1 });
    await a.wait();
    await expect(b.wait()).resolves.toBeUndefined();
    await expect(a.wait()).rejects.toBeInstanceOf(SourceError);
  });
});

describe('per-second spacing shared through PostgreSQL', () => {
  it('calls from three workers at once come at least 1/rps apart, in one sequence', async () => {
    const rps = 10;
    const budgets = pools.slice(0, 3).map((db) => new SourceBudget(db, { source: 'dart', rateKey: 'test:rate', rps }));
    const granted: number[] = [];
    await Promise.all(budgets.flatMap((b) => Array.from({ length: 6 }, async () => {
      await b.wait();
      granted.push(performance.now());
    })));
    granted.sort((x, y) => x - y);
    expect(granted).toHaveLength(18);
    const gaps = granted.slice(1).map((t, i) => t - granted[i]!);
    // The slots are 110 ms apart on the database's clock; a few ms of query latency may
    // shift one grant against the next, but never by half a slot.
    expect(Math.min(...gaps)).toBeGreaterThan(1000 / rps - 10);
    expect(granted[17]! - granted[0]!).toBeGreaterThanOrEqual(17 * (1000 / rps) - 20);
  });

  it('keeps the spacing when one worker wakes late after its slot (a starved event loop)', async () => {
    const rps = 10;
    const spacing = slotSpacingMs(rps);
    // Worker 0's timers fire 250 ms late, more than two slots: without the send confirmation its
    // calls would go out right beside the on-time calls of workers 1 and 2.
    const lateSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms + 250));
    const budgets = pools.slice(0, 3).map((db, i) => new SourceBudget(db, { source: 'dart', rateKey: 'test:late', rps }, undefined, i === 0 ? lateSleep : undefined));
    const sent: number[] = [];
    await Promise.all(budgets.flatMap((b) => Array.from({ length: 5 }, async () => {
      await b.wait();
      sent.push(performance.now());
    })));
    sent.sort((x, y) => x - y);
    expect(sent).toHaveLength(15);
    const gaps = sent.slice(1).map((t, i) => t - sent[i]!);
    // Each send is confirmed in the database after the previous one's instant plus a full spacing;
    // the client-side instants can differ from the database's by the query latency, a few ms.
    expect(Math.min(...gaps)).toBeGreaterThan(spacing - 15);
  });

  it('spaces slots a little wider than the limit, so arrival jitter cannot break it', () => {
    expect(slotSpacingMs(1)).toBe(1050);
    expect(slotSpacingMs(20)).toBeCloseTo(55);
  });

  it('refuses a budget without a usable limit', () => {
    expect(() => new SourceBudget(pools[0]!, { source: 'x', quotaKey: 'k', dailyLimit: 0 })).toThrow(/daily limit must be positive/);
    expect(() => new SourceBudget(pools[0]!, { source: 'x', rateKey: 'k', rps: 0 })).toThrow(/rps must be positive/);
  });
});
