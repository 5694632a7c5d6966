/**
 * The stack behind the operations page tests: a scratch database, the collection catalog applied
 * to the test Temporal server under ids of its own, and the jobs API with the admin routes as its extraRoutes.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { adminRoutes } from '../../api/admin-routes';
import { startJobsApi } from '../../api/jobs-api';
import { loadConfig } from '../../config/env';
import { catalog, type ScheduleEntry } from '../../schedules/catalog';
import { applyCatalog } from '../../schedules/manage';
import { connectTestClient, type ScratchDb, scratchDatabase } from './services';

export const TOKEN = 'admin-test-token-0123456789';
export const UI = 'http://127.0.0.1:8233';

export interface AdminStack {
  url: string;
  client: Client;
  scratch: ScratchDb;
  /** The catalog as applied: every entry under `adm-<suffix>-<id>`; the last one paused by "configuration". */
  entries: ScheduleEntry[];
  taskQueue: string;
  close(): Promise<void>;
}

export async function startAdminStack(prefix: string): Promise<AdminStack> {
  const suffix = randomUUID().slice(0, 6);
  const taskQueue = `admin-${prefix}-${suffix}`;
  const scratch = await scratchDatabase(prefix);
  const client = await connectTestClient();
  const all = catalog();
  const entries = all.map((e, i) => ({
    ...e,
    id: `adm-${suffix}-${e.id}`,
    disabledReason: i === all.length - 1 ? 'paused by the admin page test' : undefined,
  }));
  await applyCatalog(client, entries, { taskQueue, scope: 'mock' });
  const cfg = loadConfig({ LOG_LEVEL: 'warn', JOBS_API_HOST: '127.0.0.1', JOBS_API_PORT: '0' } as NodeJS.ProcessEnv);
  const server = await startJobsApi({
    cfg,
    db: scratch.db,
    token: TOKEN,
    clientFor: () => {
      throw new Error('the admin tests do not call the /jobs routes');
    },
    extraRoutes: adminRoutes({ db: scratch.db, client, cfg, now: Date.now, temporalUiUrl: UI, schedules: entries, token: TOKEN }),
  });
  return {
    url: server.url,
    client,
    scratch,
    entries,
    taskQueue,
    close: async () => {
      await server.close();
      for (const e of entries) await client.schedule.getHandle(e.id).delete().catch(() => undefined);
      await client.connection.close();
      await scratch.drop();
    },
  };
}
