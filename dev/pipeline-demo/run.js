#!/usr/bin/env node
/**
 * Demo stand-in for the LangGraph pipeline (`python -m datapipeline.run --backend live --market KR`),
 * so that `npm run dev` and the tests run the daily pipeline without Python or LLM keys.
 * It prints progress lines like the real one and writes a few keyword rows for the run date
 * into `pipeline_keyword` (DATABASE_URL from its environment), which `mv_keyword_frequency`
 * summarises. Writing the same date again replaces its rows, so a retried run is harmless.
 *
 * Flags (the tests use them to make it misbehave):
 *   --market KR         market to write (default KR)
 *   --backend NAME      printed only, accepted for parity with the real command
 *   --date YYYY-MM-DD   run date (default PIPELINE_RUN_DATE, else today in Korea)
 *   --sleep SEC         keep working (one line a second) for SEC seconds before writing
 *   --fail CODE         print an error on stderr and exit with CODE instead of writing
 *   --grandchild        start a child process in the same process group (an orphan, if we were killed alone)
 *   --stubborn          that child ignores SIGTERM, so only SIGKILL stops it
 *   --pid-file PATH     write "<own pid> <grandchild pid>" there once started
 *   --say TEXT          print TEXT on stdout and on stderr
 *   --dry-run           do not touch the database
 */
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');

const KEYWORDS = ['반도체', 'AI', '2차전지', '금리', '환율', '배당', '원전', '바이오', '조선', '밸류업'];
const STAGES = ['뉴스 수집', '키워드 추출', 'LLM 요약', '케이스 생성'];

function parseArgs(argv) {
  const flags = { market: 'KR', backend: 'demo' };
  const booleans = new Set(['grandchild', 'stubborn', 'dry-run']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const name = a.slice(2);
    if (booleans.has(name)) flags[name] = true;
    else if (i + 1 < argv.length) flags[name] = argv[++i];
    else throw new Error(`${a} needs a value`);
  }
  return flags;
}

function kstToday() {
  return new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
}

/** Deterministic mentions per date and keyword, so reruns write the same numbers. */
function mentions(date, keyword) {
  let h = 0;
  for (const ch of `${date}:${keyword}`) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return 1 + (h % 50);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function writeKeywords(date, market) {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const { Client } = require('pg');
  const db = new Client({ connectionString: url, application_name: 'pipeline-demo' });
  await db.connect();
  try {
    const rows = KEYWORDS.map((k) => [k, mentions(date, k)]);
    await db.query('BEGIN');
    await db.query('DELETE FROM pipeline_keyword WHERE run_date = $1 AND market = $2', [date, market]);
    await db.query(
      `INSERT INTO pipeline_keyword (run_date, market, keyword, mentions, source)
       SELECT $1, $2, k, m, 'pipeline-demo' FROM unnest($3::text[], $4::int[]) AS t(k, m)`,
      [date, market, rows.map((r) => r[0]), rows.map((r) => r[1])],
    );
    await db.query('COMMIT');
    return rows.length;
  } finally {
    await db.end();
  }
}

async function main() {
  const f = parseArgs(process.argv.slice(2));
  const date = f.date ?? process.env.PIPELINE_RUN_DATE ?? kstToday();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`bad date ${date}`);
  console.log(`[pipeline-demo] start market=${f.market} backend=${f.backend} date=${date} pid=${process.pid}`);

  let grandchild;
  if (f.grandchild) {
    const code = f.stubborn ? "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)" : null;
    // Inherits our stdout/stderr, as a real helper process would: it holds the pipes open too.
    grandchild = code ? spawn(process.execPath, ['-e', code], { stdio: 'inherit' }) : spawn('sleep', ['600'], { stdio: 'inherit' });
    console.log(`[pipeline-demo] started helper process pid=${grandchild.pid}${f.stubborn ? ' (ignores SIGTERM)' : ''}`);
  }
  if (f['pid-file']) fs.writeFileSync(f['pid-file'], `${process.pid} ${grandchild?.pid ?? ''}`.trim());
  if (f.say) {
    console.log(f.say);
    console.error(f.say);
  }

  for (const [i, stage] of STAGES.entries()) console.log(`[pipeline-demo] [${i + 1}/${STAGES.length}] ${stage}`);
  for (let s = 1; s <= Number(f.sleep ?? 0); s++) {
    await sleep(1000);
    console.log(`[pipeline-demo] working… ${s}s`);
  }
  if (f.fail !== undefined) {
    console.error(`[pipeline-demo] simulated failure (exit ${f.fail})`);
    process.exit(Number(f.fail));
  }
  const written = f['dry-run'] ? 0 : await writeKeywords(date, f.market);
  console.log(`[pipeline-demo] done: ${written} keywords for ${f.market} ${date}`);
  // Leave the helper behind on purpose: the activity must clean up what the command leaves.
  if (grandchild) grandchild.unref();
}

main().catch((err) => {
  console.error(`[pipeline-demo] error: ${err.message}`);
  process.exit(1);
});
