/**
 * The global limit on heavy work (seed 001 Part 3.5: one heavy background job at a time, on an
 * 8 GB machine). A heavy activity first takes one of HEAVY_WORK_SLOTS PostgreSQL advisory locks
 * on a connection of its own and holds it until it ends. The limit therefore holds across
 * every chain, workflow and worker process that shares the database, and a worker that dies
 * drops its connection and with it the slot: nothing stays locked by a crash.
 * Light steps (source calls, checks) never ask for a slot, so they are not held behind heavy ones.
 */
import { Context, heartbeat, log, sleep } from '@temporalio/activity';
import { Client } from 'pg';
import type { ActivityDeps } from './deps';

/** Advisory-lock key space of the slots: (HEAVY_LOCK_CLASS, slot number). */
const HEAVY_LOCK_CLASS = 0x0c0a55;
const POLL_MS = 500;

export async function withHeavySlot<T>(deps: ActivityDeps, what: string, body: () => Promise<T>): Promise<T> {
  const slots = deps.cfg.HEAVY_WORK_SLOTS;
  const conn = new Client({ connectionString: deps.cfg.DATABASE_URL, application_name: `compass-heavy:${what}` });
  await conn.connect();
  try {
    let slot = -1;
    for (let waited = 0; slot < 0; waited += POLL_MS) {
      for (let i = 1; i <= slots && slot < 0; i++) {
        const r = await conn.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [HEAVY_LOCK_CLASS, i]);
        if (r.rows[0]?.ok) slot = i;
      }
      if (slot >= 0) break;
      // Heartbeats keep a waiting activity alive and let cancellation reach it. What the attempt carried over
      // (the failure count of activities/attempt-budget.ts) stays in them, so a crash while waiting keeps it.
      heartbeat({ ...(Context.current().info.heartbeatDetails as object | undefined), waitingForHeavySlot: true, waitedMs: waited });
      if (waited % 30_000 === 0) log.info('waiting for a heavy-work slot', { what, slots, waitedMs: waited });
      await sleep(POLL_MS);
    }
    return await body();
  } finally {
    // Closing the session releases its advisory locks.
    await conn.end().catch(() => undefined);
  }
}
