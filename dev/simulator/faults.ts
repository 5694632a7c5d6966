/**
 * Fault injection for the simulated sources: the failure modes the real gateways and their load
 * balancers have been seen to produce, served on demand so retry, back-off and circuit-breaker
 * code can be exercised deterministically. A rule names its source (data.go.kr when it does not);
 * each source turns the abstract kinds (quota, auth, code …) into its own wire answer.
 */
import type { IsoDate } from '../../calendar/trading-calendar';
import { gatewayAsJson, htmlError, type SimResponse } from './envelopes';
import { unit } from './hash';

export const FAULT_KINDS = [
  'http500', 'http503', 'http429', 'tps', 'quota', 'auth', 'appError', 'noData', 'malformed', 'hang', 'closed', 'code',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const SOURCES = ['datagokr', 'dart', 'finlife', 'yahoo', 'krxData', 'krxOpenApi', 'alphaVantage'] as const;
export type SourceName = (typeof SOURCES)[number];

export interface FaultRule {
  kind: FaultKind;
  /** The source whose requests the rule answers; data.go.kr when absent (the original single source). */
  source?: SourceName;
  /** kind "code": the source's own status to answer with (DART "013", finlife "020", data.go.kr "22", KRX login "CD010" …). */
  code?: string;
  /** Only requests whose path ends with one of these (e.g. "fnlttMultiAcnt.json", "getBondBasiInfo_V2"). */
  paths?: string[];
  /** Serve to the next N matching requests only; unlimited when absent. */
  times?: number;
  /** Share of matching requests (0..1), drawn from a seeded counter so runs repeat exactly. */
  probability?: number;
  /** Only requests whose date parameter (basDt, trdDd, basDd) is one of these (YYYY-MM-DD or YYYYMMDD). */
  dates?: string[];
  /** http429: value of the Retry-After header (default 2). */
  retryAfterSec?: number;
  /** hang: how long to stall before answering normally (default 30000). */
  hangMs?: number;
  /** data.go.kr: the gateway's refusals (quota, tps, auth, its codes) in XML (default) or JSON. */
  gatewayFormat?: 'xml' | 'json';
}

export interface FaultPlan {
  /** Added to every answer of the API. */
  latencyMs?: number;
  /** data.go.kr only: token bucket across all clients; requests over it get the TPS-exceeded (code 23) answer. */
  rps?: number;
  rules?: FaultRule[];
  /** Closures the KRX calendar does not know: answered empty, like a holiday. */
  extraClosedDates?: string[];
  /** Seed of the probability draws. */
  seed?: number;
}

export class FaultPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultPlanError';
  }
}

/** Accepts both date spellings used around the project; undefined when neither matches. */
export function normalizeDate(text: string): IsoDate | undefined {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso ? undefined : iso;
}

const PLAN_KEYS = new Set(['latencyMs', 'rps', 'rules', 'extraClosedDates', 'seed']);
const RULE_KEYS = new Set(['kind', 'source', 'code', 'paths', 'times', 'probability', 'dates', 'retryAfterSec', 'hangMs', 'gatewayFormat']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkNumber(v: unknown, where: string, opts: { min?: number; max?: number; integer?: boolean } = {}): void {
  if (v === undefined) return;
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (opts.min === undefined || v >= opts.min) &&
    (opts.max === undefined || v <= opts.max) &&
    (!opts.integer || Number.isInteger(v));
  if (!ok) throw new FaultPlanError(`${where} must be a ${opts.integer ? 'whole ' : ''}number in range`);
}

function checkDates(v: unknown, where: string): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || !v.every((d) => typeof d === 'string' && normalizeDate(d))) {
    throw new FaultPlanError(`${where} must be a list of YYYY-MM-DD or YYYYMMDD dates`);
  }
}

/** Validates untrusted input (HTTP body, env JSON); unknown keys are refused so typos do not pass silently. */
export function parseFaultPlan(input: unknown): FaultPlan {
  if (!isRecord(input)) throw new FaultPlanError('fault plan must be a JSON object');
  for (const k of Object.keys(input)) if (!PLAN_KEYS.has(k)) throw new FaultPlanError(`unknown fault plan field "${k}"`);
  checkNumber(input.latencyMs, 'latencyMs', { min: 0 });
  checkNumber(input.rps, 'rps', { min: 0.001 });
  checkNumber(input.seed, 'seed', { integer: true });
  checkDates(input.extraClosedDates, 'extraClosedDates');
  const rules: unknown = input.rules ?? [];
  if (!Array.isArray(rules)) throw new FaultPlanError('rules must be a list');
  rules.forEach((rule: unknown, i: number) => {
    const where = `rules[${i}]`;
    if (!isRecord(rule)) throw new FaultPlanError(`${where} must be an object`);
    for (const k of Object.keys(rule)) if (!RULE_KEYS.has(k)) throw new FaultPlanError(`unknown field "${k}" in ${where}`);
    if (!FAULT_KINDS.includes(rule.kind as FaultKind)) {
      throw new FaultPlanError(`${where}.kind must be one of ${FAULT_KINDS.join(', ')}`);
    }
    if (rule.source !== undefined && !SOURCES.includes(rule.source as SourceName)) {
      throw new FaultPlanError(`${where}.source must be one of ${SOURCES.join(', ')}`);
    }
    if (rule.kind === 'code' ? typeof rule.code !== 'string' || rule.code === '' : rule.code !== undefined) {
      throw new FaultPlanError(`${where}.code is required with kind "code" (and only there)`);
    }
    if (rule.paths !== undefined && (!Array.isArray(rule.paths) || !rule.paths.every((p) => typeof p === 'string' && p))) {
      throw new FaultPlanError(`${where}.paths must be a list of path endings`);
    }
    checkNumber(rule.times, `${where}.times`, { min: 0, integer: true });
    checkNumber(rule.probability, `${where}.probability`, { min: 0, max: 1 });
    checkNumber(rule.retryAfterSec, `${where}.retryAfterSec`, { min: 0, integer: true });
    checkNumber(rule.hangMs, `${where}.hangMs`, { min: 0 });
    checkDates(rule.dates, `${where}.dates`);
    if (rule.gatewayFormat !== undefined && rule.gatewayFormat !== 'xml' && rule.gatewayFormat !== 'json') {
      throw new FaultPlanError(`${where}.gatewayFormat must be "xml" or "json"`);
    }
  });
  return structuredClone(input) as FaultPlan;
}

interface RuleState {
  rule: FaultRule;
  remaining: number;
  dates?: ReadonlySet<IsoDate>;
}

/** The live plan plus everything it counts: remaining `times`, the draw counter and the token bucket. */
export class FaultInjector {
  private current: FaultPlan = {};
  private rules: RuleState[] = [];
  private draws = 0;
  private tokens = 0;
  private refilledAt = 0;
  private closed: ReadonlySet<IsoDate> = new Set();

  constructor(plan: FaultPlan = {}, private readonly clock: () => number = () => performance.now()) {
    this.setPlan(plan);
  }

  get plan(): FaultPlan {
    return structuredClone(this.current);
  }

  get closedDates(): ReadonlySet<IsoDate> {
    return this.closed;
  }

  setPlan(plan: FaultPlan): void {
    this.current = parseFaultPlan(plan);
    this.rules = (this.current.rules ?? []).map((rule) => ({
      rule,
      remaining: rule.times ?? Infinity,
      dates: rule.dates ? new Set(rule.dates.map((d) => normalizeDate(d)!)) : undefined,
    }));
    this.closed = new Set((this.current.extraClosedDates ?? []).map((d) => normalizeDate(d)!));
    this.draws = 0;
    this.tokens = this.current.rps ?? 0;
    this.refilledAt = this.clock();
  }

  get latencyMs(): number {
    return this.current.latencyMs ?? 0;
  }

  /** Takes a token; false means the request is over the rate limit. Burst capacity is one second's worth. */
  admit(): boolean {
    const rps = this.current.rps;
    if (!rps) return true;
    const now = this.clock();
    const capacity = Math.max(1, rps);
    this.tokens = Math.min(capacity, this.tokens + ((now - this.refilledAt) / 1000) * rps);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** The first rule that fires for a request of `source` on `date`, its `times` consumed; undefined for a normal answer. */
  pick(date: IsoDate | undefined, source: SourceName = 'datagokr', path = ''): FaultRule | undefined {
    for (const state of this.rules) {
      if (state.remaining <= 0) continue;
      if ((state.rule.source ?? 'datagokr') !== source) continue;
      if (state.rule.paths && !state.rule.paths.some((p) => path.endsWith(p))) continue;
      if (state.dates && (!date || !state.dates.has(date))) continue;
      const p = state.rule.probability;
      if (p !== undefined && unit(this.current.seed ?? 0x5eed, 77, this.draws++) >= p) continue;
      state.remaining--;
      return state.rule;
    }
    return undefined;
  }
}

/**
 * What a source answers for each abstract fault kind. Every source implements all of them in its
 * own wire format, so one rule vocabulary drives every simulated API.
 */
export interface FaultAnswer {
  /** The answer the service would give without the fault. */
  normal(): SimResponse;
  /** No data: a market closure, an empty page, DART 013. */
  noData(): SimResponse;
  /** The source's answer to `code` (a status, err_cd, resultCode, login code …). */
  code(code: string): SimResponse;
  /** Daily quota spent. */
  quota(): SimResponse;
  /** Too many requests per second. */
  tps(): SimResponse;
  /** Key refused. */
  auth(): SimResponse;
  /** The source's generic server-side error. */
  appError(): SimResponse;
  /** A day without a market, where the source tells it apart from "no data" (data.go.kr: empty page). */
  closed?(): SimResponse;
}

export interface FaultOutcome {
  response: SimResponse;
  /** Stall before sending, on top of the plan's latency. */
  delayMs: number;
}

export function applyFault(rule: FaultRule, answer: FaultAnswer): FaultOutcome {
  const now = (response: SimResponse): FaultOutcome => ({ response: rule.gatewayFormat === 'json' ? gatewayAsJson(response) : response, delayMs: 0 });
  switch (rule.kind) {
    case 'http500':
      return now(htmlError(500));
    case 'http503':
      return now(htmlError(503));
    case 'http429':
      return now({ status: 429, headers: { 'retry-after': String(rule.retryAfterSec ?? 2) }, body: '' });
    case 'tps':
      return now(answer.tps());
    case 'quota':
      return now(answer.quota());
    case 'auth':
      return now(answer.auth());
    case 'appError':
      return now(answer.appError());
    case 'noData':
      return now(answer.noData());
    case 'code':
      return now(answer.code(rule.code!));
    case 'malformed': {
      const full = answer.normal();
      const half = Math.floor(full.body.length / 2);
      const body = typeof full.body === 'string' ? full.body.slice(0, half) : full.body.subarray(0, half);
      return now({ ...full, body });
    }
    case 'hang':
      return { response: answer.normal(), delayMs: rule.hangMs ?? 30_000 };
    case 'closed':
      return now((answer.closed ?? answer.noData)());
  }
}
