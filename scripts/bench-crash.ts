/**
 * npm run bench -- crash
 * Issue 12's crash resilience at the production policy (30 s heartbeat timeout, the source's 30/60/120 s backoff):
 * the daily chain over a year, 245 trading dates (13 price batches of 20, 4 in flight), into an empty database,
 * once without kills, then again with the worker process killed with SIGKILL BENCH_CRASH_KILLS times (default
 * 20), each time 1–6 s after a batch or the score started an attempt on the fresh worker, which is started
 * again at once (fewer kills when the chain ends first: `kills` says how many). Ends with {"crash_run_s": …, "calm_run_s": …, "kills": …, "max_attempts": …, "lost_attempts": …,
 * "rows": …, "rows_equal": …, "checksum_equal": …, "scores_equal": …, "attempts": {batch: attempts}}.
 */
import { runChainWithKills } from './lib/crash-run';
import { startWorkerProcessStack } from './lib/worker-process-stack';

const AS_OF = '2024-03-15';
const BACKFILL_DAYS = 365;
/** The simulator's clock: after that day's close, whenever the benchmark runs. */
const FIXED = Date.parse('2026-12-04T18:00:00+09:00');
/** Per request: a batch of 20 dates (three pages each) takes about 10 s undisturbed. */
const LATENCY_MS = 150;

export async function benchCrash(): Promise<Record<string, unknown>> {
  const kills = Number(process.env.BENCH_CRASH_KILLS ?? 20);
  const stops: Array<() => Promise<unknown>> = [];
  try {
    const { stack, freshDb } = await startWorkerProcessStack('crash', { now: () => FIXED, faults: { latencyMs: LATENCY_MS } }, stops);
    const logFile = stack.logFile;
    const run = async (label: string, n: number) => {
      process.stderr.write(`${label}: ${AS_OF}, ${BACKFILL_DAYS} days back, ${n} kills (worker output: ${logFile})…\n`);
      const r = await runChainWithKills(stack, await freshDb(label), {
        asOf: AS_OF, backfillDays: BACKFILL_DAYS, kills: n, killAfterMs: [1000, 6000],
        workerEnv: { DATAGOKR_RPS: '1000', DATAGOKR_PAGE_SIZE: '1000' },
        log: (line) => process.stderr.write(`${line}\n`),
      });
      process.stderr.write(`  ${r.status} in ${r.seconds} s, ${r.rows} rows, attempts ${JSON.stringify(r.attempts)}\n`);
      return r;
    };
    const calm = await run('calm', 0);
    const crashed = await run('crashed', kills);
    const attempts = Object.values(crashed.attempts);
    return {
      crash_run_s: crashed.seconds,
      calm_run_s: calm.seconds,
      status: crashed.status,
      kills: crashed.kills,
      max_attempts: Math.max(...attempts),
      lost_attempts: attempts.reduce((sum, a) => sum + a - 1, 0),
      rows: crashed.rows,
      rows_equal: crashed.rows === calm.rows,
      checksum_equal: crashed.checksum === calm.checksum,
      scores_equal: crashed.scoreChecksum === calm.scoreChecksum,
      attempts: crashed.attempts,
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}
