/**
 * Per-source, per-key request limits: a per-second rate and a daily count, as the real APIs
 * impose them. The rate is measured on the process's monotonic clock (real pacing is what a
 * benchmark checks); the day is the KST date of the simulator's clock, so a test can move past
 * midnight without waiting.
 *
 * rate_violations: a request is a violation when, counting it, more than `rps` requests of the
 * same source and key arrived within the `1000 − slackMs` ms that end at its arrival (a window
 * open at its old end: an arrival exactly 1000 − slackMs earlier no longer counts). Every
 * arrival counts, refused ones too (they did arrive). The slack (default 50 ms) absorbs the
 * scheduling jitter between a client's pacer and the server's clock: with rps 1, a client
 * spacing its calls 1 s apart never violates, two calls 940 ms apart do.
 */
import { kstDate } from '../../calendar/trading-calendar';
import type { SourceName } from './faults';

export interface SourceLimits {
  /** Requests per second per key; unlimited when absent. */
  rps?: number;
  /** Requests per KST day per key (admitted ones); unlimited when absent. */
  daily?: number;
  /** 'refuse' (default): a request over the rate gets the source's rate answer; 'count': it is served and only counted. */
  onRateExceeded?: 'refuse' | 'count';
  /** Tolerance for transport jitter in the rate check (default 50 ms). */
  slackMs?: number;
}

export type LimitsBySource = Partial<Record<SourceName, SourceLimits>>;

export type LimitVerdict = 'ok' | 'rate' | 'daily';

interface KeyState {
  /** Arrival times (monotonic ms) inside the current window, oldest first. */
  arrivals: number[];
  day: string;
  used: number;
}

export interface LimitCounters {
  rateViolations: number;
  rateRefused: number;
  dailyRefused: number;
}

export class SourceLimiter {
  private readonly keys = new Map<string, KeyState>();
  readonly counters: LimitCounters = { rateViolations: 0, rateRefused: 0, dailyRefused: 0 };

  constructor(
    private readonly limits: SourceLimits,
    private readonly simNow: () => number,
    private readonly monotonic: () => number = () => performance.now(),
  ) {}

  /** Records one arrival for `key` and says whether it may be served. */
  admit(key: string): LimitVerdict {
    let state = this.keys.get(key);
    const day = kstDate(this.simNow());
    if (!state) {
      state = { arrivals: [], day, used: 0 };
      this.keys.set(key, state);
    }
    if (state.day !== day) {
      state.day = day;
      state.used = 0;
    }
    const { rps, daily } = this.limits;
    if (rps) {
      const t = this.monotonic();
      const window = 1000 - (this.limits.slackMs ?? 50);
      while (state.arrivals.length && state.arrivals[0] <= t - window) state.arrivals.shift();
      state.arrivals.push(t);
      if (state.arrivals.length > rps) {
        this.counters.rateViolations++;
        if ((this.limits.onRateExceeded ?? 'refuse') === 'refuse') {
          this.counters.rateRefused++;
          return 'rate';
        }
      }
    }
    if (daily !== undefined && state.used >= daily) {
      this.counters.dailyRefused++;
      return 'daily';
    }
    state.used++;
    return 'ok';
  }

  /** Admitted requests of `key` today (KST, simulator clock). */
  usedToday(key: string): number {
    const s = this.keys.get(key);
    return s && s.day === kstDate(this.simNow()) ? s.used : 0;
  }
}
