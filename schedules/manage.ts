/**
 * apply / diff / prune of schedule definitions against a Temporal server: one engine for the
 * collection catalog (schedules/catalog.ts, namespace of the chains) and the service job catalog
 * (jobs/, one namespace per scope). The client passed in names the namespace.
 *
 * apply replaces spec, action and policies of each schedule, and keeps what operators own:
 * the paused flag, the note and remaining actions (except that a definition disabled by
 * configuration is paused with a note saying why, and resumed once enabled again if that note
 * is still there). The TS SDK cannot update a schedule's memo (1.24), so the memo is written at
 * creation only; the config fingerprint lives in a schedule search attribute, which update can replace.
 */
import { type Client, ScheduleAlreadyRunning, type ScheduleDescription, ScheduleNotFoundError, type ScheduleOptions } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { msToTimestamp } from '../shared/duration';
import { ALL_SEARCH_ATTRIBUTES, CONFIG_HASH } from '../shared/search-attributes';
import { type BuildContext, buildScheduleOptions, changedParts, desiredPauseState, MANAGED_BY } from './options';
import { validateCatalog } from './validate';

export type ChangeKind = 'create' | 'update' | 'unchanged' | 'delete';

export interface PlannedChange {
  id: string;
  kind: ChangeKind;
  parts: string[];
  description: string;
}

/** One schedule as the engine sees it, whichever catalog it comes from. */
export interface ScheduleDefinition {
  id: string;
  description: string;
  /** Set when configuration turns the schedule off (see desiredPauseState). */
  disabledReason?: string;
  /** Must carry `memo.managedBy` and the CONFIG_HASH search attribute. */
  options: ScheduleOptions;
  /** "spec=…;action=…;policies=…" (options.ts fingerprint). */
  hash: string;
}

async function describeOrNull(client: Client, id: string): Promise<ScheduleDescription | null> {
  try {
    return await client.schedule.getHandle(id).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return null;
    throw err;
  }
}

/** What applying `defs` would change in the client's namespace, plus managed schedules `defs` no longer list. */
export async function planDefinitions(client: Client, defs: ScheduleDefinition[], managedBy: string): Promise<PlannedChange[]> {
  const out: PlannedChange[] = [];
  for (const def of defs) {
    const current = await describeOrNull(client, def.id);
    if (!current) {
      out.push({ id: def.id, kind: 'create', parts: ['spec', 'action', 'policies'], description: def.description });
      continue;
    }
    const parts = changedParts(current.typedSearchAttributes.get(CONFIG_HASH), def.hash);
    if (desiredPauseState(def, current.state)) parts.push('state');
    out.push({ id: def.id, kind: parts.length ? 'update' : 'unchanged', parts, description: def.description });
  }
  for (const id of await managedScheduleIds(client, managedBy)) {
    if (!defs.some((d) => d.id === id)) out.push({ id, kind: 'delete', parts: [], description: 'no longer in the catalog (prune deletes it)' });
  }
  return out;
}

/** Creates or updates every definition that differs from the server; returns the plan it carried out. */
export async function applyDefinitions(client: Client, defs: ScheduleDefinition[], managedBy: string): Promise<PlannedChange[]> {
  await ensureNamespace(client);
  await ensureSearchAttributes(client);
  const plan = (await planDefinitions(client, defs, managedBy)).filter((c) => c.kind !== 'delete');
  for (const change of plan) {
    if (change.kind === 'unchanged') continue;
    await upsertDefinition(client, defs.find((d) => d.id === change.id)!);
  }
  return plan;
}

/** Deletes the schedules managed by `managedBy` that `keepIds` does not list. Runs they started are left alone. */
export async function pruneDefinitions(client: Client, keepIds: string[], managedBy: string): Promise<string[]> {
  const deleted: string[] = [];
  for (const id of await managedScheduleIds(client, managedBy)) {
    if (keepIds.includes(id)) continue;
    await client.schedule.getHandle(id).delete();
    deleted.push(id);
  }
  return deleted;
}

/** One line per change, as `apply` (what it did) or `diff` (what it would do) prints them. */
export function formatPlan(plan: PlannedChange[], applied: boolean): string[] {
  const verb = applied
    ? { create: 'created', update: 'updated', unchanged: 'unchanged', delete: 'stale' }
    : { create: 'create', update: 'update', unchanged: 'unchanged', delete: 'delete' };
  return plan.map((c) => {
    const parts = c.kind === 'update' ? ` (${c.parts.join(', ')})` : '';
    return `${verb[c.kind].padEnd(10)} ${c.id}${parts}  ${c.kind === 'delete' ? c.description : ''}`.trimEnd();
  });
}

function definitionsOf(entries: unknown[], ctx: BuildContext): ScheduleDefinition[] {
  return validateCatalog(entries).map((entry) => ({ ...buildScheduleOptions(entry, ctx), id: entry.id, description: entry.description, disabledReason: entry.disabledReason }));
}

export async function planChanges(client: Client, entries: unknown[], ctx: BuildContext): Promise<PlannedChange[]> {
  return planDefinitions(client, definitionsOf(entries, ctx), MANAGED_BY);
}

export async function applyCatalog(client: Client, entries: unknown[], ctx: BuildContext): Promise<PlannedChange[]> {
  return applyDefinitions(client, definitionsOf(entries, ctx), MANAGED_BY);
}

async function upsertDefinition(client: Client, def: ScheduleDefinition): Promise<void> {
  const { options } = def;
  try {
    await client.schedule.create(options);
    return;
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(def.id).update((prev) => ({
    // Spec, action and policies are replaced whole, never merged: describe() returns the
    // server's canonical spec, and merging into it would keep stale calendars.
    spec: options.spec,
    action: options.action,
    policies: options.policies ?? {},
    typedSearchAttributes: options.typedSearchAttributes,
    state: { paused: prev.state.paused, note: prev.state.note, ...desiredPauseState(def, prev.state), remainingActions: prev.state.remainingActions },
  }));
}

/** Deletes managed schedules that the catalog no longer lists. Runs they started are left alone. */
export async function pruneSchedules(client: Client, entries: unknown[]): Promise<string[]> {
  return pruneDefinitions(client, validateCatalog(entries).map((e) => e.id), MANAGED_BY);
}

export async function managedScheduleIds(client: Client, managedBy: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const s of client.schedule.list()) {
    if (s.memo?.managedBy === managedBy) ids.push(s.scheduleId);
  }
  return ids;
}

const GRPC_NOT_FOUND = 5;
const NEW_NAMESPACE_RETENTION_DAYS = 7;

/**
 * Registers the client's namespace when the server lacks it. The dev server gets the job scopes'
 * namespaces as flags; a cluster set up another way (docker-compose.yml) gets them here, on the
 * first apply. Returns whether it registered one.
 */
export async function ensureNamespace(client: Client): Promise<boolean> {
  const namespace = client.options.namespace;
  const exists = async () =>
    client.workflowService.describeNamespace({ namespace }).then(
      () => true,
      (err: { code?: number }) => {
        if (err.code === GRPC_NOT_FOUND) return false;
        throw err;
      },
    );
  if (await exists()) return false;
  await client.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTimestamp(NEW_NAMESPACE_RETENTION_DAYS * 86_400_000) });
  // The frontend learns of a new namespace within seconds, not at once.
  for (let i = 0; i < 60 && !(await exists()); i++) await new Promise((r) => setTimeout(r, 500));
  return true;
}

/** Registers the custom search attributes when the server lacks them (the dev server gets them as flags). */
export async function ensureSearchAttributes(client: Client): Promise<string[]> {
  const namespace = client.options.namespace;
  const ops = client.connection.operatorService;
  const existing = await ops.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = ALL_SEARCH_ATTRIBUTES.filter((k) => !known.has(k.name));
  if (missing.length === 0) return [];
  await ops.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
  return missing.map((k) => k.name);
}
