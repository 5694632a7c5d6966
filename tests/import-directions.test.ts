/**
 * Imports point one way (issue 15): `npm run deps:check` (dependency-cruiser with .dependency-cruiser.cjs)
 * finds no violation, and no two top-level production folders import each other at run time. The second
 * half plants one import of each forbidden kind in a scratch tree and shows that the same configuration
 * names every one of them, and none of the erased (type-only) imports it allows.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
/** Top-level folders whose code ships in the production image (the config's PRODUCTION list). */
const PRODUCTION = ['activities', 'workflows', 'workers', 'api', 'client', 'config', 'db', 'sources', 'shared', 'schedules', 'jobs', 'checks', 'scoring', 'emails', 'calendar', 'reports'];

interface Violation {
  type: string;
  from: string;
  to: string;
  rule: { name: string; severity: string };
  cycle?: Array<{ name: string }>;
}
interface Dependency {
  resolved: string;
  coreModule: boolean;
  couldNotResolve: boolean;
  dependencyTypes: string[];
}
interface CruiseResult {
  modules: Array<{ source: string; dependencies: Dependency[] }>;
  summary: { violations: Violation[]; error: number; totalCruised: number };
}

/** The folders `npm run deps:check` cruises, read from package.json so the two cannot drift apart. */
function checkedFolders(): string[] {
  const script = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['deps:check'];
  const m = /^depcruise --config \.dependency-cruiser\.cjs ((?:[\w-]+ ?)+)$/.exec(script ?? '');
  if (!m) throw new Error(`package.json "deps:check" is not "depcruise --config .dependency-cruiser.cjs <folders>": ${script}`);
  return m[1]!.trim().split(' ');
}

function cruise(cwd: string, folders: string[]): CruiseResult {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'compass-depcruise-')), 'result.json');
  try {
    const r = spawnSync(process.execPath, [DEPCRUISE, '--config', CONFIG, '--output-type', 'json', '--output-to', out, ...folders], { cwd, encoding: 'utf8' });
    if (!fs.existsSync(out)) throw new Error(`dependency-cruiser wrote no result (exit ${r.status}):\n${r.stderr}`);
    return JSON.parse(fs.readFileSync(out, 'utf8')) as CruiseResult;
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
}

const describeViolation = (v: Violation): string =>
  `${v.rule.name}: ${v.from} → ${v.cycle ? v.cycle.map((c) => c.name).join(' → ') : v.to}`;

/** Explains a rule from its own comment, so that a failure says what guarantee broke and how to mend it. */
function explain(violations: Violation[]): string {
  const rules = (require(CONFIG) as { forbidden: Array<{ name: string; comment: string }> }).forbidden;
  const byRule = new Map<string, string[]>();
  for (const v of violations) byRule.set(v.rule.name, [...(byRule.get(v.rule.name) ?? []), `    ${describeViolation(v)}`]);
  return [...byRule].map(([name, lines]) => `${name} (${rules.find((r) => r.name === name)?.comment ?? 'no such rule'}):\n${lines.join('\n')}`).join('\n\n');
}

const ERASED = new Set(['type-only', 'pre-compilation-only']);

/**
 * Groups of top-level folders that import each other at run time (each group a strongly connected part
 * of the folder graph), each with the imports that tie it together.
 */
function folderCycles(result: CruiseResult, folders: string[]): string[] {
  const top = (p: string) => p.split('/')[0]!;
  const edges = new Map<string, string>();
  for (const m of result.modules) {
    for (const d of m.dependencies) {
      if (d.coreModule || d.couldNotResolve || d.dependencyTypes.some((t) => ERASED.has(t))) continue;
      const [a, b] = [top(m.source), top(d.resolved)];
      if (a !== b && folders.includes(a) && folders.includes(b)) edges.set(`${a}>${b}`, `${m.source} → ${d.resolved}`);
    }
  }
  const reach = new Map<string, Set<string>>();
  for (const start of folders) {
    const seen = new Set<string>();
    const queue = [start];
    while (queue.length) {
      const at = queue.shift()!;
      for (const to of folders) if (edges.has(`${at}>${to}`) && !seen.has(to)) (seen.add(to), queue.push(to));
    }
    reach.set(start, seen);
  }
  const groups = new Set<string>();
  for (const a of folders) {
    const group = folders.filter((b) => b === a || (reach.get(a)!.has(b) && reach.get(b)!.has(a)));
    if (group.length < 2) continue;
    const ties = group.flatMap((x) => group.map((y) => edges.get(`${x}>${y}`)).filter((e): e is string => e !== undefined));
    groups.add(`${group.join(' ⇄ ')}: ${ties.join('; ')}`);
  }
  return [...groups];
}

describe('import directions of this repository (npm run deps:check)', () => {
  let result: CruiseResult;
  beforeAll(() => {
    result = cruise(ROOT, checkedFolders());
  }, 300_000);

  it('cruises every source folder tsconfig.json compiles', () => {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as { include: string[] };
    expect(checkedFolders().sort()).toEqual([...tsconfig.include].sort());
    expect(result.summary.totalCruised).toBeGreaterThan(300);
  });

  it('finds no violation of the rules in .dependency-cruiser.cjs', () => {
    const violations = result.summary.violations;
    if (violations.length) throw new Error(`${violations.length} import(s) point the wrong way:\n\n${explain(violations)}`);
    expect(result.summary.error).toBe(0);
  });

  it('has no two production folders that import each other at run time', () => {
    const cycles = folderCycles(result, PRODUCTION);
    if (cycles.length) throw new Error(`folders that depend on each other at run time:\n${cycles.map((c) => `  ${c}`).join('\n')}`);
  });
});

describe('the same rules on a scratch tree with planted imports', () => {
  let scratch: string;
  const plant = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
    fs.writeFileSync(path.join(scratch, file), text);
  };

  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'compass-import-directions-'));
    // A stand-in of the SDK package with a public entry point and an internal lib/ module.
    plant('node_modules/@temporalio/common/package.json', JSON.stringify({ name: '@temporalio/common', version: '0.0.0', main: 'lib/index.js' }));
    plant('node_modules/@temporalio/common/lib/index.js', 'exports.msToNumber = require("./time").msToNumber;\n');
    plant('node_modules/@temporalio/common/lib/time.js', 'exports.msToNumber = () => 1000;\n');
    fs.copyFileSync(path.join(ROOT, 'tsconfig.json'), path.join(scratch, 'tsconfig.json'));
    plant('package.json', JSON.stringify({ name: 'scratch', dependencies: { '@temporalio/common': '0.0.0' }, devDependencies: { 'dev-only': '0.0.0' } }));
    plant('node_modules/dev-only/package.json', JSON.stringify({ name: 'dev-only', version: '0.0.0', main: 'index.js' }));
    plant('node_modules/dev-only/index.js', 'exports.pretty = 1;\n');
    plant('node_modules/transitive/package.json', JSON.stringify({ name: 'transitive', version: '0.0.0', main: 'index.js' }));
    plant('node_modules/transitive/index.js', 'exports.proto = 1;\n');
    plant('db/pretty.ts', "import { pretty } from 'dev-only';\nexport const p = pretty;\n");
    plant('config/proto.ts', "import { proto } from 'transitive';\nexport const q = proto;\n");
    plant('api/ops-url.ts', "import { ops } from '../scripts/ops';\nexport const u = ops;\n");
    plant('db/budget.ts', 'export const budget = 1;\n');
    plant('activities/index.ts', "export async function work(): Promise<number> { return 1; }\n");
    plant('workers/run.ts', 'export const worker = 1;\n');
    plant('dev/sim.ts', 'export const simKey = "k";\n');
    plant('shared/keys.ts', "import { msToNumber } from '@temporalio/common';\nexport const second = msToNumber;\n");
    plant('sources/client.ts', "import { budget } from '../db/budget';\nexport const paced = budget;\n");
    plant('shared/progress.ts', "import type { Wf } from '../workflows/flow';\nexport type P = Wf;\nexport const none = 0;\n");
    plant('shared/clock.ts', "import fs from 'node:fs';\nexport const read = () => fs.existsSync('x');\n");
    plant('workflows/flow.ts', [
      "import type * as acts from '../activities';", // erased: allowed
      "import { readFileSync } from 'node:fs';",
      "import { budget } from '../db/budget';",
      'export type Wf = typeof acts;',
      'export const flow = () => readFileSync(String(budget));',
      '',
    ].join('\n'));
    plant('schedules/validate.ts', "import type { Wf } from '../workflows/flow';\nimport { flow } from '../workflows/flow';\nexport type V = Wf;\nexport const v = flow;\n");
    plant('client/ops.ts', "import { work } from '../activities';\nexport const run = work;\n");
    plant('jobs/catalog.ts', "import { worker } from '../workers/run';\nexport const w = worker;\n");
    plant('config/env.ts', "import { simKey } from '../dev/sim';\nimport { msToNumber } from '@temporalio/common/lib/time';\nexport const key = simKey + msToNumber('1s');\n");
    plant('api/a.ts', "import { b } from './b';\nexport const a = () => b;\n");
    plant('api/b.ts', "import { a } from './a';\nexport const b = () => a;\n");
    plant('emails/x.ts', "import type { Y } from './y';\nexport interface X { y?: Y }\n");
    plant('emails/y.ts', "import type { X } from './x';\nexport interface Y { x?: X }\n");
    plant('scripts/ops.ts', "import { run } from '../client/ops';\nexport const ops = run;\n");
  });

  afterAll(() => {
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('names each planted import with its rule, and passes the erased ones', () => {
    const result = cruise(scratch, ['activities', 'api', 'client', 'config', 'db', 'dev', 'emails', 'jobs', 'schedules', 'scripts', 'shared', 'sources', 'workers', 'workflows']);
    const found = result.summary.violations.map(describeViolation).sort();
    expect(found).toEqual([
      'activities-load-only-in-workers: client/ops.ts → activities/index.ts',
      'activities-load-only-in-workers: jobs/catalog.ts → workers/run.ts',
      'clis-do-not-load-activities: client/ops.ts → activities/index.ts',
      'no-runtime-cycles: api/a.ts → api/b.ts → api/a.ts',
      'no-sdk-deep-imports: config/env.ts → node_modules/@temporalio/common/lib/time.js',
      'packages-are-declared: config/proto.ts → node_modules/transitive/index.js',
      'production-does-not-know-dev: config/env.ts → dev/sim.ts',
      'production-does-not-know-scripts: api/ops-url.ts → scripts/ops.ts',
      'production-loads-no-dev-packages: db/pretty.ts → node_modules/dev-only/index.js',
      'schedule-validation-loads-no-workflows: schedules/validate.ts → workflows/flow.ts',
      'shared-imports-no-workers-side: shared/progress.ts → workflows/flow.ts',
      'shared-stays-sandbox-safe: shared/clock.ts → fs',
      'sources-are-pure-clients: sources/client.ts → db/budget.ts',
      'workflows-stay-deterministic: workflows/flow.ts → db/budget.ts',
      'workflows-stay-deterministic: workflows/flow.ts → fs',
    ]);
    // What a failing run prints: each broken rule once, with the guarantee it protects, then its imports.
    expect(explain(result.summary.violations)).toContain(
      'sources-are-pure-clients (sources/ are clients of the external APIs and nothing else: they do not know the database,',
    );
    expect(explain(result.summary.violations)).toContain('):\n    sources-are-pure-clients: sources/client.ts → db/budget.ts');
  }, 300_000);

  it('finds a run-time cycle between two folders, and ignores one of erased imports', () => {
    plant('db/uses-api.ts', "import { a } from '../api/a';\nexport const viaApi = a;\n");
    plant('api/uses-db.ts', "import { budget } from '../db/budget';\nexport const viaDb = budget;\n");
    plant('checks/t.ts', "import type { X } from '../emails/x';\nexport type T = X;\nexport const t = 1;\n");
    plant('emails/z.ts', "import type { T } from '../checks/t';\nexport type Z = T;\n");
    const result = cruise(scratch, ['api', 'checks', 'db', 'emails']);
    expect(folderCycles(result, PRODUCTION)).toEqual(['api ⇄ db: api/uses-db.ts → db/budget.ts; db/uses-api.ts → api/a.ts']);
  }, 300_000);
});
