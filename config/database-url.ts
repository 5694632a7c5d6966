/**
 * Which PostgreSQL an operator process talks to, and how its URL may be shown. Lives in config/ because
 * both the production entry points (api/jobs-main.ts) and the dev/operator scripts need it, and the
 * production folders must not import scripts/.
 */
import { Client } from 'pg';

export async function canConnect(url: string): Promise<boolean> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Port of the embedded PostgreSQL that `npm run dev` starts. */
export function devPgPort(): number {
  return Number(process.env.DEV_PG_PORT ?? 5433);
}

/** The database of the operator scripts: DATABASE_URL, else the embedded one of a running `npm run dev`. */
export function operatorDatabaseUrl(databaseUrl: string | undefined): string {
  return databaseUrl ?? `postgres://postgres:postgres@127.0.0.1:${devPgPort()}/compass`;
}

export function redactDbUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
