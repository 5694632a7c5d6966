/**
 * What every benchmark runs on: a fresh Temporal dev server, a scratch PostgreSQL database,
 * the simulator, and the collection worker as its own process (so its peak RSS is its own).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createDb, type Db } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { type SimulatorOptions, startSimulator, type Simulator } from '../../dev/simulator/server';
import { adminPostgres, createScratchDatabase, dropDatabase } from './postgres';
import { freePort } from './ports';
import { resolveTemporalCli, startDevServer } from './temporal-server';

const ROOT = path.resolve(__dirname, '../..');

export interface BenchEnv {
  db: Db;
  dbUrl: string;
  sim: Simulator;
  client: Client;
  taskQueue: string;
  worker: ChildProcess;
  close(): Promise<void>;
}

export async function startBenchEnv(o: { simulator: Omit<SimulatorOptions, 'port'>; workerEnv: Record<string, string> }): Promise<BenchEnv> {
  const stops: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
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
    const sim = await startSimulator({ port: 0, ...o.simulator });
    stops.push(sim.close);

    const bundlePath = path.join(os.tmpdir(), `compass-bench-bundle-${process.pid}.js`);
    const built = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-workflow-bundle.ts', bundlePath], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (built.status !== 0) throw new Error('building the workflow bundle failed');
    stops.push(async () => fs.rmSync(bundlePath, { force: true }));

    const taskQueue = 'bench-collection';
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const worker = spawn(process.execPath, [...profile, `--max-old-space-size=${process.env.WORKER_HEAP_MB ?? 256}`, '--import', 'tsx', 'workers/main.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: taskQueue, DATABASE_URL: dbUrl,
        SIMULATOR_URL: sim.url, WORKFLOW_BUNDLE_PATH: bundlePath, DATA_SCOPE: 'mock', LOG_LEVEL: 'warn', LOG_PRETTY: '0',
        ...o.workerEnv,
      },
    });
    stops.push(() => stopChild(worker));

    const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
    stops.push(() => client.connection.close());
    return { db, dbUrl, sim, client, taskQueue, worker, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
  });
}
