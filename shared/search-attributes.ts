/**
 * Custom search attributes that make the Web UI's workflow lists readable and filterable:
 *   CompassChain="daily-collection" AND CompassTradingDate="2026-11-20"
 * They must be registered on the server: `npm run dev` and the test server pass them to
 * `temporal server start-dev`, and `npm run schedules -- apply` registers them elsewhere.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CHAIN = defineSearchAttributeKey('CompassChain', SearchAttributeType.KEYWORD);
export const TRADING_DATE = defineSearchAttributeKey('CompassTradingDate', SearchAttributeType.KEYWORD);
export const SCOPE = defineSearchAttributeKey('CompassScope', SearchAttributeType.KEYWORD);
/** On schedules only: a fingerprint of the catalog entry, so `schedules diff` can tell what changed. */
export const CONFIG_HASH = defineSearchAttributeKey('CompassConfigHash', SearchAttributeType.KEYWORD);

/** Set by the server on every run a schedule starts: the slot's nominal time, stable across retries. */
export const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export const ALL_SEARCH_ATTRIBUTES = [CHAIN, TRADING_DATE, SCOPE, CONFIG_HASH];

/** `--search-attribute` flags for `temporal server start-dev`. */
export function devServerSearchAttributeFlags(): string[] {
  return ALL_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]);
}
