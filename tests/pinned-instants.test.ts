/**
 * The time-sensitive parts of the system at the instants where a suite that read the wall clock
 * used to break: before the day's data is published, after it, on a Sunday, on a KRX holiday,
 * inside DART's maintenance hour and one minute before midnight in Korea. At each instant the
 * worker's activity deps and the simulator share one pinned clock, and every expectation below
 * is written out by hand for that instant, so the suite gives the same answers whatever the hour
 * it runs at (the rest of the suite pins helpers/clock.ts's instant).
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { closeActivityDeps } from '../activities/deps';
import { createActivities } from '../activities/index';
import { lastSessionKst } from '../dev/job-services/market';
import { reportDate } from '../api/server';
import { quotaUsageToday } from '../db/source-budget';
import { fixedClock } from '../shared/clock';
import { QUOTA_WAIT_FAILURE } from '../shared/quota-wait';
import { startSimulator } from '../dev/simulator/server';
import { type ScratchDb, scratchDatabase, testDeps } from './helpers/services';

const FAST = { DART_RPS: '200', KRX_RPS: '200', KRX_OPENAPI_RPS: '200', DATAGOKR_RPS: '1000' };

interface Instant {
  name: string;
  at: string;
  /** The Korean date of `at`. */
  today: string;
  /** The newest KRX listing out at `at` (the Open API publishes at 16:00 KST). */
  listing: string;
  /** The chain's target date (the last trading day on or before today) and whether its prices are out (15:45 KST). */
  target: string;
  targetPublished: boolean;
  /** The last session before today: what the demo job services read. */
  lastSession: string;
  /** Minutes until DART's maintenance stop ends; 0 outside it. */
  dartWaitMin: number;
}

const INSTANTS: Instant[] = [
  { name: 'a trading-day morning before publication', at: '2026-12-07T08:30:00+09:00', today: '2026-12-07', listing: '2026-12-04', target: '2026-12-07', targetPublished: false, lastSession: '20261204', dartWaitMin: 0 },
  { name: 'a trading day after 16:00', at: '2026-12-07T16:30:00+09:00', today: '2026-12-07', listing: '2026-12-07', target: '2026-12-07', targetPublished: true, lastSession: '20261204', dartWaitMin: 0 },
  { name: 'a Sunday', at: '2026-12-06T12:00:00+09:00', today: '2026-12-06', listing: '2026-12-04', target: '2026-12-04', targetPublished: true, lastSession: '20261204', dartWaitMin: 0 },
  { name: 'a KRX holiday (Christmas, a Friday)', at: '2026-12-25T11:00:00+09:00', today: '2026-12-25', listing: '2026-12-24', target: '2026-12-24', targetPublished: true, lastSession: '20261224', dartWaitMin: 0 },
  { name: "DART's maintenance hour", at: '2026-12-08T01:30:00+09:00', today: '2026-12-08', listing: '2026-12-07', target: '2026-12-08', targetPublished: false, lastSession: '20261207', dartWaitMin: 30 },
  { name: 'one minute before midnight in Korea', at: '2026-12-08T23:59:00+09:00', today: '2026-12-08', listing: '2026-12-08', target: '2026-12-08', targetPublished: true, lastSession: '20261207', dartWaitMin: 0 },
];

let scratch: ScratchDb;
beforeAll(async () => {
  scratch = await scratchDatabase('instants');
});
afterAll(async () => {
  await scratch?.drop();
});

const quietEnv = (id: string) => new MockActivityEnvironment({ workflowExecution: { workflowId: id, runId: 'run-1' } }, { logger: new DefaultLogger('ERROR') });

describe.each(INSTANTS)('at $at ($name)', (instant) => {
  const clock = fixedClock(instant.at);
  const chain = `instants-${instant.at}`;

  it('the worker and the simulator agree on what is published, and the quota day is the Korean date', async () => {
    const sim = await startSimulator({ port: 0, now: clock });
    const deps = testDeps({ DATABASE_URL: scratch.url, SIMULATOR_URL: sim.url, DATA_SCOPE: 'mock', ...FAST }, clock);
    try {
      const acts = createActivities(deps);
      const env = quietEnv(chain);
      const listing = (await env.run(acts.loadStockListing, { chain })) as { tradeDate: string };
      expect(listing.tradeDate).toBe(instant.listing);

      const prices = (await env.run(acts.loadPriceBatch, { chain, dates: [instant.target], target: instant.target })) as { loaded: string[]; unpublished: string[] };
      expect(prices).toMatchObject(instant.targetPublished ? { loaded: [instant.target], unpublished: [] } : { loaded: [], unpublished: [instant.target] });

      const quotas = await quotaUsageToday(deps.db, clock);
      expect(quotas.find((q) => q.quotaKey === 'datagokr:getStockPriceInfo')).toMatchObject({ kstDay: instant.today });
      expect(quotas.find((q) => q.quotaKey === 'krx-openapi')).toMatchObject({ kstDay: instant.today });
    } finally {
      await closeActivityDeps(deps);
      await sim.close();
    }
  }, 60_000);

  it(instant.dartWaitMin ? 'DART is not called: the step waits, durably, for the end of the stop' : 'DART answers', async () => {
    const sim = await startSimulator({ port: 0, now: clock });
    const deps = testDeps({ DATABASE_URL: scratch.url, SIMULATOR_URL: sim.url, DATA_SCOPE: 'mock', ...FAST }, clock);
    try {
      const sync = quietEnv(chain).run(createActivities(deps).syncDartCorpCodes, { chain });
      if (instant.dartWaitMin === 0) {
        await expect(sync).resolves.toMatchObject({ listed: expect.any(Number) });
        expect(sim.stats().bySource.dart.requests).toBe(1);
      } else {
        const err = await sync.then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(ApplicationFailure);
        expect(err).toMatchObject({ type: QUOTA_WAIT_FAILURE, nonRetryable: true, details: [{ code: 'MAINTENANCE_WINDOW', waitMs: instant.dartWaitMin * 60_000 }] });
        expect(sim.stats().bySource.dart.requests).toBe(0);
      }
    } finally {
      await closeActivityDeps(deps);
      await sim.close();
    }
  }, 60_000);

  it('"today" for the report API and the last session for the job services', () => {
    const url = (q: string) => new URL(`http://api.test/api/report/counterparty-risk${q}`);
    expect(reportDate(url(''), 'Asia/Seoul', new Date(clock()))).toBe(instant.today);
    expect(reportDate(url(`?date=${instant.today}`), 'Asia/Seoul', new Date(clock()))).toBe(instant.today);
    const tomorrow = new Date(Date.parse(`${instant.today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    expect(() => reportDate(url(`?date=${tomorrow}`), 'Asia/Seoul', new Date(clock()))).toThrow(/after today/);
    expect(lastSessionKst(clock())).toBe(instant.lastSession);
  });
});
