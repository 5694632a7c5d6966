/**
 * npm run ops -- <command>
 *   status                          each chain's last run, result, duration and next fire time
 *   progress <workflow-id> [--watch] a workflow's progress, as bars (--watch: until it closes)
 *   rerun <chain> <YYYY-MM-DD> [--join]  run a chain for a date (refused while that run is going, unless --join)
 *   backfill <from> <to>            load the missing or failed price dates of a range (one backfill at a time)
 *   recompute <ticker>              recompute one ticker's Compass Score (joins a recompute already going)
 *   initial-load [--backfill-days N] [--skip chain,chain]   empty database → scored market
 *   quotas                          today's (KST) calls per source quota, counted in PostgreSQL
 *   alerts                          the open (unacknowledged) operations alerts, newest first
 *   ack <id>                        acknowledge one alert
 *
 * Dates are real calendar dates, today (KST) or earlier. Exit codes: 0 done, 1 failed, 2 usage error
 * (bad command, argument, flag or date: nothing was started), 3 refused (that run is already going).
 */
import type { Client } from '@temporalio/client';
import { kstLabel } from '../calendar/trading-calendar';
import { ackAlert, renderOpenAlerts } from '../client/alerts';
import { connectClient } from '../client/connection';
import { chainStatus, OperationRefused, renderProgress, startOperation } from '../client/ops';
import { loadConfig } from '../config/env';
import { createDb, type Db } from '../db/database';
import { quotaUsageToday } from '../db/source-budget';
import { type Clock, systemClock } from '../shared/clock';
import { taskQueuesOf } from '../shared/task-queues';
import { kstToday } from '../shared/chains';
import { progressQuery } from '../shared/progress';
import { UsageError } from './lib/cli-args';
import { parseOpsArgs } from './lib/ops-args';
import { canConnect, operatorDatabaseUrl, redactDbUrl } from '../config/database-url';

function fmt(d: Date | undefined): string {
  return d ? kstLabel(d, 'minute') : '-';
}

async function status(client: Client): Promise<void> {
  const rows = await chainStatus(client);
  console.log(`${'chain'.padEnd(28)} ${'last run'.padEnd(38)} ${'result'.padEnd(11)} ${'started'.padEnd(21)} ${'took'.padStart(8)}  next fire`);
  for (const r of rows) {
    const l = r.lastRun;
    const took = l?.seconds !== undefined ? `${l.seconds.toFixed(0)} s` : l ? 'running' : '-';
    const next = r.schedule === '(no schedule)' ? 'no schedule' : r.paused ? 'paused' : fmt(r.nextFire);
    console.log(`${r.chain.padEnd(28)} ${(l?.workflowId ?? 'never ran').padEnd(38)} ${(l?.status ?? '-').padEnd(11)} ${fmt(l?.startedAt).padEnd(21)} ${took.padStart(8)}  ${next}`);
  }
}

async function progress(client: Client, id: string, watch: boolean): Promise<void> {
  const handle = client.workflow.getHandle(id);
  for (;;) {
    const d = await handle.describe();
    let lines: string[];
    try {
      lines = renderProgress(await handle.query(progressQuery));
    } catch (err) {
      lines = [`${id}: no progress to show (${(err as Error).message.split('\n')[0]})`];
    }
    if (watch && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
    console.log([...lines, `  status: ${d.status.name}`].join('\n'));
    if (!watch || d.status.name !== 'RUNNING') return;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function openDb(databaseUrl: string | undefined): Promise<Db> {
  const url = operatorDatabaseUrl(databaseUrl);
  if (!(await canConnect(url))) {
    throw new UsageError(`cannot reach PostgreSQL at ${redactDbUrl(url)}: set DATABASE_URL, or leave it unset while \`npm run dev\` runs`);
  }
  return createDb(url, 1);
}

/** `now` is the one clock read: it decides which dates are "today or earlier". */
async function main(argv: string[], now: Clock): Promise<number> {
  const cmd = parseOpsArgs(argv, kstToday(now()));
  const cfg = loadConfig();
  if (cmd.command === 'quotas') {
    const db = await openDb(cfg.DATABASE_URL);
    try {
      const rows = await quotaUsageToday(db, now);
      if (rows.length === 0) console.log('no source calls counted today (KST)');
      for (const r of rows) console.log(`${r.quotaKey.padEnd(36)} ${String(r.used).padStart(6)} / ${r.dailyLimit}  (${r.kstDay})`);
    } finally {
      await db.destroy();
    }
    return 0;
  }
  if (cmd.command === 'alerts' || cmd.command === 'ack') {
    const db = await openDb(cfg.DATABASE_URL);
    try {
      if (cmd.command === 'alerts') console.log((await renderOpenAlerts(db)).join('\n'));
      else console.log(`alert #${cmd.alertId}: ${await ackAlert(db, cmd.alertId)}`);
    } finally {
      await db.destroy();
    }
    return 0;
  }
  const client = await connectClient(cfg, { logLevel: 'debug' });
  try {
    if (cmd.command === 'status') await status(client);
    else if (cmd.command === 'progress') await progress(client, cmd.workflowId, cmd.watch);
    else {
      const started = await startOperation(client, taskQueuesOf(cfg), cmd.operation);
      console.log(`${started.joined ? 'joined' : 'started'} ${started.workflowId} (run ${started.runId})`);
      console.log(`  progress: npm run ops -- progress ${started.workflowId} --watch`);
    }
    return 0;
  } finally {
    await client.connection.close();
  }
}

main(process.argv.slice(2), systemClock).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) {
      console.error(err.message);
      process.exit(2);
    }
    if (err instanceof OperationRefused) {
      console.error(err.message);
      process.exit(3);
    }
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
