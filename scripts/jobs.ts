/**
 * npm run jobs -- <command>: seed 002's job operations on the command line (the REST API is
 * api/jobs-api.ts); both call jobs/operations.ts.
 *
 *   list [--scope S]                         every job schedule with its state and last run
 *   show <job_id> [--scope S]                one job: definition, schedule state, next times, recent runs
 *   apply | diff | prune [--scope S]         make the schedules match jobs/catalog.json / show what apply would do / delete stale ones
 *   create --json '{…}' | --file F           add an entry to jobs/catalog.json and apply it
 *   update <job_id> [--scope S] --json '{…}' | --set field=value …   change an entry and apply it
 *   delete <job_id> [--scope S]              remove the entry and its schedule
 *   run-now <job_id> [--scope S] [--params '{…}'] [--wait]   run now; refused while max_parallel runs are going
 *   pause <job_id> [--scope S] [--reason R]  pause the schedule (the same as temporal schedule toggle --pause)
 *   resume <job_id> [--scope S] [--reason R]
 *
 * Without --scope a job command acts in the scope its body's queue names (create, update), else the one
 * scope whose catalog lists the job, else the configuration's scope (mock without DATAGOKR_API_KEY);
 * list/apply/diff/prune without --scope act on both. Each scope is its own namespace (JOBS_NAMESPACE_REAL / JOBS_NAMESPACE_MOCK).
 * Exit codes: 0 done, 1 failed, 2 usage error (unknown command or flag, a flag without its value).
 */
import fs from 'node:fs';
import { Client } from '@temporalio/client';
import { kstLabel } from '../calendar/trading-calendar';
import { connectTemporalClient } from '../client/connection';
import { type AppConfig, loadConfig } from '../config/env';
import { createDb, type Db } from '../db/database';
import { loadJobCatalog } from '../jobs/catalog';
import { jobsNamespace } from '../jobs/namespaces';
import {
  applyJobs, createJob, deleteJob, JobConflictError, type JobEdit, type JobRunRow, jobScope, lastRuns, listJobs, pauseJob, planJobs, pruneJobs,
  recentRuns, resumeJob, runNow, type ScopeChoice, showJob, updateJob,
} from '../jobs/operations';
import { formatPlan } from '../schedules/manage';
import { JOB_SCOPES, type JobScope } from '../shared/jobs';
import { parseCommandLine, UsageError } from './lib/cli-args';
import { canConnect, operatorDatabaseUrl } from '../config/database-url';

const USAGE = `usage: npm run jobs -- list | show <job_id> | apply | diff | prune | create --json '{…}' | update <job_id> --set k=v |
       delete <job_id> | run-now <job_id> [--params '{…}'] [--wait] | pause <job_id> [--reason …] | resume <job_id>   [--scope real|mock]`;

function parseScope(v: string | undefined): JobScope[] | null {
  if (v === undefined) return null;
  if (!(JOB_SCOPES as readonly string[]).includes(v)) throw new UsageError(`unknown scope "${v}": must be one of ${JOB_SCOPES.join(', ')}`);
  return [v as JobScope];
}

/** The value of `--set field=value`: JSON when it parses (numbers, booleans, objects), else the string. */
function setValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

async function openDb(cfg: AppConfig): Promise<Db | null> {
  const url = operatorDatabaseUrl(cfg.DATABASE_URL);
  return (await canConnect(url)) ? createDb(url, 2) : null;
}

function runLine(r: JobRunRow | undefined): string {
  if (!r) return 'never run';
  const took = r.ended_at ? `${((r.ended_at.getTime() - r.started_at.getTime()) / 1000).toFixed(1)} s` : 'running';
  return `${kstLabel(r.started_at)} ${r.status} (${r.trigger_source}, ${took})${r.error ? `: ${r.error}` : r.summary ? `: ${r.summary}` : ''}`;
}

function parseJson(raw: string, what: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new UsageError(`${what}: not JSON: ${(err as Error).message}`);
  }
}

function printEdit(edit: JobEdit, what: string): void {
  for (const note of edit.notes) console.log(`note: ${note}`);
  for (const line of formatPlan(edit.changes, true)) console.log(line);
  console.log(`jobs/catalog.json ${what}; schedules of scope ${edit.scope} applied`);
}

async function main(): Promise<number> {
  const { positionals, values } = parseCommandLine(process.argv.slice(2), {
    scope: { type: 'string' }, json: { type: 'string' }, file: { type: 'string' }, set: { type: 'string', multiple: true },
    params: { type: 'string' }, reason: { type: 'string' }, wait: { type: 'boolean' },
  }, USAGE);
  const [command, jobId] = positionals;
  if (!command) throw new UsageError(USAGE);
  const cfg = loadConfig();
  const scopes = parseScope(values.scope);
  // Which scope a job command acts in: --scope, else the body's scope or queue, else the one scope listing the job, else the configured one.
  const choice: ScopeChoice = { scope: scopes?.[0], fallbackScope: cfg.scope };
  const needsJob = ['show', 'update', 'delete', 'run-now', 'pause', 'resume'];
  if (needsJob.includes(command) && !jobId) throw new UsageError(`${command} needs a job_id\n${USAGE}`);

  const connection = await connectTemporalClient(cfg, { logLevel: 'debug' });
  const clientFor = (scope: JobScope) => new Client({ connection, namespace: jobsNamespace(cfg, scope) });
  const ctx = { clientFor };
  try {
    switch (command) {
      case 'apply':
      case 'diff':
      case 'prune': {
        const entries = loadJobCatalog();
        for (const scope of scopes ?? JOB_SCOPES) {
          const client = clientFor(scope);
          console.log(`# ${scope} (namespace ${client.options.namespace})`);
          if (command === 'prune') {
            const deleted = await pruneJobs(client, entries, scope);
            console.log(deleted.length ? deleted.map((id) => `deleted    ${id}`).join('\n') : 'nothing to prune');
          } else {
            const plan = command === 'apply' ? await applyJobs(client, entries, scope) : await planJobs(client, entries, scope);
            for (const line of formatPlan(plan, command === 'apply')) console.log(line);
          }
        }
        return 0;
      }
      // Catalog edits are checked in full before the file or any schedule changes (jobs/operations.ts).
      case 'create': {
        const raw = values.json ?? (values.file ? fs.readFileSync(values.file, 'utf8') : undefined);
        if (!raw) throw new UsageError('create needs --json \'{…}\' or --file job.json');
        printEdit(await createJob(ctx, parseJson(raw, values.json ? '--json' : values.file!), choice), 'has the new job');
        return 0;
      }
      case 'update': {
        const patch = (values.json ? parseJson(values.json, '--json') : {}) as Record<string, unknown>;
        for (const kv of values.set ?? []) {
          const eq = kv.indexOf('=');
          if (eq < 1) throw new UsageError(`--set ${kv}: expected field=value`);
          patch[kv.slice(0, eq)] = setValue(kv.slice(eq + 1));
        }
        if (Object.keys(patch).length === 0) throw new UsageError('update needs --json \'{…}\' or --set field=value');
        printEdit(await updateJob(ctx, jobId!, patch, choice), 'updated');
        return 0;
      }
      case 'delete': {
        const { scope, scheduleDeleted } = await deleteJob(ctx, jobId!, choice);
        console.log(`deleted ${jobId} (${scope}): removed from jobs/catalog.json${scheduleDeleted ? ' and its schedule deleted; runs in progress finish' : '; it had no schedule'}`);
        return 0;
      }
      case 'pause': {
        const scope = jobScope(ctx, jobId!, choice);
        await pauseJob(clientFor(scope), jobId!, values.reason);
        console.log(`paused ${jobId} (${scope})`);
        return 0;
      }
      case 'resume': {
        const scope = jobScope(ctx, jobId!, choice);
        await resumeJob(clientFor(scope), jobId!, values.reason);
        console.log(`resumed ${jobId} (${scope})`);
        return 0;
      }
      case 'run-now': {
        const scope = jobScope(ctx, jobId!, choice);
        const params = values.params ? (parseJson(values.params, '--params') as Record<string, unknown>) : undefined;
        const started = await runNow(clientFor(scope), jobId!, params);
        console.log(`started ${jobId} (${scope}): workflow ${started.workflowId} run ${started.runId} in namespace ${jobsNamespace(cfg, scope)}`);
        if (values.wait) console.log(JSON.stringify(await started.result()));
        return 0;
      }
      case 'list':
      case 'show': {
        const db = await openDb(cfg);
        try {
          for (const scope of command === 'show' ? [jobScope(ctx, jobId!, choice)] : (scopes ?? JOB_SCOPES)) {
            const client = clientFor(scope);
            const last = db ? await lastRuns(db, scope) : new Map<string, JobRunRow>();
            if (command === 'list') {
              console.log(`# ${scope} (namespace ${client.options.namespace})`);
              for (const j of await listJobs(client)) {
                const s = j.spec;
                console.log(`${j.jobId.padEnd(22)} ${(j.paused ? 'paused' : 'enabled').padEnd(8)} ${(s?.mode ?? '?').padEnd(9)} ${j.when.padEnd(36)} ${(s?.queue ?? '').padEnd(28)} max_parallel=${s?.maxParallel ?? '?'}  last: ${db ? runLine(last.get(j.jobId)) : '(no database)'}`);
              }
            } else {
              const j = await showJob(client, jobId!);
              const { description: _d, ...view } = j;
              console.log(JSON.stringify({ ...view, namespace: client.options.namespace, last_run: last.get(jobId!) ?? null }, null, 2));
              if (db) for (const r of await recentRuns(db, scope, jobId!)) console.log(`  ${r.run_id}  ${runLine(r)}`);
            }
          }
        } finally {
          await db?.destroy();
        }
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"\n${USAGE}`);
    }
  } finally {
    await connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    // A create of an existing job is a usage error, as it always was here (the API's 409).
    process.exit(err instanceof UsageError || err instanceof JobConflictError ? 2 : 1);
  },
);
