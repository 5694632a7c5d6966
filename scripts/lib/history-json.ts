/**
 * A fetched workflow history as the JSON of `temporal workflow show --output json`: the form of the
 * replay fixtures (tests/fixtures/histories), which Worker.runReplayHistory reads back.
 *
 * The SDK's converter is internal (`@temporalio/common/lib/proto-utils`), and the generated
 * messages' own toJSON writes google.protobuf.Timestamp and Duration as `{ seconds, nanos }`
 * objects, which the replayer rejects ("expected timestamp string"). So this walks the message's
 * reflected type (`@temporalio/proto` is a protobufjs reflection root) and writes those two as the
 * proto3 JSON strings; they are the only well-known types a history holds.
 */
import { temporal } from '@temporalio/proto';

interface ReflectedField {
  name: string;
  map?: boolean;
  resolvedType: ReflectedType | null;
  resolve(): ReflectedField;
}

interface ReflectedType {
  fullName: string;
  fieldsArray?: ReflectedField[];
  fromObject(o: object): object;
  toObject(m: object, options: object): Record<string, unknown>;
}

/** protobufjs's toJSON options: int64 as decimal strings, enums by name, bytes as base64. */
const JSON_OPTIONS = { longs: String, enums: String, bytes: String, json: true };

/** "", ".5", ".123456" or ".123456789": proto3 JSON keeps 0, 3, 6 or 9 digits of a fraction of a second. */
function fraction(nanos: number): string {
  if (!nanos) return '';
  const digits = String(nanos).padStart(9, '0');
  return `.${digits.endsWith('000000') ? digits.slice(0, 3) : digits.endsWith('000') ? digits.slice(0, 6) : digits}`;
}

function secondsNanos(v: unknown): { seconds: number; nanos: number } {
  const o = v as { seconds?: string | number; nanos?: number };
  return { seconds: Number(o.seconds ?? 0), nanos: o.nanos ?? 0 };
}

function wellKnown(fullName: string, v: unknown): string | undefined {
  if (fullName === '.google.protobuf.Timestamp') {
    const { seconds, nanos } = secondsNanos(v);
    return `${new Date(seconds * 1000).toISOString().slice(0, 19)}${fraction(nanos)}Z`;
  }
  if (fullName === '.google.protobuf.Duration') {
    const { seconds, nanos } = secondsNanos(v);
    return `${seconds}${fraction(nanos)}s`;
  }
  return undefined;
}

/** `v` (toObject output of `type`) with every Timestamp and Duration in it as a string, in repeated and map fields too. */
function rewrite(type: ReflectedType, v: unknown): unknown {
  const asString = wellKnown(type.fullName, v);
  if (asString !== undefined) return asString;
  if (!type.fieldsArray || typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
  for (const field of type.fieldsArray) {
    const inner = field.resolve().resolvedType;
    const value = out[field.name];
    if (!inner?.fieldsArray || value === undefined || value === null) continue;
    const each = (x: unknown) => rewrite(inner, x);
    if (Array.isArray(value)) out[field.name] = value.map(each);
    else if (field.map) out[field.name] = Object.fromEntries(Object.entries(value).map(([k, x]) => [k, each(x)]));
    else out[field.name] = each(value);
  }
  return out;
}

/** The history as a JSON object: `{ events: [...] }`, ready for JSON.stringify (beside a `workflowId`, for the fixtures). */
export function historyToJsonObject(history: temporal.api.history.v1.IHistory): Record<string, unknown> {
  const type = temporal.api.history.v1.History as unknown as ReflectedType;
  return rewrite(type, type.toObject(type.fromObject(history), JSON_OPTIONS)) as Record<string, unknown>;
}
