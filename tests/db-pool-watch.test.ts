/**
 * Seed 001 Part 3.4's "DB connection pool exhausted" on a real PostgreSQL: a one-connection
 * pool whose connection is held while another caller queues behind it.
 */
import { sql } from 'kysely';
import type { PoolClient } from 'pg';
import { createPooledDb } from '../db/database';
import { loadConfig } from '../config/env';
import { logger } from '../config/logger';
import { raisePoolExhaustedAlert, watchDbPool, watchWorkerPool } from '../workers/db-pool-watch';
import { eventually } from './helpers/eventually';
import { type ScratchDb, scratchDatabase } from './helpers/services';

let scratch: ScratchDb;

beforeAll(async () => {
  scratch = await scratchDatabase('poolwatch');
});

afterAll(async () => {
  await scratch?.drop();
});

async function alertRows() {
  const r = await sql<{ severity: string; title: string; message: string; repeat_count: number; source: string }>`
    SELECT severity, title, message, repeat_count, source FROM ops_alert WHERE alert_type = 'db_pool_exhausted'`.execute(scratch.db);
  return r.rows;
}

describe('the worker pool watch', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function onePool(connectionWaitMs?: number) {
    const { db, pool } = createPooledDb(scratch.url, { max: 1, connectionWaitMs });
    cleanups.push(() => db.destroy());
    return { db, pool };
  }

  it('raises one critical alert, through a connection of its own, while callers queue on a full pool', async () => {
    const { db, pool } = onePool();
    // As a worker process sets it up, from its configuration.
    const cfg = loadConfig({ DATABASE_URL: scratch.url, SIMULATOR_URL: 'http://127.0.0.1:9', DB_POOL_ALERT_AFTER_MS: '300', LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv);
    const watch = watchWorkerPool(pool, 'test worker', cfg, logger);
    cleanups.push(async () => watch.stop());
    const held: PoolClient = await pool.connect();
    const queued = sql`SELECT 1 AS one`.execute(db);

    const [alert] = await eventually(async () => {
      const rows = await alertRows();
      return rows.length ? rows : undefined;
    }, 'the alert', 10_000, 50);
    expect(alert).toMatchObject({ severity: 'critical', title: '[DB 커넥션 풀 고갈] test worker', source: 'postgres', repeat_count: 1 });
    expect(alert!.message).toMatch(/^all 1 connections of the test worker pool in use, with 1 callers queued, for \d+ s\./);
    // Once per episode: the pool staying full does not raise again.
    await new Promise((r) => setTimeout(r, 400));
    expect((await alertRows())[0]!.repeat_count).toBe(1);

    // The pool recovers; filling it again is a new episode, counted on the same open alert.
    held.release();
    await queued;
    await new Promise((r) => setTimeout(r, 100));
    const again = await pool.connect();
    const queuedAgain = sql`SELECT 1 AS one`.execute(db);
    await eventually(async () => ((await alertRows())[0]!.repeat_count === 2 ? true : undefined), 'the second episode', 10_000, 50);
    again.release();
    await queuedAgain;
    expect(await alertRows()).toHaveLength(1);
  });

  it('stays quiet when the pool is busy but nobody waits, or waits less than the threshold', async () => {
    await sql`DELETE FROM ops_alert`.execute(scratch.db);
    const { db, pool } = onePool();
    const watch = watchDbPool({ pool, max: 1, alertAfterMs: 1_000, sampleMs: 25, onExhausted: raisePoolExhaustedAlert(scratch.url, 'test worker') });
    cleanups.push(async () => watch.stop());
    const held = await pool.connect();
    await new Promise((r) => setTimeout(r, 300)); // full, but no caller queued
    const queued = sql`SELECT 1 AS one`.execute(db);
    await new Promise((r) => setTimeout(r, 300)); // queued, but under a second
    held.release();
    await queued;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await alertRows()).toHaveLength(0);
  });

  it('makes a caller that waits longer than DB_POOL_WAIT_MS fail, so Temporal retries it instead of it hanging', async () => {
    const { db, pool } = onePool(200);
    const held = await pool.connect();
    try {
      await expect(sql`SELECT 1 AS one`.execute(db)).rejects.toThrow(/timeout/i);
    } finally {
      held.release();
    }
    expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(db)).rows[0]!.one).toBe(1);
  });
});
