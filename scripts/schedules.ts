/**
 * npm run schedules -- apply | diff | prune
 *   apply  create or update every schedule of schedules/catalog.ts (keeps an operator's pause and note)
 *   diff   show what apply (and prune) would change; changes nothing
 *   prune  delete managed schedules that are no longer in the catalog
 */
import { connectClient } from '../client/connection';
import { loadConfig } from '../config/env';
import { catalog } from '../schedules/catalog';
import { applyCatalog, formatPlan, planChanges, pruneSchedules } from '../schedules/manage';
import { validateCatalog } from '../schedules/validate';

const USAGE = 'usage: npm run schedules -- apply | diff | prune';

async function main(): Promise<number> {
  const command = process.argv[2];
  if (!command || !['apply', 'diff', 'prune'].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const cfg = loadConfig();
  const entries = catalog(cfg); // entries built from configuration (REPORT_CRON, TZ, ENABLE_SCHEDULER) included
  validateCatalog(entries); // before connecting: a malformed catalog never reaches the server
  const client = await connectClient(cfg, { logLevel: 'debug' });
  const ctx = { taskQueue: cfg.TEMPORAL_TASK_QUEUE, scope: cfg.scope };
  try {
    if (command === 'prune') {
      const deleted = await pruneSchedules(client, entries);
      console.log(deleted.length ? deleted.map((id) => `deleted  ${id}`).join('\n') : 'nothing to prune');
      return 0;
    }
    const plan = command === 'apply' ? await applyCatalog(client, entries, ctx) : await planChanges(client, entries, ctx);
    for (const line of formatPlan(plan, command === 'apply')) console.log(line);
    if (command === 'apply' && plan.some((c) => c.kind === 'delete')) {
      console.log('schedules marked stale are managed but no longer in the catalog: `npm run schedules -- prune` deletes them');
    }
    return 0;
  } finally {
    await client.connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
