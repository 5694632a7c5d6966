/**
 * The one place that turns the TEMPORAL_* settings into connection options, for the clients'
 * `Connection.connect` and the workers' `NativeConnection.connect` alike (README "Production"):
 *   off          plaintext (the dev server)
 *   server-only  TLS: the server's certificate checked against TEMPORAL_TLS_CA, else the system roots
 *   mtls         TLS plus the client certificate TEMPORAL_TLS_CERT / TEMPORAL_TLS_KEY
 *   api-key      TLS plus `authorization: Bearer <TEMPORAL_API_KEY>` on every call (Temporal Cloud)
 * `connectTemporal` logs which one a connection uses (never the key or a file's contents) and turns a
 * refused TLS handshake or an UNAUTHENTICATED answer into one line naming the address and what to check.
 */
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { TLSConfig } from '@temporalio/client';
import type { AppConfig } from '../config/env';
import { logger as defaultLogger, type Logger } from '../config/logger';

export type TemporalConnectionConfig = Pick<
  AppConfig,
  'TEMPORAL_ADDRESS' | 'TEMPORAL_TLS' | 'TEMPORAL_TLS_CERT' | 'TEMPORAL_TLS_KEY' | 'TEMPORAL_TLS_CA' | 'TEMPORAL_TLS_SERVER_NAME' | 'TEMPORAL_API_KEY'
>;

export interface TemporalConnectionOptions {
  address: string;
  tls: TLSConfig | false;
  apiKey?: string;
}

export type TemporalTlsMode = 'mtls' | 'api-key' | 'mtls+api-key' | 'server-only' | 'off';

/** What the startup line shows: how the connection is secured, never with what. */
export function temporalTlsMode(cfg: TemporalConnectionConfig): TemporalTlsMode {
  const mtls = Boolean(cfg.TEMPORAL_TLS_CERT && cfg.TEMPORAL_TLS_KEY);
  if (mtls && cfg.TEMPORAL_API_KEY) return 'mtls+api-key';
  if (mtls) return 'mtls';
  if (cfg.TEMPORAL_API_KEY) return 'api-key';
  // config/env.ts refuses TEMPORAL_TLS=false beside any other TLS setting.
  return cfg.TEMPORAL_TLS || cfg.TEMPORAL_TLS_CA || cfg.TEMPORAL_TLS_SERVER_NAME ? 'server-only' : 'off';
}

/** The options of one connection; reads the PEM files (each once). */
export function temporalConnectionOptions(cfg: TemporalConnectionConfig): TemporalConnectionOptions {
  const address = cfg.TEMPORAL_ADDRESS;
  if (temporalTlsMode(cfg) === 'off') return { address, tls: false };
  const tls: TLSConfig = {};
  if (cfg.TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = cfg.TEMPORAL_TLS_SERVER_NAME;
  if (cfg.TEMPORAL_TLS_CA) tls.serverRootCACertificate = fs.readFileSync(cfg.TEMPORAL_TLS_CA);
  if (cfg.TEMPORAL_TLS_CERT && cfg.TEMPORAL_TLS_KEY) tls.clientCertPair = { crt: fs.readFileSync(cfg.TEMPORAL_TLS_CERT), key: fs.readFileSync(cfg.TEMPORAL_TLS_KEY) };
  return cfg.TEMPORAL_API_KEY ? { address, tls, apiKey: cfg.TEMPORAL_API_KEY } : { address, tls };
}

/** A connection the server refused, in one line (the SDK's own error is its `cause`). */
export class TemporalConnectError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'TemporalConnectError';
  }
}

export interface ConnectTemporalOptions {
  log?: Logger;
  /** Long-running processes say how they connect at info; CLIs and per-activity clients at debug. */
  logLevel?: 'info' | 'debug';
}

/**
 * Connects with `connect` (`Connection.connect` or `NativeConnection.connect`) on the options of `cfg`,
 * logs the address and the TLS mode, and explains a refusal.
 */
export async function connectTemporal<C>(
  cfg: TemporalConnectionConfig,
  connect: (options: TemporalConnectionOptions) => Promise<C>,
  { log = defaultLogger, logLevel = 'info' }: ConnectTemporalOptions = {},
): Promise<C> {
  const options = temporalConnectionOptions(cfg);
  let connection: C;
  try {
    connection = await connect(options);
  } catch (err) {
    const explained = await explainRefusal(err, options);
    throw explained ? new TemporalConnectError(explained, { cause: err }) : err;
  }
  log[logLevel]({ address: options.address, tls: temporalTlsMode(cfg) }, 'connected to Temporal');
  return connection;
}

/** The SDK's error and its causes as one text (grpc-js puts the status in the cause, Core in the message). */
function errorText(err: unknown): string {
  const e = err as { message?: unknown; cause?: unknown } | undefined;
  return `${String(e?.message ?? err)} ${e?.cause && e.cause !== err ? errorText(e.cause) : ''}`;
}

/**
 * One line for a refusal the operator can act on, else undefined (a server that is down keeps the SDK's error).
 * The SDKs say little about a failed handshake (grpc-js: "Failed to connect before the deadline"), so a second,
 * plain TLS handshake with the same settings finds out which side refused what.
 */
export async function explainRefusal(err: unknown, options: TemporalConnectionOptions): Promise<string | undefined> {
  const { address, tls: tlsConfig, apiKey } = options;
  if (/UNAUTHENTICATED|does not have valid authentication credentials/i.test(errorText(err))) {
    return apiKey
      ? `Temporal at ${address} refused the API key (UNAUTHENTICATED): check TEMPORAL_API_KEY is current and may use this namespace`
      : `Temporal at ${address} requires authentication (UNAUTHENTICATED): set TEMPORAL_API_KEY, or TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY for mTLS`;
  }
  const probe = await probeTls(address, tlsConfig || {}, tlsConfig !== false);
  if (tlsConfig === false) {
    return probe.kind === 'not-tls' || probe.kind === 'unreachable'
      ? undefined
      : `Temporal at ${address} expects TLS and the connection was plaintext: set TEMPORAL_TLS=true (and TEMPORAL_TLS_CA, TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY or TEMPORAL_API_KEY as the server needs)`;
  }
  const failed = `TLS handshake with ${address} failed`;
  switch (probe.kind) {
    case 'client-refused':
      return tlsConfig.clientCertPair
        ? `${failed}: the server did not accept the client certificate (TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY); check it is signed by the CA the server trusts`
        : `${failed}: the server asks for a client certificate (mTLS); set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY`;
    case 'server-untrusted':
      return `${failed}: the server's certificate is not trusted (${probe.detail}); ${tlsConfig.serverRootCACertificate ? 'check TEMPORAL_TLS_CA is the CA that signed it' : 'set TEMPORAL_TLS_CA to the CA that signed it'}`;
    case 'server-name':
      return `${failed}: the server's certificate is not valid for ${probe.detail}; set TEMPORAL_TLS_SERVER_NAME to one of its names`;
    case 'not-tls':
      return `${failed}: the server does not speak TLS on that port; check TEMPORAL_ADDRESS, or unset the TEMPORAL_TLS* settings for a plaintext server`;
    default:
      return undefined;
  }
}

type Probe = { kind: 'ok' | 'unreachable' | 'not-tls' | 'client-refused' | 'server-untrusted' | 'server-name'; detail?: string };

const UNTRUSTED = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
// The client preface and an empty SETTINGS frame: any HTTP/2 server that accepted the handshake answers.
const H2_PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

/** A TLS handshake with `address` as the SDK would make it, then an HTTP/2 hello: who refused, and why. */
function probeTls(address: string, config: TLSConfig, verify: boolean, timeoutMs = 5000): Promise<Probe> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  const servername = config.serverNameOverride ?? (net.isIP(host) ? undefined : host);
  return new Promise((resolve) => {
    let handshaken = false;
    const socket = tls.connect({
      host,
      port: Number(address.slice(i + 1)),
      servername,
      ca: config.serverRootCACertificate ? [Buffer.from(config.serverRootCACertificate)] : undefined,
      cert: config.clientCertPair ? Buffer.from(config.clientCertPair.crt) : undefined,
      key: config.clientCertPair ? Buffer.from(config.clientCertPair.key) : undefined,
      ALPNProtocols: ['h2'],
      rejectUnauthorized: verify,
    });
    const done = (probe: Probe) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(probe);
    };
    const timer = setTimeout(() => done({ kind: handshaken ? 'ok' : 'unreachable' }), timeoutMs);
    socket.once('secureConnect', () => {
      handshaken = true;
      socket.write(H2_PREFACE);
    });
    socket.once('data', () => done({ kind: 'ok' }));
    // TLS 1.3: a refused client certificate shows after the client's side of the handshake, as an alert or a reset.
    socket.once('close', () => done({ kind: handshaken ? 'client-refused' : 'unreachable' }));
    socket.on('error', (e: NodeJS.ErrnoException & { cert?: { subjectaltname?: string } }) => {
      const code = e.code ?? '';
      if (handshaken || /alert (certificate required|bad certificate|unknown ca|handshake failure|certificate unknown|access denied)/i.test(e.message)) {
        done({ kind: 'client-refused' });
      } else if (UNTRUSTED.has(code)) done({ kind: 'server-untrusted', detail: e.message });
      else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') done({ kind: 'server-name', detail: `${servername ?? host} (it names ${e.cert?.subjectaltname ?? 'other hosts'})` });
      else if (/wrong version number|packet length too long|unknown protocol/i.test(e.message)) done({ kind: 'not-tls' });
      else done({ kind: 'unreachable' });
    });
  });
}
