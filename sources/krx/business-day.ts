/**
 * The portal's "latest business day": the B128.bld resource bundle that its own screens read
 * to fill in the default date, `result.output[0].max_work_dt` (korean-apis.md §4.1; FDR reads it
 * before every listing). A GET, not a getJsonData query.
 */
import type { IsoDate } from '../../calendar/trading-calendar';
import { strictDate } from '../parse';
import { malformedAnswer } from '../rows';
import { SOURCE } from './wire';

export const BUSINESS_DAY_ENDPOINT = 'B128.bld';
export const BUSINESS_DAY_QUERY = { baseName: 'krx.mdc.i18n.component', key: 'B128.bld' };

export function toBusinessDay(json: Record<string, unknown>): IsoDate {
  const output = (json.result as { output?: unknown } | undefined)?.output;
  const first = Array.isArray(output) ? (output[0] as { max_work_dt?: unknown } | undefined) : undefined;
  const raw = first?.max_work_dt;
  if (typeof raw !== 'string') throw malformedAnswer(SOURCE, BUSINESS_DAY_ENDPOINT, 'no result.output[0].max_work_dt');
  try {
    const day = strictDate(raw, 'max_work_dt');
    if (day) return day;
  } catch {
    // reported below, with the value
  }
  throw malformedAnswer(SOURCE, BUSINESS_DAY_ENDPOINT, `max_work_dt is not a date: ${JSON.stringify(raw)}`);
}
