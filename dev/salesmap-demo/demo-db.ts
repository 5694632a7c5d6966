/**
 * A demo SalesMap DB: 40 fictional companies and their deals, dated around a given day, so the
 * report has something to say under `npm run dev` (used when SALESMAP_DB_PATH is unset) and in
 * the tests. The same seed and day always give the same file content.
 *
 *   npm run demo-db -- [file] [YYYY-MM-DD]      (tsx dev/salesmap-demo/demo-db.ts)
 */
import fs from 'node:fs';
import path from 'node:path';
import { addDays, type IsoDate } from '../../calendar/trading-calendar';
import { loadSqlJs } from '../../reports/counterparty-risk/aggregate';
import { writeFileAtomic } from '../../reports/counterparty-risk/atomic-file';
import { SALESMAP_DDL } from '../../reports/counterparty-risk/schema';

const PREFIXES = ['한빛', '동해', '새론', '가온', '미르', '누리', '해솔', '다온', '아라', '온새', '라온', '별빛', '청솔', '은하', '태성', '세움', '하늘', '푸른', '대양', '신성'];
const SUFFIXES = ['정밀', '물산', '테크', '바이오', '건설', '에너지', '로지스', '식품'];
const INDUSTRIES: Record<string, string> = {
  정밀: 'manufacturing', 물산: 'trading', 테크: 'software', 바이오: 'healthcare', 건설: 'construction', 에너지: 'energy', 로지스: 'logistics', 식품: 'food',
};
const RATINGS = ['AA', 'A+', 'A', 'A-', 'BBB+', 'BBB', 'BBB-', 'BB+', 'BB', 'B', null];

/** mulberry32: a tiny deterministic PRNG, so the demo data is the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface DemoDbOptions {
  /** The day the data is "as of": deals are dated around it. */
  today: IsoDate;
  seed?: number;
  organizations?: number;
}

/** The demo DB as SQLite file bytes. */
export async function buildDemoSalesmapDb(o: DemoDbOptions): Promise<Uint8Array> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  const rnd = prng(o.seed ?? 4);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const day = (offset: number) => addDays(o.today, Math.round(offset));
  try {
    db.run(SALESMAP_DDL);
    db.run('BEGIN');
    const orgStmt = db.prepare('INSERT INTO organizations VALUES (?, ?, ?, ?, ?)');
    const dealStmt = db.prepare('INSERT INTO deals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const n = o.organizations ?? 40;
    let dealNo = 0;
    for (let i = 0; i < n; i++) {
      const suffix = SUFFIXES[i % SUFFIXES.length]!;
      const orgId = `org-${String(i + 1).padStart(3, '0')}`;
      // A few counterparties are made troubled on purpose, so every risk factor shows up.
      const troubled = i % 9 === 0;
      orgStmt.run([orgId, `${PREFIXES[i % PREFIXES.length]}${suffix}`, INDUSTRIES[suffix]!, troubled ? pick(['BB', 'B', null]) : pick(RATINGS), day(-700 - rnd() * 300)]);
      const deals = 3 + Math.floor(rnd() * (i % 5 === 0 ? 25 : 10));
      for (let k = 0; k < deals; k++) {
        dealNo++;
        const created = -20 - rnd() * 300;
        const r = rnd();
        const status = r < 0.45 ? 'open' : r < 0.8 ? 'won' : 'lost';
        const amount = Math.round((5 + rnd() * (i % 7 === 0 ? 400 : 80)) * 1_000_000);
        const closed = status === 'open' ? null : Math.min(-1, created + 10 + rnd() * 120);
        const expectedClose = status === 'open' ? (troubled ? -5 - rnd() * 40 : -15 + rnd() * 90) : null;
        const lastActivity = status === 'open' ? (rnd() < 0.08 ? null : troubled ? -35 - rnd() * 30 : -rnd() * 45) : closed;
        const due = status === 'won' ? closed! + 30 : null;
        const paid = due === null || (troubled && rnd() < 0.7) || rnd() >= 0.9 ? null : Math.min(-1, due - 5 + rnd() * 20);
        const opt = (offset: number | null) => (offset === null ? null : day(offset));
        dealStmt.run([`deal-${String(dealNo).padStart(5, '0')}`, orgId, `${PREFIXES[(i + k) % PREFIXES.length]} 프로젝트 ${k + 1}`, status, amount, day(created), opt(expectedClose), opt(lastActivity), opt(closed), opt(due), opt(paid)]);
      }
    }
    orgStmt.free();
    dealStmt.free();
    db.run('COMMIT');
    return db.export();
  } finally {
    db.close();
  }
}

/**
 * Writes the demo DB to `file` when it does not exist yet. Its mtime is set back past any
 * stability window: the file stands for a source DB that was replaced long ago, so the first
 * report does not wait for it to settle.
 */
export async function ensureDemoSalesmapDb(file: string, today: IsoDate): Promise<{ created: boolean }> {
  if (fs.existsSync(file)) return { created: false };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, await buildDemoSalesmapDb({ today }));
  const longAgo = new Date(Date.now() - 86_400_000);
  fs.utimesSync(file, longAgo, longAgo);
  return { created: true };
}

if (require.main === module) {
  const file = process.argv[2] ?? path.join('.data', 'salesmap', 'salesmap.db');
  const today = process.argv[3] ?? new Date().toISOString().slice(0, 10);
  ensureDemoSalesmapDb(file, today).then(
    ({ created }) => console.log(created ? `wrote ${file} (demo data as of ${today})` : `${file} exists; remove it to regenerate`),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
