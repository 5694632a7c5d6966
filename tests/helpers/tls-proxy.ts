/**
 * TLS in front of the test dev server, which speaks plaintext gRPC only: a throwaway PKI made with
 * `openssl`, and two proxies on loopback that forward to the dev server's plaintext port.
 *   startMtlsProxy    node:tls with requestCert + rejectUnauthorized (a client certificate signed by the CA
 *                     or no connection), then the decrypted bytes piped as they are (HTTP/2 with prior knowledge)
 *   startApiKeyProxy  node:http2 secure server that checks each gRPC request's `authorization: Bearer <key>`
 *                     (a missing or wrong key: HTTP 200 + grpc-status 16 UNAUTHENTICATED, as Temporal Cloud
 *                     answers), then forwards the stream over h2c, trailers included
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

export interface TestPki {
  dir: string;
  /** File paths, as the TEMPORAL_TLS_* settings take them. */
  ca: string;
  server: { cert: string; key: string };
  /** Signed by the CA. */
  client: { cert: string; key: string };
  /** Self-signed: the server does not trust it. */
  wrong: { cert: string; key: string };
  remove(): void;
}

/** A CA, a server certificate for 127.0.0.1 and localhost, a client certificate it signed and a self-signed one. */
export function makeTestPki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compass-tls-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'];
  const pair = (name: string) => ({ cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) });
  const selfSigned = (name: string, cn: string, ...ext: string[]) =>
    openssl('req', '-x509', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${cn}`, ...ext.flatMap((e) => ['-addext', e]));
  const signed = (name: string, cn: string, ...ext: string[]) => {
    openssl('req', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    fs.writeFileSync(path.join(dir, `${name}.ext`), ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', ...ext, ''].join('\n'));
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', `${name}.crt`, '-extfile', `${name}.ext`);
  };
  selfSigned('ca', 'Compass test CA', 'basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign');
  signed('server', 'localhost', 'extendedKeyUsage=serverAuth', 'subjectAltName=IP:127.0.0.1,DNS:localhost');
  signed('client', 'compass-worker', 'extendedKeyUsage=clientAuth');
  selfSigned('wrong', 'compass-wrong-client', 'extendedKeyUsage=clientAuth');
  return {
    dir,
    ca: path.join(dir, 'ca.crt'),
    server: pair('server'),
    client: pair('client'),
    wrong: pair('wrong'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export interface TlsProxy {
  /** host:port to give TEMPORAL_ADDRESS. */
  address: string;
  /** Why the proxy refused: TLS handshake errors (mTLS) or refused API keys. */
  refusals: string[];
  close(): Promise<void>;
}

function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

function listen(server: net.Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as net.AddressInfo).port}`));
  });
}

function closeServer(server: net.Server, sockets: Set<{ destroy(): void }>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Tracks a socket or session until it closes, so that close() can end it. */
function track<T extends { destroy(): void; once(event: 'close', fn: () => void): unknown }>(set: Set<{ destroy(): void }>, s: T): T {
  set.add(s);
  s.once('close', () => set.delete(s));
  return s;
}

/** Mutual TLS: only a client certificate signed by the CA gets through; the rest is a byte pipe to `backend`. */
export async function startMtlsProxy(backend: string, pki: TestPki): Promise<TlsProxy> {
  const { host, port } = splitAddress(backend);
  const refusals: string[] = [];
  const sockets = new Set<{ destroy(): void }>();
  const server = tls.createServer(
    {
      key: fs.readFileSync(pki.server.key),
      cert: fs.readFileSync(pki.server.cert),
      ca: fs.readFileSync(pki.ca),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (client) => {
      track(sockets, client);
      const upstream = track(sockets, net.connect(port, host));
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end);
      upstream.on('error', end);
      client.pipe(upstream).pipe(client);
    },
  );
  server.on('tlsClientError', (err) => refusals.push(err.message));
  return { address: await listen(server), refusals, close: () => closeServer(server, sockets) };
}

const { HTTP2_HEADER_STATUS, HTTP2_HEADER_CONTENT_TYPE, NGHTTP2_FLAG_END_STREAM, NGHTTP2_CANCEL } = http2.constants;

/** Server-only TLS plus a bearer key on every request; the streams go on over one h2c session to `backend`. */
export async function startApiKeyProxy(backend: string, pki: TestPki, apiKey: string): Promise<TlsProxy> {
  const refusals: string[] = [];
  const sockets = new Set<{ destroy(): void }>();
  const upstream = track(sockets, http2.connect(`http://${backend}`));
  upstream.on('error', () => undefined); // each stream reports its own failure
  const server = http2.createSecureServer({ key: fs.readFileSync(pki.server.key), cert: fs.readFileSync(pki.server.cert) });
  server.on('session', (session) => track(sockets, session));
  server.on('stream', (stream, headers) => {
    const { ':method': method, ':path': requestPath, ':authority': _authority, ':scheme': _scheme, authorization, ...rest } = headers;
    if (authorization !== `Bearer ${apiKey}`) {
      refusals.push(authorization ? 'wrong API key' : 'no API key');
      stream.respond(
        { [HTTP2_HEADER_STATUS]: 200, [HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc', 'grpc-status': '16', 'grpc-message': encodeURIComponent('invalid API key') },
        { endStream: true },
      );
      return;
    }
    const req = upstream.request({ ':method': method, ':path': requestPath, ...rest });
    let trailers: http2.OutgoingHttpHeaders = {};
    req.on('response', (responseHeaders, flags) => {
      // A trailers-only answer (an error status at once) ends the stream with its headers.
      if (flags & NGHTTP2_FLAG_END_STREAM) stream.respond(responseHeaders, { endStream: true });
      else stream.respond(responseHeaders, { waitForTrailers: true });
    });
    req.on('trailers', (t) => {
      trailers = t;
    });
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    req.on('data', (chunk: Buffer) => stream.write(chunk));
    req.on('end', () => {
      if (!stream.writableEnded) stream.end();
    });
    stream.pipe(req);
    const cancel = () => {
      if (!req.closed) req.close(NGHTTP2_CANCEL);
      if (!stream.closed) stream.close(NGHTTP2_CANCEL);
    };
    req.on('error', cancel);
    stream.on('error', cancel);
    stream.on('close', cancel);
  });
  return { address: await listen(server), refusals, close: () => closeServer(server, sockets) };
}
