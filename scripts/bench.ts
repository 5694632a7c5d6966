/**
 * npm run bench -- daily | dart | score | initial-load | crash | scale
 * Each benchmark runs on a fresh stack (scripts/lib/bench-env.ts), prints its steps to stderr
 * and ends with one JSON line on stdout.
 *
 * daily: the five-year price backfill into an empty table with the simulator allowing 20
 *   requests per second, then one trading day's chain on the loaded database.
 *   {"chain_s": …, "backfill_s": …, "backfill_rows": …, "peak_rss_mb": …}
 * initial-load: the whole initial load (workflows/ops/initial-load.ts) into an empty database, at the
 *   simulator's default latencies and the worker's default limits (DART 1 request a second …).
 *   {"initial_load_s": …} — the per-step breakdown goes to stderr.
 * dart: one fiscal year's annual financial statements for the whole simulated market, with the
 *   simulator holding DART to 1 request per second and counting every request that came sooner.
 *   {"dart_financials_s": …, "calls": …, "rate_violations": …, "companies": …}
 * score: the whole-market Compass Score on ~2,900 generated stocks (scripts/bench-score.ts).
 *   {"score_s": …, "stocks": …, "scored": …, "recompute_s": …}
 * crash: the daily chain over 245 trading dates with its worker process killed 20 times (SIGKILL) mid-batch,
 *   against the same run without kills (scripts/bench-crash.ts).
 *   {"crash_run_s": …, "kills": …, "max_attempts": …, "checksum_equal": …, …}
 * scale: three worker processes share the daily chain's backfill with data.go.kr held to 10 requests a second,
 *   one of them killed (SIGKILL) mid-run, against one worker without limits (scripts/bench-scale.ts).
 *   {"scale_run_s": …, "requests": …, "max_requests_1s": …, "rate_violations": …, "batches_by_worker": {…}, "checksum_equal": …, …}
 */
import { type Expression, sql } from 'kysely';
import type { Db } from '../db/database';
import type { ChainName } from '../shared/chains';
import { dailyCollection, dartFinancials, initialLoad } from '../workflows';
import { benchCrash } from './bench-crash';
import { benchScale } from './bench-scale';
import { benchScore } from './bench-score';
import { peakRssMb, startBenchEnv } from './lib/bench-env';

const BACKFILL_AS_OF = '2026-11-19';
const CHAIN_AS_OF = '2026-11-20';
const SIM_RPS = 20;
const DART_RPS = 1;

const benches: Record<string, () => Promise<Record<string, unknown>>> = { daily: benchDaily, dart: benchDart, 'initial-load': benchInitialLoad, score: benchScore, crash: benchCrash, scale: benchScale };

async function benchDaily(): Promise<Record<string, number>> {
  const env = await startBenchEnv({ simulator: { faults: { rps: SIM_RPS } }, workerEnv: { DATAGOKR_RPS: String(SIM_RPS) } });
  try {
    const run = async (asOf: string, backfillDays?: number) => {
      const started = Date.now();
      const result = await env.client.workflow.execute(dailyCollection, { taskQueue: env.taskQueue, workflowId: `bench-${asOf}-${Date.now()}`, args: [{ asOf, backfillDays }] });
      return { result, seconds: (Date.now() - started) / 1000 };
    };
    process.stderr.write(`backfill: five years into an empty table, simulator at ${SIM_RPS} req/s…\n`);
    const backfill = await run(BACKFILL_AS_OF, 1825);
    const loadSpan = await env.db
      .selectFrom('data_collection_log')
      .select((eb) => eb.cast<number>(epoch(eb(eb.fn.max('finished_at'), '-', eb.fn.min('started_at'))), 'float8').as('s'))
      .where('step', 'like', 'prices %')
      .executeTakeFirstOrThrow();
    const backfillS = Number(loadSpan.s);
    const backfillRows = backfill.result.prices.rows;
    await printSteps(env.db, `bench-${BACKFILL_AS_OF}-%`);
    process.stderr.write(`  backfill run ${backfill.seconds.toFixed(1)} s in all; prices ${backfillS.toFixed(1)} s, ${backfillRows} rows (${Math.round(backfillRows / backfillS)} rows/s)\n`);

    process.stderr.write('chain: one trading day on the loaded database…\n');
    const chain = await run(CHAIN_AS_OF);
    await printSteps(env.db, `bench-${CHAIN_AS_OF}-%`);
    process.stderr.write(`  chain ${chain.seconds.toFixed(2)} s (${chain.result.prices.rows} price rows, ${chain.result.score?.scored} scores)\n`);
    return {
      chain_s: Number(chain.seconds.toFixed(2)),
      backfill_s: Number(backfillS.toFixed(1)),
      backfill_rows: backfillRows,
      peak_rss_mb: peakRssMb(env.worker.pid!),
    };
  } finally {
    await env.close();
  }
}

async function benchDart(): Promise<Record<string, number>> {
  const env = await startBenchEnv({ simulator: { limits: { dart: { rps: DART_RPS, onRateExceeded: 'count' } } }, workerEnv: { DART_RPS: String(DART_RPS) } });
  try {
    process.stderr.write(`dart: corpCode.xml, then one year's annual statements of every listed company, simulator at ${DART_RPS} req/s…\n`);
    const started = Date.now();
    const r = await env.client.workflow.execute(dartFinancials, { taskQueue: env.taskQueue, workflowId: `bench-dart-${Date.now()}`, args: [{}] });
    const seconds = (Date.now() - started) / 1000;
    await printSteps(env.db, 'bench-dart-%');
    const dart = env.sim.stats().bySource.dart;
    process.stderr.write(`  fiscal year ${r.fiscalYear}: ${r.listed} listed, ${r.withData} with statements, ${r.rowsWritten} rows in ${r.calls} batch calls\n`);
    return { dart_financials_s: Number(seconds.toFixed(1)), calls: dart.requests, rate_violations: dart.rate_violations, companies: r.withData };
  } finally {
    await env.close();
  }
}

async function benchInitialLoad(): Promise<Record<string, number>> {
  const env = await startBenchEnv({ simulator: {}, workerEnv: {} });
  try {
    process.stderr.write('initial load: empty database → listing, stocks, ETFs, financials, five years of prices, score, products, dividends, corporate actions…\n');
    const started = Date.now();
    // BENCH_INITIAL_SKIP=quarterly-corporate-actions leaves out chains (that one alone is ~11,600 DART calls, 3.2 h at 1 a second).
    const skip = (process.env.BENCH_INITIAL_SKIP ?? '').split(',').filter(Boolean) as ChainName[];
    if (skip.length) process.stderr.write(`  skipping ${skip.join(', ')}\n`);
    await env.client.workflow.execute(initialLoad, { taskQueue: env.taskQueue, workflowId: `bench-initial-${Date.now()}`, args: [{ asOf: CHAIN_AS_OF, skip }] });
    const seconds = (Date.now() - started) / 1000;
    const perChain = await env.db
      .selectFrom('data_collection_log')
      .select((eb) => [
        'chain',
        eb.cast<number>(epoch(eb(eb.fn.max('finished_at'), '-', eb.fn.min('started_at'))), 'float8').as('s'),
        eb.cast<number>(eb.fn.countAll(), 'integer').as('steps'),
      ])
      .groupBy('chain')
      .orderBy((eb) => eb.fn.min('started_at'))
      .execute();
    for (const r of perChain) process.stderr.write(`  ${r.chain.padEnd(30)} ${Number(r.s).toFixed(1).padStart(8)} s  (${r.steps} logged steps)\n`);
    await printSteps(env.db, '%');
    return { initial_load_s: Number(seconds.toFixed(1)) };
  } finally {
    await env.close();
  }
}

/** Seconds of an interval: extract(epoch …) has no builder. */
const epoch = (interval: Expression<unknown>) => sql<number>`extract(epoch FROM ${interval})`;

async function printSteps(db: Db, workflowPattern: string): Promise<void> {
  const rows = await db
    .selectFrom('data_collection_log')
    .select((eb) => [
      eb.case()
        .when('step', 'like', 'prices %').then('prices (all batches, summed)')
        .when('step', 'like', 'dart-% %').then(eb(eb.fn<string>('split_part', ['step', eb.val(' '), eb.val(1)]), '||', ' (all batches, summed)'))
        .else(eb.ref('step'))
        .end()
        .as('step'),
      eb.cast<number>(eb.fn.sum(epoch(eb('finished_at', '-', eb.ref('started_at')))), 'float8').as('s'),
      eb.cast<number | null>(eb.fn.sum(eb.fn.coalesce('rows_written', 'rows_in')), 'integer').as('rows'),
    ])
    .where('workflow_id', 'like', workflowPattern)
    // By the label (the first output column): GROUP BY step would take the table's column, not the label.
    .groupBy(sql`1`)
    .orderBy((eb) => eb.fn.min('started_at'))
    .execute();
  for (const r of rows) {
    const perS = r.rows && r.s > 0 ? `  ${Math.round(r.rows / r.s)} rows/s` : '';
    process.stderr.write(`  ${r.step.padEnd(38)} ${Number(r.s).toFixed(2).padStart(8)} s  ${String(r.rows ?? '-').padStart(9)} rows${perS}\n`);
  }
}

async function main(): Promise<void> {
  const bench = benches[process.argv[2] ?? ''];
  if (!bench) {
    console.error(`usage: npm run bench -- ${Object.keys(benches).join(' | ')}`);
    process.exit(2);
  }
  console.log(JSON.stringify(await bench()));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
