/**
 * npm run bench -- daily
 * Measures the daily chain on the simulator (~2,900 tickers): the five-year price backfill
 * into an empty table with the simulator allowing 20 requests per second, then one trading
 * day's chain on the loaded database. The worker runs as its own process, so its peak RSS
 * (VmHWM) is its own. Ends with one JSON line:
 *   {"chain_s": …, "backfill_s": …, "backfill_rows": …, "peak_rss_mb": …}
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { createDb } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { startSimulator } from '../simulator/server';
import { dailyCollection } from '../workflows';
import { adminPostgres, createScratchDatabase, dropDatabase } from './lib/postgres';
import { freePort } from './lib/ports';
import { resolveTemporalCli, startDevServer } from './lib/temporal-server';

const ROOT = path.resolve(__dirname, '..');
const BACKFILL_AS_OF = '2026-11-19';
const CHAIN_AS_OF = '2026-11-20';
const SIM_RPS = 20;

function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function main(): Promise<void> {
  if (process.argv[2] !== 'daily') {
    console.error('usage: npm run bench -- daily');
    process.exit(2);
  }
  const stops: Array<() => Promise<unknown>> = [];
  try {
    const temporal = await startDevServer({ cliPath: resolveTemporalCli(), port: await freePort(), logFile: path.join(os.tmpdir(), 'compass-bench-temporal.log') });
    stops.push(temporal.stop);
    const admin = await adminPostgres(path.join(ROOT, '.data', 'bench-postgres'), freePort, stops);
    const dbName = `compass_bench_${process.pid}`;
    const dbUrl = await createScratchDatabase(admin, dbName);
    stops.push(() => dropDatabase(admin, dbName));
    const db = createDb(dbUrl, 2);
    stops.push(() => db.destroy());
    await migrateToLatest(db);
    const sim = await startSimulator({ port: 0, faults: { rps: SIM_RPS } });
    stops.push(sim.close);

    const bundlePath = path.join(os.tmpdir(), `compass-bench-bundle-${process.pid}.js`);
    const built = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-workflow-bundle.ts', bundlePath], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (built.status !== 0) throw new Error('building the workflow bundle failed');
    stops.push(async () => fs.rmSync(bundlePath, { force: true }));

    const taskQueue = 'bench-collection';
    const worker = spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/cpuprof2'] : []), `--max-old-space-size=${process.env.WORKER_HEAP_MB ?? 256}`, '--import', 'tsx', 'workers/main.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: taskQueue, DATABASE_URL: dbUrl,
        SIMULATOR_URL: sim.url, WORKFLOW_BUNDLE_PATH: bundlePath, DATAGOKR_API_KEY: '', DATAGOKR_RPS: String(SIM_RPS), LOG_LEVEL: 'warn', LOG_PRETTY: '0',
      },
    });
    stops.push(() => stopChild(worker));

    const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
    stops.push(() => client.connection.close());
    const run = async (asOf: string, backfillDays?: number) => {
      const started = Date.now();
      const result = await client.workflow.execute(dailyCollection, { taskQueue, workflowId: `bench-${asOf}-${Date.now()}`, args: [{ asOf, backfillDays }] });
      return { result, seconds: (Date.now() - started) / 1000 };
    };

    process.stderr.write(`backfill: five years into an empty table, simulator at ${SIM_RPS} req/s…\n`);
    const backfill = await run(BACKFILL_AS_OF, 1825);
    const loadSpan = await sql<{ s: number }>`
      SELECT extract(epoch FROM max(finished_at) - min(started_at))::float8 AS s FROM data_collection_log WHERE step LIKE 'prices %'`.execute(db);
    const backfillS = Number(loadSpan.rows[0]!.s);
    const backfillRows = backfill.result.prices.rows;
    await printSteps(db, `bench-${BACKFILL_AS_OF}-%`);
    process.stderr.write(`  backfill run ${backfill.seconds.toFixed(1)} s in all; prices ${backfillS.toFixed(1)} s, ${backfillRows} rows (${Math.round(backfillRows / backfillS)} rows/s)\n`);

    process.stderr.write('chain: one trading day on the loaded database…\n');
    const chain = await run(CHAIN_AS_OF);
    await printSteps(db, `bench-${CHAIN_AS_OF}-%`);
    process.stderr.write(`  chain ${chain.seconds.toFixed(2)} s (${chain.result.prices.rows} price rows, ${chain.result.score?.scored} scores)\n`);

    const figures = {
      chain_s: Number(chain.seconds.toFixed(2)),
      backfill_s: Number(backfillS.toFixed(1)),
      backfill_rows: backfillRows,
      peak_rss_mb: peakRssMb(worker.pid!),
    };
    console.log(JSON.stringify(figures));
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

async function printSteps(db: ReturnType<typeof createDb>, workflowPattern: string): Promise<void> {
  const rows = await sql<{ step: string; s: number; rows: number | null }>`
    SELECT CASE WHEN step LIKE 'prices %' THEN 'prices (all batches, summed)' ELSE step END AS step,
           sum(extract(epoch FROM finished_at - started_at))::float8 AS s, sum(coalesce(rows_written, rows_in))::int AS rows
      FROM data_collection_log WHERE workflow_id LIKE ${workflowPattern}
     GROUP BY 1 ORDER BY min(started_at)`.execute(db);
  for (const r of rows.rows) {
    const perS = r.rows && r.s > 0 ? `  ${Math.round(r.rows / r.s)} rows/s` : '';
    process.stderr.write(`  ${r.step.padEnd(30)} ${Number(r.s).toFixed(2).padStart(8)} s  ${String(r.rows ?? '-').padStart(9)} rows${perS}\n`);
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
