/**
 * The KRX Open API's answers and the classification of their failures (korean-apis.md §4.5,
 * §7): rows under `OutBlock_1`, an empty list for a day with nothing (a holiday, not yet
 * published, or a product without rows that day). A key that is wrong, or not approved for the
 * service called, is refused with HTTP 401 ("Unauthorized API Call"), sometimes echoed as a
 * `respCode` in the body; any other respCode is one no table lists (unknownCodeError).
 */
import { parseJsonObject, transientStatusFailure } from '../answers';
import { SourceError, unknownCodeError } from '../errors';
import type { HttpAnswer } from '../http';
import { describeBody } from '../redaction';
import { malformedAnswer } from '../rows';

export const SOURCE = 'krx-openapi';
const WRAPPER = 'OutBlock_1';

function refused(endpoint: string, what: string, code: string): SourceError {
  return new SourceError(SOURCE, 'non-retryable', `${endpoint}: ${what}: the key is wrong or not approved for this service (KRX_OPENAPI_KEY; approval is per service)`, code);
}

/** The rows of one answer; [] for no data. */
export function decodeOutBlock(endpoint: string, answer: HttpAnswer, nowMs: number): unknown[] {
  const transient = transientStatusFailure(SOURCE, endpoint, answer, nowMs);
  if (transient) throw transient;
  const s = answer.status;
  if (s === 401 || s === 403) throw refused(endpoint, `HTTP ${s} ${describeBody(answer.body)}`, `HTTP${s}`);
  if (s !== 200) throw new SourceError(SOURCE, 'non-retryable', `${endpoint}: unexpected HTTP ${s}: ${describeBody(answer.body)}`, `HTTP${s}`);
  const obj = parseJsonObject(SOURCE, endpoint, answer.body);
  const rows = obj[WRAPPER];
  if (Array.isArray(rows)) return rows;
  const respCode = obj.respCode ?? obj.resp_code;
  if (respCode !== undefined) {
    const msg = `${String(obj.respMsg ?? obj.resp_msg ?? '')} (respCode ${String(respCode)})`.trim();
    if (String(respCode) === '401' || String(respCode) === '403') throw refused(endpoint, msg, `RESP${String(respCode)}`);
    throw unknownCodeError(SOURCE, `RESP${String(respCode)}`, `${endpoint}: ${msg}`);
  }
  throw malformedAnswer(SOURCE, endpoint, `no ${WRAPPER} list`);
}
