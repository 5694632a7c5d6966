/**
 * Validation of the catalog, before anything on the server changes: a malformed entry stops
 * apply/diff/prune with a message naming the entry and the field.
 */
import { z } from 'zod';
import { isValidTimeZone } from '../calendar/time-zone';
import { isWorkflowType, WORKFLOW_TYPES } from '../shared/workflow-types';
import { cronProblems } from './cron';
import type { ScheduleEntry } from './catalog';

const DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;
const duration = z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d|seconds?|minutes?|hours?|days?)$/, 'must be a duration such as "30 minutes" or "6h"');

const entrySchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be lower-case letters, digits and dashes'),
  description: z.string().min(10, 'say what the schedule does (10 characters at least)'),
  chain: z.string().min(1),
  calendar: z.object({
    dayOfWeek: z.union([z.object({ start: z.enum(DAYS), end: z.enum(DAYS) }), z.array(z.enum(DAYS)).min(1)]).optional(),
    dayOfMonth: z.union([z.number().int().min(1).max(31), z.object({ start: z.number().int().min(1).max(31), end: z.number().int().min(1).max(31) })]).optional(),
    month: z.array(z.number().int().min(1).max(12)).min(1).optional(),
    hour: z.number().int().min(0).max(23),
    minute: z.number().int().min(0).max(59),
  }).optional(),
  cron: z.string().optional(),
  timezone: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Asia/Seoul').optional(),
  disabledReason: z.string().min(1).optional(),
  skipKrxHolidays: z.boolean(),
  workflowType: z.string().refine(isWorkflowType, {
    message: `must be a workflow exported by workflows/index.ts (${WORKFLOW_TYPES.join(', ')})`,
  }),
  args: z.array(z.unknown()),
  overlap: z.enum(['SKIP', 'BUFFER_ONE', 'BUFFER_ALL', 'CANCEL_OTHER', 'TERMINATE_OTHER', 'ALLOW_ALL']),
  catchupWindow: duration,
  runTimeout: duration,
}).superRefine((e, ctx) => {
  if ((e.calendar === undefined) === (e.cron === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['calendar'], message: 'give exactly one of calendar and cron' });
  }
  if (e.cron !== undefined) for (const message of cronProblems(e.cron)) ctx.addIssue({ code: 'custom', path: ['cron'], message });
});

export class CatalogError extends Error {
  constructor(readonly problems: string[], what = 'schedule catalog') {
    super(`the ${what} is invalid; nothing was changed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CatalogError';
  }
}

/** One problem line per schema issue of an entry: `<label> <field>: <message>`. */
export function issueProblems(label: string, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string[] {
  return issues.map((issue) => `${label} ${issue.path.map(String).join('.') || '(entry)'}: ${issue.message}`);
}

export function validateCatalog(entries: unknown[]): ScheduleEntry[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  entries.forEach((raw, i) => {
    const parsed = entrySchema.safeParse(raw);
    const label = (raw as { id?: unknown })?.id ? `"${String((raw as { id: unknown }).id)}"` : `#${i + 1}`;
    if (!parsed.success) {
      problems.push(...issueProblems(label, parsed.error.issues));
      return;
    }
    if (seen.has(parsed.data.id)) problems.push(`${label}: duplicate id`);
    seen.add(parsed.data.id);
  });
  if (problems.length) throw new CatalogError(problems);
  return entries as ScheduleEntry[];
}
