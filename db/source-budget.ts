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
import { type RawBuilder, sql } from 'kysely';
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
    const taken = await this.db
      .insertInto('source_quota_usage')
      .values({ quota_key: quotaKey, kst_day: kstDate(this.now()), used: 1, daily_limit: dailyLimit })
      .onConflict((oc) =>
        oc
          .columns(['quota_key', 'kst_day'])
          .doUpdateSet({ used: (eb) => eb('source_quota_usage.used', '+', 1), daily_limit: (eb) => eb.ref('excluded.daily_limit'), updated_at: sql<Date>`now()` })
          .where('source_quota_usage.used', '<', (eb) => eb.ref('excluded.daily_limit')),
      )
      .returning('used')
      .executeTakeFirst();
    if (taken) return;
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
    const spacing = sql<Date>`${slotSpacingMs(rps)} * interval '1 millisecond'`;
    // Every instant is the database's clock_timestamp(): one clock for all workers, whatever theirs say.
    const slot = await this.db
      .insertInto('source_rate_slot')
      .values({ rate_key: rateKey, next_at: sql<Date>`clock_timestamp() + ${spacing}` })
      .onConflict((oc) =>
        oc.column('rate_key').doUpdateSet({ next_at: (eb) => sql<Date>`greatest(${eb.ref('source_rate_slot.next_at')}, clock_timestamp()) + ${spacing}` }),
      )
      .returning((eb) => sql<number>`greatest(0, extract(epoch FROM (${eb.ref('next_at')} - ${spacing} - clock_timestamp())) * 1000)::float8`.as('wait_ms'))
      .executeTakeFirstOrThrow();
    let waitMs = slot.wait_ms;
    for (;;) {
      if (waitMs > 0) await this.sleep(waitMs);
      waitMs = await this.confirmSend(rateKey, spacing);
      if (waitMs === 0) return;
    }
  }

  /** 0 when this call may go now (and is recorded as sent), else the ms until it may. */
  private async confirmSend(rateKey: string, spacing: RawBuilder<Date>): Promise<number> {
    // One statement: the UPDATE re-checks its WHERE on the newest row version when another
    // sender got there first (READ COMMITTED), so two senders can never both pass.
    const r = await this.db
      .with('sent', (db) =>
        db
          .updateTable('source_rate_slot')
          .set({ last_sent_at: sql<Date>`clock_timestamp()`, next_at: (eb) => eb.fn<Date>('greatest', ['next_at', sql<Date>`clock_timestamp() + ${spacing}`]) })
          .where('rate_key', '=', rateKey)
          .where((eb) => eb.or([eb('last_sent_at', 'is', null), eb('last_sent_at', '<=', sql<Date>`clock_timestamp() - ${spacing}`)]))
          .returning(sql<number>`0::float8`.as('wait_ms')),
      )
      .selectFrom('sent')
      .select('wait_ms')
      .unionAll((db) =>
        db
          .selectFrom('source_rate_slot')
          .select((eb) => sql<number>`greatest(1, extract(epoch FROM (${eb.ref('last_sent_at')} + ${spacing} - clock_timestamp())) * 1000)::float8`.as('wait_ms'))
          .where('rate_key', '=', rateKey)
          .where((eb) => eb.not(eb.exists(eb.selectFrom('sent').select('wait_ms')))),
      )
      .executeTakeFirst();
    return r?.wait_ms ?? 0;
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
  const rows = await db
    .selectFrom('source_quota_usage')
    .select(['quota_key', sql<string>`kst_day::text`.as('kst_day'), 'used', 'daily_limit'])
    .where('kst_day', '=', kstDate(now()))
    .orderBy('quota_key')
    .execute();
  return rows.map((x) => ({ quotaKey: x.quota_key, kstDay: x.kst_day, used: x.used, dailyLimit: x.daily_limit }));
}
