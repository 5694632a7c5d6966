/**
 * Request budgets shared by every worker process through PostgreSQL (issue 3):
 *   - a daily count per quota (DART 20,000, each data.go.kr API 10,000, KRX Open API 10,000 …),
 *     per Korean calendar day, because the sources reset at midnight KST;
 *   - a per-second spacing per source: each call reserves the next free slot in one row, and
 *     confirms its send against the last one really sent, so calls from any number of workers
 *     never go out closer than 1/rps apart, even when a worker's timer fires late.
 * The spacing uses the database's clock, so workers with skewed clocks still never come too close;
 * the quota day is the Korean date of the injected clock (shared/clock.ts), so that a test can put
 * the worker on any day without waiting for it.
 *
 * Guarantee: a call is made only after both its count and its slot were taken in one
 * committed statement each; two processes can never take the same slot or the last unit
 * of a quota. A spent quota raises a rate-limited SourceError that lasts until midnight KST,
 * which the workflows turn into a durable wait (workflows/quota-wait.ts), not a failure.
 */
import { sql } from 'kysely';
import { kstDate } from '../calendar/trading-calendar';
import { type Clock, systemClock } from '../shared/clock';
import { msUntilKstMidnight, SourceError } from '../sources/errors';
import type { Pacer } from '../sources/http';
import type { Db } from './database';

/** Error code of a quota spent by our own count (the source's own codes are kept as they are). */
export const QUOTA_SPENT_CODE = 'QUOTA_SPENT';

/**
 * Added to every slot (10% of it, at most 50 ms): a busy event loop may send a call a little
 * after its slot while the next one goes out on time, and the two must still arrive at least
 * 1/rps apart.
 */
export function slotSpacingMs(rps: number): number {
  const spacing = 1000 / rps;
  return spacing + Math.min(50, spacing * 0.1);
}

export interface BudgetSpec {
  /** Source id for errors and logs, e.g. "dart". */
  source: string;
  /** Counter of the daily quota, e.g. "dart" or "datagokr:getStockPriceInfo"; omitted = no daily quota. */
  quotaKey?: string;
  dailyLimit?: number;
  /** Row of the per-second spacing, usually the source id; omitted = no spacing. */
  rateKey?: string;
  rps?: number;
}

export class SourceBudget implements Pacer {
  constructor(
    private readonly db: Db,
    readonly spec: BudgetSpec,
    private readonly now: Clock = systemClock,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    if (spec.quotaKey && !(spec.dailyLimit && spec.dailyLimit > 0)) throw new TypeError(`${spec.source}: daily limit must be positive`);
    if (spec.rateKey && !(spec.rps && spec.rps > 0)) throw new TypeError(`${spec.source}: rps must be positive`);
  }

  async wait(): Promise<void> {
    await this.count();
    await this.takeSlot();
  }

  /** Takes one unit of today's quota, or throws when it is spent. */
  private async count(): Promise<void> {
    const { quotaKey, dailyLimit } = this.spec;
    if (!quotaKey || !dailyLimit) return;
    const taken = await sql<{ used: number }>`
      INSERT INTO source_quota_usage (quota_key, kst_day, used, daily_limit)
      VALUES (${quotaKey}, ${kstDate(this.now())}::date, 1, ${dailyLimit})
      ON CONFLICT (quota_key, kst_day) DO UPDATE
         SET used = source_quota_usage.used + 1, daily_limit = EXCLUDED.daily_limit, updated_at = now()
       WHERE source_quota_usage.used < EXCLUDED.daily_limit
      RETURNING used`.execute(this.db);
    if (taken.rows.length > 0) return;
    throw new SourceError(
      this.spec.source,
      'rate-limited',
      `daily quota of ${dailyLimit} calls for ${quotaKey} is spent (counted in PostgreSQL across all workers); the work waits until midnight KST`,
      QUOTA_SPENT_CODE,
      msUntilKstMidnight(this.now()),
    );
  }

  /**
   * Reserves the next free request slot, sleeps until it comes, then confirms the send. The
   * reservation orders the senders of all workers; the confirmation makes the spacing hold even
   * when a sender wakes late: it records the instant the call really goes out, and refuses while
   * the previous call went out less than one spacing ago (then it sleeps for the rest and tries again).
   */
  private async takeSlot(): Promise<void> {
    const { rateKey, rps } = this.spec;
    if (!rateKey || !rps) return;
    const spacingMs = slotSpacingMs(rps);
    const r = await sql<{ wait_ms: number }>`
      INSERT INTO source_rate_slot AS s (rate_key, next_at)
      VALUES (${rateKey}, clock_timestamp() + ${spacingMs} * interval '1 millisecond')
      ON CONFLICT (rate_key) DO UPDATE
         SET next_at = greatest(s.next_at, clock_timestamp()) + ${spacingMs} * interval '1 millisecond'
      RETURNING greatest(0, extract(epoch FROM (next_at - ${spacingMs} * interval '1 millisecond' - clock_timestamp())) * 1000)::float8 AS wait_ms`.execute(
      this.db,
    );
    let waitMs = r.rows[0]?.wait_ms ?? 0;
    for (;;) {
      if (waitMs > 0) await this.sleep(waitMs);
      waitMs = await this.confirmSend(rateKey, spacingMs);
      if (waitMs === 0) return;
    }
  }

  /** 0 when this call may go now (and is recorded as sent), else the ms until it may. */
  private async confirmSend(rateKey: string, spacingMs: number): Promise<number> {
    // One statement: the UPDATE re-checks its WHERE on the newest row version when another
    // sender got there first (READ COMMITTED), so two senders can never both pass.
    const r = await sql<{ wait_ms: number }>`
      WITH sent AS (
        UPDATE source_rate_slot
           SET last_sent_at = clock_timestamp(),
               next_at = greatest(next_at, clock_timestamp() + ${spacingMs} * interval '1 millisecond')
         WHERE rate_key = ${rateKey}
           AND (last_sent_at IS NULL OR last_sent_at <= clock_timestamp() - ${spacingMs} * interval '1 millisecond')
        RETURNING 0::float8 AS wait_ms)
      SELECT wait_ms FROM sent
      UNION ALL
      SELECT greatest(1, extract(epoch FROM (last_sent_at + ${spacingMs} * interval '1 millisecond' - clock_timestamp())) * 1000)::float8
        FROM source_rate_slot
       WHERE rate_key = ${rateKey} AND NOT EXISTS (SELECT 1 FROM sent)`.execute(this.db);
    return r.rows[0]?.wait_ms ?? 0;
  }
}

export interface QuotaUsage {
  quotaKey: string;
  kstDay: string;
  used: number;
  dailyLimit: number;
}

/** Today's (KST) counts, for `npm run ops` and the tests. */
export async function quotaUsageToday(db: Db, now: Clock = systemClock): Promise<QuotaUsage[]> {
  const r = await sql<{ quota_key: string; kst_day: string; used: number; daily_limit: number }>`
    SELECT quota_key, kst_day::text AS kst_day, used, daily_limit
      FROM source_quota_usage
     WHERE kst_day = ${kstDate(now())}::date
     ORDER BY quota_key`.execute(db);
  return r.rows.map((x) => ({ quotaKey: x.quota_key, kstDay: x.kst_day, used: x.used, dailyLimit: x.daily_limit }));
}
