/**
 * The counterparty-risk report's parts on their own, on real files and a real SQLite engine:
 * cron validation, the aggregation and its schema check, the LLM client against a local
 * server, the atomic write, retention and the source-DB stability rule. No Temporal here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dateInZone, isValidTimeZone, timeStampInZone } from '../calendar/time-zone';
import { aggregateRisk, aggregateSnapshot, loadSqlJs, SchemaError } from '../reports/counterparty-risk/aggregate';
import { prepareAtomicWrite, writeFileAtomic } from '../reports/counterparty-risk/atomic-file';
import { buildDemoSalesmapDb, ensureDemoSalesmapDb } from '../dev/salesmap-demo/demo-db';
import { fallbackAdvice } from '../reports/counterparty-risk/fallback';
import { adviseWithLlm } from '../reports/counterparty-risk/llm';
import { applyRetention } from '../reports/counterparty-risk/retention';
import { isStable, sourceDbState } from '../reports/counterparty-risk/source-db';
import { readStatus, updateStatus } from '../reports/counterparty-risk/status';
import { cronProblems } from '../schedules/cron';
import { type LlmServer, startLlmServer } from './helpers/llm-server';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpr-parts-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('cron expressions', () => {
  it.each(['0 8 * * *', '*/15 0-6,22-23 * * MON-FRI', '0 8 1,15 jan-jun 0', '5 4 * * 7', '0 0-23/2 * * *'])('accepts %s', (expr) => {
    expect(cronProblems(expr)).toEqual([]);
  });

  it.each([
    ['0 8 * *', /has 4 fields; a cron expression has 5/],
    ['0 8 * * * *', /has 6 fields/],
    ['@daily', /macros such as @daily are not accepted/],
    ['60 8 * * *', /field 1 \(minute\): "60" is out of range 0-59/],
    ['0 24 * * *', /field 2 \(hour\): "24" is out of range 0-23/],
    ['0 8 0 * *', /field 3 \(day of month\): "0" is out of range 1-31/],
    ['0 8 * 13 *', /field 4 \(month\): "13" is out of range 1-12/],
    ['0 8 * * 8', /field 5 \(day of week\): "8" is out of range 0-7/],
    ['0 8 * * FRI-MON', /range "FRI-MON" runs backwards/],
    ['*/0 8 * * *', /step "0" must be a positive whole number/],
    ['0 8,,9 * * *', /empty list item/],
    ['0 eight * * *', /"eight" is not a number/],
  ])('rejects %s', (expr, message) => {
    expect(cronProblems(expr).join('\n')).toMatch(message);
  });
});

describe('time zones', () => {
  it('reads dates and times in the report time zone', () => {
    const t = new Date('2026-01-09T23:30:05Z');
    expect(dateInZone(t, 'Asia/Seoul')).toBe('2026-01-10');
    expect(dateInZone(t, 'UTC')).toBe('2026-01-09');
    expect(timeStampInZone(t, 'Asia/Seoul')).toBe('083005');
    expect(isValidTimeZone('Asia/Seoul')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone(':/etc/localtime')).toBe(false);
  });
});

describe('aggregation on SQLite', () => {
  it('is deterministic and ranks counterparties by risk as of the report date', async () => {
    const file = path.join(dir, 'salesmap.db');
    fs.writeFileSync(file, await buildDemoSalesmapDb({ today: '2026-01-10' }));
    const a = await aggregateSnapshot(file, '2026-01-10');
    const b = await aggregateSnapshot(file, '2026-01-10');
    expect(a).toEqual(b);
    expect(a.counterparties.length).toBe(20);
    const scores = a.counterparties.map((c) => c.risk_score);
    expect([...scores].sort((x, y) => y - x)).toEqual(scores);
    expect(a.counterparties[0]!.risk_level).toBe('HIGH');
    // A date before any deal existed has nothing to report.
    expect((await aggregateSnapshot(file, '2020-01-01')).summary.organizations).toBe(0);
  });

  it('scores a hand-made DB exactly as documented', async () => {
    const SQL = await loadSqlJs();
    const db = new SQL.Database(await buildDemoSalesmapDb({ today: '2026-01-10', organizations: 0 }));
    db.run(`INSERT INTO organizations VALUES ('a', 'Alpha', 'software', 'B', '2025-01-01'), ('b', 'Beta', 'food', 'AA', '2025-01-01')`);
    db.run(`INSERT INTO deals VALUES
      ('d1', 'a', 'x', 'open', 800, '2025-06-01', '2025-12-01', '2025-11-01', NULL, NULL, NULL),
      ('d2', 'a', 'x', 'won', 100, '2025-06-01', NULL, NULL, '2025-09-01', '2025-10-01', NULL),
      ('d3', 'a', 'x', 'lost', 100, '2025-06-01', NULL, NULL, '2025-12-01', NULL, NULL),
      ('d4', 'b', 'x', 'open', 200, '2025-06-01', '2026-03-01', '2026-01-05', NULL, NULL, NULL),
      ('d5', 'b', 'x', 'won', 100, '2025-06-01', NULL, NULL, '2025-12-01', '2025-12-31', '2025-12-20')`);
    const r = aggregateRisk(db, '2026-01-10');
    db.close();
    const alpha = r.counterparties.find((c) => c.organization_id === 'a')!;
    // share 80 % → 30; receivable 101 days past due → 25; 1/1 overdue → 15; 1/1 stalled → 15; 1 lost of 1 closed in 90 d → 10; B → 5.
    expect(alpha.risk_score).toBe(100);
    expect(alpha.metrics).toMatchObject({ open_deals: 1, exposure_share: 0.8, overdue_deals: 1, stalled_deals: 1, overdue_receivables: 1, max_days_past_due: 101, lost_90d: 1, won_90d: 0 });
    const beta = r.counterparties.find((c) => c.organization_id === 'b')!;
    // share 20 % → 30; paid; nothing overdue or stalled; 1 won, 0 lost; AA → 0.
    expect(beta.risk_score).toBe(30);
    expect(beta.risk_level).toBe('LOW');
    expect(r.summary).toMatchObject({ organizations: 2, open_deals: 2, open_amount_krw: 1000, overdue_receivable_krw: 100, by_level: { HIGH: 1, MEDIUM: 0, LOW: 1 } });
  });

  it('names what is missing when the DB does not have the schema', async () => {
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    db.run('CREATE TABLE organizations (id TEXT, name TEXT)');
    expect(() => aggregateRisk(db, '2026-01-10')).toThrow(SchemaError);
    expect(() => aggregateRisk(db, '2026-01-10')).toThrow(/organizations lacks industry, credit_rating, created_at; table deals is missing/);
    db.close();
  });

  it('generates the demo DB once, dated long enough ago to count as stable', async () => {
    const file = path.join(dir, 'demo', 'salesmap.db');
    expect(await ensureDemoSalesmapDb(file, '2026-01-10')).toEqual({ created: true });
    expect(await ensureDemoSalesmapDb(file, '2026-01-10')).toEqual({ created: false });
    expect(isStable(await sourceDbState(file), 180)).toBe(true);
  });
});

describe('source DB stability', () => {
  it('uses the seed\'s mtime-size signature and the stability window', async () => {
    const file = path.join(dir, 'x.db');
    expect(await sourceDbState(file)).toEqual({ exists: false, signature: null, ageSec: null });
    fs.writeFileSync(file, 'abc');
    const t = new Date(Date.parse('2026-01-10T00:00:00Z'));
    fs.utimesSync(file, t, t);
    const s = await sourceDbState(file, t.getTime() + 179_000);
    expect(s.signature).toBe(`${t.getTime()}-3`);
    expect(isStable(s, 180)).toBe(false);
    expect(isStable(await sourceDbState(file, t.getTime() + 180_000), 180)).toBe(true);
  });
});

describe('LLM client (OpenAI-compatible)', () => {
  let llm: LlmServer;
  beforeAll(async () => {
    llm = await startLlmServer();
  });
  afterAll(() => llm.close());

  const counterparties = async () => {
    const file = path.join(dir, 's.db');
    fs.writeFileSync(file, await buildDemoSalesmapDb({ today: '2026-01-10' }));
    return (await aggregateSnapshot(file, '2026-01-10')).counterparties.slice(0, 3);
  };
  const settings = () => ({ baseUrl: llm.url, apiKey: 'sk-unit-secret', model: 'm', timeoutMs: 500 });

  it('asks with the key in the header and reads advice for each counterparty', async () => {
    llm.mode = 'ok';
    const cps = await counterparties();
    const out = await adviseWithLlm(settings(), '2026-01-10', cps);
    expect(out.error).toBeNull();
    expect([...out.advice.keys()]).toEqual(cps.map((c) => c.organization_id));
    expect(llm.requests.at(-1)!.authorization).toBe('Bearer sk-unit-secret');
    expect(llm.requests.at(-1)!.body.model).toBe('m');
  });

  it.each([
    ['http500', /HTTP 500/],
    ['timeout', /timed out after 500 ms/],
    ['badjson', /not the expected JSON/],
  ] as const)('returns an error, never throws, on %s', async (mode, message) => {
    llm.mode = mode;
    const out = await adviseWithLlm(settings(), '2026-01-10', await counterparties());
    expect(out.error).toMatch(message);
    expect(out.error).not.toContain('sk-unit-secret');
    expect(out.advice.size).toBe(0);
  });

  it('reports an unset endpoint as an error to fall back from', async () => {
    const out = await adviseWithLlm({ model: 'm', timeoutMs: 500 }, '2026-01-10', await counterparties());
    expect(out.error).toBe('LLM_BASE_URL is not set');
  });

  it('fallback text cites the metrics behind the score', async () => {
    const [top] = await counterparties();
    const advice = fallbackAdvice(top!);
    expect(advice.source).toBe('fallback');
    expect(advice.evidence.join(' ')).toMatch(/미수금|마감일|활동 없는|실주|신용등급|파이프라인/);
    expect(advice.actions.length).toBeGreaterThan(0);
  });
});

describe('atomic write', () => {
  it('replaces the file whole and leaves no temp file', async () => {
    const target = path.join(dir, '20260110.json');
    await writeFileAtomic(target, 'old');
    await writeFileAtomic(target, 'new');
    expect(fs.readFileSync(target, 'utf8')).toBe('new');
    expect(fs.readdirSync(dir)).toEqual(['20260110.json']);
  });

  it('before the rename, readers still see the old file; a write failure keeps it', async () => {
    const target = path.join(dir, '20260110.json');
    await writeFileAtomic(target, 'old');
    const pending = await prepareAtomicWrite(target, 'new');
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
    await pending.commit();
    expect(fs.readFileSync(target, 'utf8')).toBe('new');
    // A full disk: the temp file is a link to /dev/full, whose writes fail with ENOSPC.
    if (fs.existsSync('/dev/full')) {
      fs.symlinkSync('/dev/full', path.join(dir, '.20260110.json.tmp'));
      await expect(writeFileAtomic(target, 'newer')).rejects.toMatchObject({ code: 'ENOSPC' });
      expect(fs.readFileSync(target, 'utf8')).toBe('new');
    }
  });
});

describe('status.json', () => {
  it('keeps last_success at the newest report date and serialises concurrent updates', async () => {
    const run = (as_of: string, result: 'SUCCESS' | 'FAILED') => ({ result, code: null, msg: '', as_of, db_signature: '1-1', finished_at: '', workflow_id: 'w', run_id: 'r', trigger: 'manual' });
    const ok = (as_of: string) => ({ as_of, db_signature: '1-1', generated_at: `${as_of}T00:00:00Z`, cache_file: '' });
    await Promise.all([
      updateStatus(dir, run('2026-01-09', 'SUCCESS'), ok('2026-01-09')),
      updateStatus(dir, run('2026-01-10', 'SUCCESS'), ok('2026-01-10')),
      updateStatus(dir, run('2026-01-08', 'SUCCESS'), ok('2026-01-08')),
      updateStatus(dir, run('2026-01-10', 'FAILED'), null),
    ]);
    const s = await readStatus(dir);
    expect(s.last_run).toMatchObject({ as_of: '2026-01-10', result: 'FAILED' });
    expect(s.last_success?.as_of).toBe('2026-01-10');
    expect(fs.readdirSync(dir)).toEqual(['status.json']);
  });
});

describe('retention', () => {
  it('deletes old cache, jsonl, snapshot and leftover temp files, and keeps the rest', async () => {
    const cache = path.join(dir, 'report_cache');
    const work = path.join(dir, 'report_work');
    fs.mkdirSync(cache);
    fs.mkdirSync(work);
    const now = Date.parse('2026-01-20T00:00:00Z');
    const put = (file: string, ageDays: number) => {
      fs.writeFileSync(file, 'x');
      const t = new Date(now - ageDays * 86_400_000);
      fs.utimesSync(file, t, t);
      return file;
    };
    const gone = [
      put(path.join(cache, '20260101.json'), 15),
      put(path.join(cache, 'events.jsonl'), 15),
      put(path.join(cache, '.20260101.json.tmp'), 15),
      put(path.join(work, 'salesmap_snapshot_2026-01-01_080000.db'), 15),
      put(path.join(work, 'salesmap_snapshot_2026-01-01_080000.db.partial'), 15),
      put(path.join(work, 'llm_2026-01-01_080000.jsonl'), 15),
    ];
    const kept = [
      put(path.join(cache, '20260106.json'), 13.9),
      put(path.join(cache, '20251201.json'), 40), // the last success
      put(path.join(cache, 'status.json'), 30),
      put(path.join(cache, 'notes.txt'), 30),
      put(path.join(work, 'salesmap_snapshot_2026-01-19_080000.db'), 1),
    ];
    const r = await applyRetention({ cacheDir: cache, workDir: work, retentionDays: 14, protect: [path.join(cache, '20251201.json')], now });
    expect(r.deleted.sort()).toEqual([...gone].sort());
    for (const f of kept) expect(fs.existsSync(f)).toBe(true);
    expect(r.errors).toEqual([]);
  });
});
