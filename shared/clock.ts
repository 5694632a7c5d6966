/**
 * The clock that code outside workflows asks for the time of day. Production passes the system
 * clock at the process edge (worker, CLI, API, simulator); tests pass a pinned one, so that no
 * result depends on the hour or the day the suite happens to run. Workflows never use this:
 * they read Temporal's deterministic workflow time.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** A clock that stands still at `instant` (ISO 8601 with an offset, or ms since the epoch). */
export function fixedClock(instant: string | number): Clock {
  const ms = typeof instant === 'number' ? instant : Date.parse(instant);
  if (Number.isNaN(ms)) throw new Error(`fixedClock: not an instant: ${instant}`);
  return () => ms;
}
