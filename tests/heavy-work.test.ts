/**
 * The global heavy-work limit (activities/heavy-work.ts) against a real PostgreSQL: heavy
 * activities of separate "workers" (own deps, own connections) never overlap beyond the slots,
 * and a slot held by a connection that dies is free again at once.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { Client } from 'pg';
import { closeActivityDeps, type ActivityDeps } from '../activities/deps';
import { withHeavySlot } from '../activities/heavy-work';
import { type ScratchDb, scratchDatabase, testDeps } from './helpers/services';

let scratch: ScratchDb;
const opened: ActivityDeps[] = [];

beforeAll(async () => {
  scratch = await scratchDatabase('heavy');
});

afterAll(async () => {
  await Promise.all(opened.map((d) => closeActivityDeps(d)));
  await scratch?.drop();
});

function worker(slots: number): ActivityDeps {
  const deps = testDeps({ DATABASE_URL: scratch.url, SIMULATOR_URL: 'http://127.0.0.1:9', HEAVY_WORK_SLOTS: String(slots) });
  opened.push(deps);
  return deps;
}

/** Runs `n` heavy jobs of 300 ms spread over the given workers at once; returns their [start, end] times. */
async function runJobs(workers: ActivityDeps[], n: number): Promise<Array<[number, number]>> {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      new MockActivityEnvironment().run(
        (): Promise<[number, number]> =>
          withHeavySlot(workers[i % workers.length]!, `job-${i}`, async () => {
            const start = performance.now();
            await new Promise((r) => setTimeout(r, 300));
            return [start, performance.now()] as [number, number];
          }),
      ),
    ),
  );
}

function maxOverlap(spans: Array<[number, number]>): number {
  const events = spans.flatMap(([s, e]) => [[s, 1], [e, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of events) max = Math.max(max, (now += d));
  return max;
}

describe('global heavy-work limit', () => {
  it('one slot: four heavy jobs from three workers run one at a time', async () => {
    const spans = await runJobs([worker(1), worker(1), worker(1)], 4);
    expect(maxOverlap(spans)).toBe(1);
  }, 30_000);

  it('two slots: two run together, never three', async () => {
    const spans = await runJobs([worker(2), worker(2)], 4);
    expect(maxOverlap(spans)).toBe(2);
  }, 30_000);

  it('a slot held by a connection that dies (a crashed worker) is free again', async () => {
    const deps = worker(1);
    const crashed = new Client({ connectionString: scratch.url });
    await crashed.connect();
    await crashed.query('SELECT pg_advisory_lock($1, 1)', [0x0c0a55]);
    const waiting = new MockActivityEnvironment().run(() => withHeavySlot(deps, 'after-crash', async () => 'ran'));
    await new Promise((r) => setTimeout(r, 700));
    let settled = false;
    void waiting.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false); // held while the "crashed" worker's session lives
    await crashed.end();
    await expect(waiting).resolves.toBe('ran');
  }, 30_000);
});
