/**
 * npm test (second stage, after scripts/bootstrap.js): type-checks, provides the services
 * the suite needs, runs jest, and ends with one line "jest: N passed, N failed, N skipped".
 *   Temporal  a fresh `temporal server start-dev` (in memory) on a free port, always
 *   Postgres  TEST_DATABASE_URL, else 127.0.0.1:5432/test, else an embedded server in .data/
 *   Redis     REDIS_URL, else 127.0.0.1:6379; without one, the tests that need it are skipped by name
 * Each test file makes its own scratch database and drops it afterwards.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { adminPostgres } from './lib/postgres';
import { freePort } from './lib/ports';
import { resolveTemporalCli, startDevServer } from './lib/temporal-server';
import { allJobNamespaces } from '../jobs/namespaces';

const ROOT = path.resolve(__dirname, '..');

async function redisReachable(url: string): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

async function main(): Promise<number> {
  // While one part of the tree is mid-edit, a developer can still run another part's suites.
  const skipTypecheck = process.env.COMPASS_TEST_SKIP_TYPECHECK === '1';
  const tsc = skipTypecheck ? { status: 0 } : spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json', '--noEmit'], { cwd: ROOT, stdio: 'inherit' });
  if (tsc.status !== 0) {
    console.error('type check failed (tsc --noEmit)');
    return 1;
  }
  const stops: Array<() => Promise<void>> = [];
  try {
    const temporal = await startDevServer({
      cliPath: resolveTemporalCli(), port: await freePort(), logFile: path.join(os.tmpdir(), 'compass-test-temporal.log'),
      // The service jobs' namespaces, one per scope (jobs/namespaces.ts).
      namespaces: allJobNamespaces(),
    });
    stops.push(temporal.stop);

    const pgAdmin = await adminPostgres(path.join(ROOT, '.data', 'test-postgres'), freePort, stops);
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const haveRedis = await redisReachable(redisUrl);
    if (!haveRedis) console.error(`[test] no Redis at ${redisUrl}: tests that need Redis will be skipped (named below)`);

    const report = path.join(os.tmpdir(), `compass-jest-${process.pid}.json`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      COMPASS_TEST_TEMPORAL_ADDRESS: temporal.address,
      COMPASS_TEST_PG_ADMIN_URL: pgAdmin,
      COMPASS_TEST_REDIS_URL: haveRedis ? redisUrl : '',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    };
    const jest = spawnSync(path.join(ROOT, 'node_modules/.bin/jest'), ['--runInBand', '--json', `--outputFile=${report}`, ...process.argv.slice(2)], { cwd: ROOT, env, stdio: 'inherit' });
    let code = jest.status ?? 1;
    if (fs.existsSync(report)) {
      const r = JSON.parse(fs.readFileSync(report, 'utf8')) as {
        numPassedTests: number; numFailedTests: number; numPendingTests: number; numTotalTests: number; numRuntimeErrorTestSuites: number;
      };
      // A suite that cannot even load counts as a failure here, as it would for a reader of the log.
      const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
      console.log(`jest: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests} skipped`);
      if (r.numTotalTests === 0) code = 1;
      fs.rmSync(report);
    }
    return code;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
