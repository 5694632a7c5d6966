/**
 * Keeping secrets (API keys, passwords) out of what a client throws. URLs are redacted where
 * they are logged (http.ts redactUrl); these cover what a server sends back, which may quote the
 * request, and messages a lower layer built before anyone could redact them.
 */
import { SourceError } from './errors';

const KEY_PARAM = /((?:crtfc_key|serviceKey|api_?key|auth|AUTH_KEY|pw|mbrId)=)[^&\s"'<>]*/gi;

/**
 * Enough of a bad body to recognise it in an alert, without echoing it whole. An error page may
 * quote the request URL or form, so anything shaped like a key parameter is blanked first.
 */
export function describeBody(body: string): string {
  const head = body.slice(0, 200).replace(KEY_PARAM, '$1***').slice(0, 60).replace(/\s+/g, ' ');
  return `${body.length} chars, starting ${JSON.stringify(head)}`;
}

/** Every secret (and its URL-encoded form) in `text` replaced by ***. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const k of spellings(secrets)) if (out.includes(k)) out = out.split(k).join('***');
  return out;
}

/**
 * A body with the secrets blanked, for a client to apply before anything quotes it: an excerpt
 * cut in the middle of an echoed key would no longer match the whole key afterwards.
 */
export function redactBody<A extends { body: string }>(answer: A, secrets: readonly string[]): A {
  const body = redactSecrets(answer.body, secrets);
  return body === answer.body ? answer : { ...answer, body };
}

/**
 * The error with every secret replaced by ***. A SourceError that carries one is rebuilt rather
 * than edited, so its stack does not keep the secret either; other errors pass unchanged.
 */
export function scrubSecrets(err: unknown, secrets: readonly string[]): unknown {
  if (!(err instanceof SourceError)) return err;
  const all = spellings(secrets);
  const carries = (s: string | undefined) => !!s && all.some((k) => s.includes(k));
  if (!carries(err.message) && !carries(err.stack)) return err;
  const msg = err.message.startsWith(`${err.source}: `) ? err.message.slice(err.source.length + 2) : err.message;
  return new SourceError(err.source, err.failureClass, redactSecrets(msg, secrets), err.code, err.retryAfterMs);
}

function spellings(secrets: readonly string[]): string[] {
  return secrets.filter((s) => s.length > 0).flatMap((s) => [s, encodeURIComponent(s)]);
}

/** Runs `fn`, scrubbing `secrets` from whatever it throws. */
export async function withoutSecrets<T>(secrets: readonly string[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw scrubSecrets(err, secrets);
  }
}
