/**
 * A date typed by a person (the ops CLI's arguments, the report API's `?date=`): a real calendar
 * date written YYYY-MM-DD, not after today. Runs for dates that do not exist or have not happened
 * yet would get workflow ids and load nothing, so they are refused before anything starts.
 *
 * `today` is the caller's, computed from a clock read at the process edge: the rule itself reads
 * no clock, so it answers the same at any hour and its tests pin the day.
 */
import { type IsoDate, parseIsoDate } from './trading-calendar';

export class OperatorDateError extends Error {
  constructor(
    readonly kind: 'malformed' | 'future',
    message: string,
  ) {
    super(message);
    this.name = 'OperatorDateError';
  }
}

/** `text` as a date no later than `today`; `zone` names today's time zone in the message ("KST", "Asia/Seoul"). */
export function parseOperatorDate(text: string, { today, zone }: { today: IsoDate; zone: string }): IsoDate {
  try {
    parseIsoDate(text);
  } catch {
    throw new OperatorDateError('malformed', `date must be a calendar date written YYYY-MM-DD, got ${JSON.stringify(text)}`);
  }
  if (text > today) throw new OperatorDateError('future', `date ${text} is after today (${today} in ${zone})`);
  return text;
}
