/**
 * apply / diff / prune of the catalog against a Temporal server.
 *
 * apply replaces spec, action and policies of each schedule, and keeps what operators own:
 * the paused flag, the note and remaining actions (except that an entry disabled by configuration
 * is paused with a note saying why, and resumed once enabled again if that note is still there).
 * The TS SDK cannot update a schedule's memo (1.24), so the memo is written at creation only; the config fingerprint lives in a schedule
 * search attribute, which update can replace.
 */
import { type Client, ScheduleAlreadyRunning, type ScheduleDescription, ScheduleNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES, CONFIG_HASH } from '../shared/search-attributes';
import type { ScheduleEntry } from './catalog';
import { type BuildContext, buildScheduleOptions, changedParts, desiredPauseState, MANAGED_BY } from './options';
import { validateCatalog } from './validate';

export type ChangeKind = 'create' | 'update' | 'unchanged' | 'delete';

export interface PlannedChange {
  id: string;
  kind: ChangeKind;
  parts: string[];
  description: string;
}

async function describeOrNull(client: Client, id: string): Promise<ScheduleDescription | null> {
  try {
    return await client.schedule.getHandle(id).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return null;
    throw err;
  }
}

export async function planChanges(client: Client, entries: unknown[], ctx: BuildContext): Promise<PlannedChange[]> {
  const catalog = validateCatalog(entries);
  const out: PlannedChange[] = [];
  for (const entry of catalog) {
    const { hash } = buildScheduleOptions(entry, ctx);
    const current = await describeOrNull(client, entry.id);
    if (!current) {
      out.push({ id: entry.id, kind: 'create', parts: ['spec', 'action', 'policies'], description: entry.description });
      continue;
    }
    const parts = changedParts(current.typedSearchAttributes.get(CONFIG_HASH), hash);
    if (desiredPauseState(entry, current.state)) parts.push('state');
    out.push({ id: entry.id, kind: parts.length ? 'update' : 'unchanged', parts, description: entry.description });
  }
  for (const id of await managedScheduleIds(client)) {
    if (!catalog.some((e) => e.id === id)) out.push({ id, kind: 'delete', parts: [], description: 'no longer in the catalog (prune deletes it)' });
  }
  return out;
}

export async function applyCatalog(client: Client, entries: unknown[], ctx: BuildContext): Promise<PlannedChange[]> {
  const catalog = validateCatalog(entries);
  await ensureSearchAttributes(client);
  const plan = (await planChanges(client, catalog, ctx)).filter((c) => c.kind !== 'delete');
  for (const change of plan) {
    if (change.kind === 'unchanged') continue;
    const entry = catalog.find((e) => e.id === change.id)!;
    await upsertSchedule(client, entry, ctx);
  }
  return plan;
}

async function upsertSchedule(client: Client, entry: ScheduleEntry, ctx: BuildContext): Promise<void> {
  const { options } = buildScheduleOptions(entry, ctx);
  try {
    await client.schedule.create(options);
    return;
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(entry.id).update((prev) => ({
    // Spec, action and policies are replaced whole, never merged: describe() returns the
    // server's canonical spec, and merging into it would keep stale calendars.
    spec: options.spec,
    action: options.action,
    policies: options.policies ?? {},
    typedSearchAttributes: options.typedSearchAttributes,
    state: { paused: prev.state.paused, note: prev.state.note, ...desiredPauseState(entry, prev.state), remainingActions: prev.state.remainingActions },
  }));
}

/** Deletes managed schedules that the catalog no longer lists. Runs they started are left alone. */
export async function pruneSchedules(client: Client, entries: unknown[]): Promise<string[]> {
  const catalog = validateCatalog(entries);
  const deleted: string[] = [];
  for (const id of await managedScheduleIds(client)) {
    if (catalog.some((e) => e.id === id)) continue;
    await client.schedule.getHandle(id).delete();
    deleted.push(id);
  }
  return deleted;
}

async function managedScheduleIds(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for await (const s of client.schedule.list()) {
    if (s.memo?.managedBy === MANAGED_BY) ids.push(s.scheduleId);
  }
  return ids;
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
