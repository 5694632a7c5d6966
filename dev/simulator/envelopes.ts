/**
 * The answer shapes of apis.data.go.kr, byte for byte where it matters to a client: the gateway's
 * XML error envelope (sent even when JSON was asked for), the service's header-only result
 * envelope, and the bare HTML pages a load balancer produces.
 */

export type Format = 'json' | 'xml';

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  /** Bytes for the big data pages (already UTF-8), text for everything else. */
  body: string | Buffer;
}

export const JSON_TYPE = 'application/json;charset=UTF-8';
export const XML_TYPE = 'text/xml;charset=UTF-8';
const HTML_TYPE = 'text/html;charset=UTF-8';

export const RESULT_MESSAGES: Record<string, string> = {
  '00': 'NORMAL SERVICE.',
  '01': 'APPLICATION_ERROR',
  '02': 'DB_ERROR',
  '03': 'NODATA_ERROR',
  '04': 'HTTP_ERROR',
  '05': 'SERVICETIMEOUT_ERROR',
  '10': 'INVALID_REQUEST_PARAMETER_ERROR',
  '11': 'NO_MANDATORY_REQUEST_PARAMETERS_ERROR',
  '12': 'NO_OPENAPI_SERVICE_ERROR',
  '21': 'TEMPORARILY_DISABLE_THE_SERVICEKEY_ERROR',
  '29': 'BLACKLIST_IP_ACCESS_ERROR',
  '31': 'DEADLINE_HAS_EXPIRED_ERROR',
  '32': 'UNREGISTERED_IP_ERROR',
  '33': 'UNSIGNED_CALL_ERROR',
  '99': 'UNKNOWN_ERROR',
};

export const GATEWAY_MESSAGES = {
  20: 'SERVICE_KEY_IS_NULL',
  22: 'LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR',
  23: 'LIMITED_NUMBER_OF_SERVICE_REQUESTS_PER_SECOND_EXCEEDS_ERROR',
  30: 'SERVICE_KEY_IS_NOT_REGISTERED_ERROR',
} as const;

export type GatewayCode = keyof typeof GATEWAY_MESSAGES;

/**
 * The gateway rejects before the service runs, so this is XML whatever resultType said; some
 * answers carry the same envelope in JSON (korean-apis.md §3.0), which `format` picks.
 */
export function gatewayError(code: GatewayCode, status: number, format: Format = 'xml'): SimResponse {
  if (format === 'json') {
    const cmmMsgHeader = { errMsg: 'SERVICE ERROR', returnAuthMsg: GATEWAY_MESSAGES[code], returnReasonCode: String(code) };
    return { status, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify({ OpenAPI_ServiceResponse: { cmmMsgHeader } }) };
  }
  const body =
    '<OpenAPI_ServiceResponse>\n\t<cmmMsgHeader>\n\t\t<errMsg>SERVICE ERROR</errMsg>\n' +
    `\t\t<returnAuthMsg>${GATEWAY_MESSAGES[code]}</returnAuthMsg>\n` +
    `\t\t<returnReasonCode>${code}</returnReasonCode>\n\t</cmmMsgHeader>\n</OpenAPI_ServiceResponse>`;
  return { status, headers: { 'content-type': XML_TYPE }, body };
}

/** `response` in the JSON form when it is a gateway refusal; any other answer as it is. */
export function gatewayAsJson(response: SimResponse): SimResponse {
  const code = typeof response.body === 'string' ? /<returnReasonCode>(\d+)<\/returnReasonCode>/.exec(response.body)?.[1] : undefined;
  return code && code in GATEWAY_MESSAGES ? gatewayError(Number(code) as GatewayCode, response.status, 'json') : response;
}

/** A service-level error: HTTP 200, header only, no body section. */
export function resultOnly(code: string, format: Format): SimResponse {
  const msg = RESULT_MESSAGES[code] ?? 'UNKNOWN_ERROR';
  if (format === 'json') {
    return {
      status: 200,
      headers: { 'content-type': JSON_TYPE },
      body: `{"response":{"header":{"resultCode":"${code}","resultMsg":"${msg}"}}}`,
    };
  }
  return {
    status: 200,
    headers: { 'content-type': XML_TYPE },
    body: `${XML_DECL}<response><header><resultCode>${code}</resultCode><resultMsg>${msg}</resultMsg></header></response>`,
  };
}

export const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';

export function htmlError(status: 500 | 503): SimResponse {
  const text = status === 500 ? 'Internal Server Error' : 'Service Unavailable';
  return { status, headers: { 'content-type': HTML_TYPE }, body: `<html><body>${text}</body></html>` };
}

export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
