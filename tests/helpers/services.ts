/**
 * The services `npm test` provides (scripts/test.ts): a Temporal dev server, a PostgreSQL
 * admin URL and, when one runs, Redis. A test that needs a missing service is skipped and
 * named in the output, never silently passed.
 */
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { type ActivityDeps, closeActivityDeps, createActivityDeps } from '../../activities/deps';
import { loadConfig } from '../../config/env';
import { createDb, type Db } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { createScratchDatabase, dropDatabase } from '../../scripts/lib/postgres';
import type { Clock } from '../../shared/clock';
import { createCollectionWorker, workflowsPath } from '../../workers/collection-worker';
import { testClock } from './clock';

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suite with \`npm test\`, which starts the services it needs`);
  return v;
}

export const temporalAddress = () => need('COMPASS_TEST_TEMPORAL_ADDRESS');
export const pgAdminUrl = () => need('COMPASS_TEST_PG_ADMIN_URL');
export const redisUrl = (): string | undefined => process.env.COMPASS_TEST_REDIS_URL || undefined;

/** `it` when Redis is there; otherwise a skipped test whose name says why. */
export function itWithRedis(name: string, fn: () => Promise<void>, timeout?: number): void {
  if (redisUrl()) it(name, fn, timeout);
  else it.skip(`${name} [skipped: no Redis; set REDIS_URL or start redis-server]`, fn);
}

export async function connectTestClient(): Promise<Client> {
  const connection = await Connection.connect({ address: temporalAddress() });
  return new Client({ connection, namespace: 'default' });
}

/** A client of another namespace of the test server (the job scopes' namespaces are registered by npm test). */
export async function connectTestClientIn(namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address: temporalAddress() });
  return new Client({ connection, namespace });
}

export async function connectTestWorkerConnection(): Promise<NativeConnection> {
  return NativeConnection.connect({ address: temporalAddress() });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** One workflow bundle per test file: bundling is the slow part of starting a worker. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
  return bundle;
}

export interface ScratchDb {
  name: string;
  url: string;
  db: Db;
  drop(): Promise<void>;
}

export async function scratchDatabase(prefix: string): Promise<ScratchDb> {
  const name = `compass_${prefix}_${process.pid}_${Date.now() % 100000}`.toLowerCase();
  const url = await createScratchDatabase(pgAdminUrl(), name);
  const db = createDb(url, 4);
  await migrateToLatest(db);
  return {
    name,
    url,
    db,
    drop: async () => {
      await db.destroy();
      await dropDatabase(pgAdminUrl(), name);
    },
  };
}

/** Activity deps on the test clock (helpers/clock.ts) unless `now` says otherwise. */
export function testDeps(env: Record<string, string | undefined>, now: Clock = testClock): ActivityDeps {
  return createActivityDeps(loadConfig({ LOG_LEVEL: 'warn', ...env } as NodeJS.ProcessEnv), { now });
}

/**
 * Collection workers on one task queue, each with its own deps (own pools and source clients, as
 * separate worker processes would have), started and stopped together.
 */
export function collectionWorkers(taskQueue: string, baseEnv: () => Record<string, string | undefined>) {
  const running: Array<{ deps: ActivityDeps; stop: () => Promise<void> }> = [];
  return {
    async start(env: Record<string, string> = {}): Promise<ActivityDeps> {
      const deps = testDeps({ ...baseEnv(), ...env });
      const worker = await createCollectionWorker({ connection: await connectTestWorkerConnection(), namespace: 'default', taskQueue, deps, workflowBundle: await workflowBundle() });
      const done = worker.run();
      running.push({
        deps,
        stop: async () => {
          worker.shutdown();
          await done;
        },
      });
      return deps;
    },
    async stopAll(): Promise<void> {
      for (const w of running.splice(0)) {
        await w.stop();
        await closeActivityDeps(w.deps);
      }
    },
  };
}
