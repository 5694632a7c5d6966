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
 */
import type { Client } from '@temporalio/client';
import { kstLabel } from '../calendar/trading-calendar';
import { ackAlert, renderOpenAlerts } from '../client/alerts';
import { connectClient } from '../client/connection';
import {
  backfillPrices, chainStatus, initialLoad, OperationRefused, type OperationSpec, recomputeTicker, renderProgress, rerunChain, startOperation,
} from '../client/ops';
import { loadConfig } from '../config/env';
import { createDb, type Db } from '../db/database';
import { quotaUsageToday } from '../db/source-budget';
import { CHAINS, isChainName, type ChainName } from '../shared/chains';
import { progressQuery } from '../workflows/progress';
import { canConnect, operatorDatabaseUrl, redactDbUrl } from './lib/postgres';

const USAGE = `usage: npm run ops -- status | progress <workflow-id> [--watch] | rerun <chain> <YYYY-MM-DD> [--join]
                     | backfill <from> <to> | recompute <ticker> | initial-load [--backfill-days N] [--skip a,b] | quotas | alerts | ack <id>
chains: ${Object.keys(CHAINS).join(', ')}`;

class UsageError extends Error {}

const isDate = (s: string | undefined): s is string => !!s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s));

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

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

function operation(cmd: string, args: string[]): OperationSpec {
  switch (cmd) {
    case 'rerun': {
      const [chain, date] = args;
      if (!chain || !isChainName(chain)) throw new UsageError(`unknown chain ${JSON.stringify(chain)}; one of ${Object.keys(CHAINS).join(', ')}`);
      if (!isDate(date)) throw new UsageError(`date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
      return rerunChain(chain, date, args.includes('--join'));
    }
    case 'backfill': {
      const [from, to] = args;
      if (!isDate(from) || !isDate(to) || from > to) throw new UsageError('backfill needs <from> <to> as YYYY-MM-DD, from <= to');
      return backfillPrices(from, to);
    }
    case 'recompute': {
      const ticker = args[0]?.toUpperCase();
      if (!ticker || !/^[0-9A-Z]{6}$/.test(ticker)) throw new UsageError(`ticker must be 6 KRX characters, e.g. 005930; got ${JSON.stringify(args[0])}`);
      return recomputeTicker(ticker);
    }
    case 'initial-load': {
      const days = flag(args, '--backfill-days');
      const skip = flag(args, '--skip')?.split(',').filter(Boolean) ?? [];
      const bad = skip.filter((c) => !isChainName(c));
      if (bad.length) throw new UsageError(`--skip: unknown chain ${bad.join(', ')}`);
      if (days !== undefined && !(Number(days) >= 1)) throw new UsageError('--backfill-days must be a positive number');
      return initialLoad({ backfillDays: days ? Number(days) : undefined, skip: skip as ChainName[] });
    }
    default:
      throw new UsageError(USAGE);
  }
}

async function openDb(databaseUrl: string | undefined): Promise<Db> {
  const url = operatorDatabaseUrl(databaseUrl);
  if (!(await canConnect(url))) {
    throw new UsageError(`cannot reach PostgreSQL at ${redactDbUrl(url)}: set DATABASE_URL, or leave it unset while \`npm run dev\` runs`);
  }
  return createDb(url, 1);
}

async function main(): Promise<number> {
  const [cmd, ...args] = process.argv.slice(2);
  const cfg = loadConfig();
  if (cmd === 'quotas') {
    const db = await openDb(cfg.DATABASE_URL);
    try {
      const rows = await quotaUsageToday(db);
      if (rows.length === 0) console.log('no source calls counted today (KST)');
      for (const r of rows) console.log(`${r.quotaKey.padEnd(36)} ${String(r.used).padStart(6)} / ${r.dailyLimit}  (${r.kstDay})`);
    } finally {
      await db.destroy();
    }
    return 0;
  }
  if (cmd === 'alerts' || cmd === 'ack') {
    const id = Number(args[0]);
    if (cmd === 'ack' && !(Number.isInteger(id) && id > 0)) throw new UsageError('ack needs an alert id (see `npm run ops -- alerts`)');
    const db = await openDb(cfg.DATABASE_URL);
    try {
      if (cmd === 'alerts') console.log((await renderOpenAlerts(db)).join('\n'));
      else console.log(`alert #${id}: ${await ackAlert(db, id)}`);
    } finally {
      await db.destroy();
    }
    return 0;
  }
  const spec = cmd === 'status' || cmd === 'progress' ? undefined : operation(cmd ?? '', args);
  if (cmd === 'progress' && !args[0]) throw new UsageError('progress needs a workflow id (see `npm run ops -- status`)');
  const client = await connectClient(cfg);
  try {
    if (cmd === 'status') await status(client);
    else if (cmd === 'progress') await progress(client, args[0]!, args.includes('--watch'));
    else {
      const started = await startOperation(client, cfg.TEMPORAL_TASK_QUEUE, spec!);
      console.log(`${started.joined ? 'joined' : 'started'} ${started.workflowId} (run ${started.runId})`);
      console.log(`  progress: npm run ops -- progress ${started.workflowId} --watch`);
    }
    return 0;
  } finally {
    await client.connection.close();
  }
}

main().then(
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
