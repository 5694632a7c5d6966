/**
 * What the benchmarks with worker processes of their own (crash, scale) start first: a Temporal dev
 * server, PostgreSQL, the simulator on a pinned clock, a client and a prebuilt workflow bundle that the
 * spawned workers load; `freshDb` gives each run an empty, migrated database. Everything is torn down
 * through `stops`, last started first.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createDb, type Db } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../dev/simulator/server';
import { buildWorkflowBundle } from '../build-workflow-bundle';
import type { CrashStack } from './crash-run';
import { freePort } from './ports';
import { adminPostgres, createScratchDatabase, dropDatabase } from './postgres';
import { resolveTemporalCli, startDevServer } from './temporal-server';

export interface WorkerProcessStack {
  stack: CrashStack & { sim: Simulator };
  freshDb(label: string): Promise<{ url: string; db: Db }>;
}

export async function startWorkerProcessStack(name: string, simulator: SimulatorOptions, stops: Array<() => Promise<unknown>>): Promise<WorkerProcessStack> {
  const temporal = await startDevServer({ cliPath: resolveTemporalCli(), port: await freePort(), logFile: path.join(os.tmpdir(), 'compass-bench-temporal.log') });
  stops.push(temporal.stop);
  const admin = await adminPostgres(path.resolve(__dirname, '..', '..', '.data', 'bench-postgres'), freePort, stops);
  const sim = await startSimulator({ port: 0, ...simulator });
  stops.push(sim.close);
  const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  stops.push(() => client.connection.close());
  const bundlePath = await buildWorkflowBundle(path.join(os.tmpdir(), `compass-bench-${name}-bundle-${process.pid}.js`));
  stops.push(async () => fs.rmSync(bundlePath, { force: true }));
  const logFile = path.join(os.tmpdir(), `compass-bench-${name}-workers.log`);
  return {
    stack: { temporalAddress: temporal.address, client, simulatorUrl: sim.url, bundlePath, logFile, sim },
    async freshDb(label) {
      const dbName = `compass_bench_${name}_${label}_${process.pid}`;
      const url = await createScratchDatabase(admin, dbName);
      stops.push(() => dropDatabase(admin, dbName));
      const db = createDb(url, 2);
      stops.push(() => db.destroy());
      await migrateToLatest(db);
      return { url, db };
    },
  };
}
