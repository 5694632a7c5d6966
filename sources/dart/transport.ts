/**
 * A GET that returns bytes, because corpCode.xml is a ZIP and sources/http.ts's httpGet reads
 * text. Failures without an answer are classified by the same requestFailure; the timeout covers reading
 * the body, so a server that stalls mid-download times out too.
 */
import { requestFailure } from '../http';
import { SOURCE, type RawAnswer } from './envelope';

export async function getBytes(endpoint: string, url: URL, timeoutMs: number, signal?: AbortSignal): Promise<RawAnswer> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    const res = await fetch(url, { signal: combined, headers: { accept: 'application/json, application/zip;q=0.9, text/xml;q=0.8' } });
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, bytes };
  } catch (err) {
    if (signal?.aborted) throw err; // cancellation is not a source failure
    throw requestFailure(SOURCE, url, err, timeout.aborted ? timeoutMs : undefined, endpoint);
  }
}
