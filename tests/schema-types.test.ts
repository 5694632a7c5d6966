/**
 * The kysely `Database` type against the migrations (issue 15's "Done when"): the committed
 * db/generated/tables.ts is what `npm run db:types` makes of the migrations today, and a column
 * renamed by a migration makes the type check fail in the modules whose typed queries use it.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { StepStatus } from '../db/schema';
import { generateTableTypes, parseInListCheck, TABLES_FILE, tablesDiff } from '../scripts/db-types';
import { pgAdminUrl } from './helpers/services';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');

describe('the Database type', () => {
  it('reads IN-list checks as PostgreSQL prints them, and nothing else', () => {
    expect(parseInListCheck("CHECK ((status = ANY (ARRAY['running'::text, 'it''s'::text])))")).toEqual({ column: 'status', values: ['running', "it's"] });
    expect(parseInListCheck('CHECK ((used >= 0))')).toBeNull();
    expect(parseInListCheck("CHECK (((source <> 'dart'::text) OR (corp_code IS NOT NULL)))")).toBeNull();
  });

  it("makes a CHECK (status IN (...)) the column's type: a value outside it does not compile (tsc checks this file)", () => {
    const running: StepStatus = 'running';
    // @ts-expect-error 'paused' is not a status data_collection_log's check allows
    const paused: StepStatus = 'paused';
    expect([running, paused]).toEqual(['running', 'paused']);
  });

  it('db/generated/tables.ts is what the migrations produce (npm run db:types)', async () => {
    const generated = await generateTableTypes(pgAdminUrl());
    const diff = tablesDiff(fs.readFileSync(TABLES_FILE, 'utf8'), generated);
    if (diff) throw new Error(`db/generated/tables.ts disagrees with the migrations: run npm run db:types\n${diff.patch}`);
    // The checks of the migrations became unions, null and defaults kept.
    expect(generated).toMatch(/export interface DataCollectionLog \{[^}]*\n {2}status: "running" \| "succeeded" \| "failed" \| "skipped";/);
    expect(generated).toMatch(/export interface EmailSend \{[^}]*\n {2}status: "sending" \| "sent" \| "failed" \| "refused" \| "uncertain";/);
  });

  describe('in a scratch copy whose new migration renames stock_price_daily.close_price', () => {
    let copy: string;

    beforeAll(() => {
      copy = fs.mkdtempSync(path.join(os.tmpdir(), 'compass-rename-'));
      // What tsconfig.json compiles, with the same node_modules.
      const { include } = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as { include: string[] };
      for (const entry of [...include, 'tsconfig.json', 'package.json']) {
        if (fs.existsSync(path.join(ROOT, entry))) fs.cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
      }
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
      addRenameMigration(copy);
    });

    afterAll(() => {
      if (copy) fs.rmSync(copy, { recursive: true, force: true });
    });

    it('npm run db:types -- --check reports the committed types stale; after npm run db:types the type check fails where queries use the old name', async () => {
      const env = { ...process.env, DATABASE_URL: pgAdminUrl() };
      const tsx = path.join(copy, 'node_modules', '.bin', 'tsx');

      const stale = await run(tsx, ['scripts/db-types.ts', '--check'], { cwd: copy, env }).then(
        () => null,
        (e: { code?: number; stderr?: string }) => e,
      );
      expect(stale?.code).toBe(1);
      expect(stale?.stderr).toContain('run npm run db:types');
      expect(stale?.stderr).toContain('-  close_price: Int8;');

      await run(tsx, ['scripts/db-types.ts'], { cwd: copy, env });
      const tables = fs.readFileSync(path.join(copy, 'db', 'generated', 'tables.ts'), 'utf8');
      const stockPriceDaily = /export interface StockPriceDaily \{[^}]*\}/.exec(tables)?.[0] ?? '';
      expect(stockPriceDaily).toContain('close_krw: Int8;');
      expect(stockPriceDaily).not.toContain('close_price');

      const tsc = await run(path.join(copy, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json', '--noEmit'], { cwd: copy, maxBuffer: 64 * 1024 * 1024 }).then(
        () => null,
        (e: { code?: number; stdout?: string }) => e,
      );
      expect(tsc?.code).toBeGreaterThan(0);
      const errors = typeErrors(tsc?.stdout ?? '');
      const naming = errors.filter((e) => e.text.includes('close_price') && !e.file.startsWith('db/generated/'));
      // The market email's movers select p.close_price through the builder.
      expect(naming.map((e) => e.file)).toContain('db/market-email.ts');
    }, 360_000);
  });
});

/** A migration renaming stock_price_daily.close_price, listed in the copy's db/migrate.ts as every migration is. */
function addRenameMigration(repo: string): void {
  const name = '2999_01_01_001_rename_close_price';
  fs.writeFileSync(
    path.join(repo, 'db', 'migrations', `${name}.ts`),
    `import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql\`ALTER TABLE stock_price_daily RENAME COLUMN close_price TO close_krw\`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql\`ALTER TABLE stock_price_daily RENAME COLUMN close_krw TO close_price\`.execute(db);
}
`,
  );
  const file = path.join(repo, 'db', 'migrate.ts');
  const before = fs.readFileSync(file, 'utf8');
  const after = before
    .replace(/^(import \* as \w+ from '\.\/migrations\/[^']+';\n)(?!import \* as)/m, `$1import * as renameProbe from './migrations/${name}';\n`)
    .replace(/(const migrations: Record<string, Migration> = \{\n[\s\S]*?)\n\};/, `$1\n  '${name}': renameProbe,\n};`);
  if (!after.includes(`'${name}': renameProbe`) || !after.includes(`import * as renameProbe`)) {
    throw new Error('db/migrate.ts no longer has the import list and `const migrations` map this test extends; update addRenameMigration');
  }
  fs.writeFileSync(file, after);
}

/** tsc's errors, each with its file (relative to the project) and its whole message. */
function typeErrors(output: string): Array<{ file: string; text: string }> {
  const errors: Array<{ file: string; text: string }> = [];
  for (const line of output.split('\n')) {
    const m = /^(\S[^(]*)\(\d+,\d+\): error TS\d+:/.exec(line);
    if (m) errors.push({ file: m[1]!, text: line });
    else if (errors.length && line.startsWith(' ')) errors[errors.length - 1]!.text += `\n${line}`;
  }
  return errors;
}
