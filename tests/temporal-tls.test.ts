/**
 * Secure connections to Temporal (issue 14), for real: the test dev server (plaintext) behind TLS proxies on
 * loopback (helpers/tls-proxy.ts), with a CA, a server certificate and two client certificates made by `openssl`.
 * A collection worker (NativeConnection) and a client (Connection), both built by client/connection-options.ts
 * from env-like settings, connect through the proxy and run a workflow end to end; a certificate the server
 * does not trust and a wrong API key end in one clear line; the key never shows in the captured output.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { NativeConnection } from '@temporalio/worker';
import pino from 'pino';
import { closeActivityDeps } from '../activities/deps';
import { connectClient } from '../client/connection';
import { connectTemporal, TemporalConnectError } from '../client/connection-options';
import { ConfigError, loadConfig } from '../config/env';
import type { Logger } from '../config/logger';
import { recomputeTicker } from '../workflows';
import { createCollectionWorker } from '../workers/collection-worker';
import { priceSeries } from './helpers/score-market';
import { type ScratchDb, scratchDatabase, temporalAddress, testDeps, workflowBundle } from './helpers/services';
import { makeTestPki, startApiKeyProxy, startMtlsProxy, type TestPki, type TlsProxy } from './helpers/tls-proxy';

const DAY = '2026-06-30';
const API_KEY = `compass-test-key-${randomUUID()}`;

let pki: TestPki;
let scratch: ScratchDb;
const proxies: TlsProxy[] = [];

/** Every line the logger got, and everything written to stdout, stderr and the console while a test ran. */
const captured: string[] = [];
const log: Logger = pino({ level: 'trace' }, new Writable({ write: (chunk, _enc, done) => (captured.push(String(chunk)), done()) }));
const restores: Array<() => void> = [];
function captureOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => (captured.push(String(chunk)), write(chunk as string, ...(rest as [])))) as typeof stream.write;
    restores.push(() => (stream.write = write));
  }
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const spy = jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void captured.push(args.map(String).join(' ')));
    restores.push(() => spy.mockRestore());
  }
}

beforeAll(async () => {
  pki = makeTestPki();
  scratch = await scratchDatabase('tls');
  await priceSeries(scratch.db, { ticker: '005930', lastDate: DAY, days: 80, close: '70000 + 10 * i', shares: 1 });
  captureOutput();
});

afterAll(async () => {
  for (const restore of restores.splice(0)) restore();
  for (const p of proxies) await p.close();
  await scratch?.drop();
  pki?.remove();
});

const mtls = () => ({ TEMPORAL_TLS_CA: pki.ca, TEMPORAL_TLS_SERVER_NAME: 'localhost', TEMPORAL_TLS_CERT: pki.client.cert, TEMPORAL_TLS_KEY: pki.client.key });
// The recompute reads PostgreSQL only; mock scope wants a simulator URL that nothing calls.
const settings = (env: Record<string, string>) => ({ LOG_LEVEL: 'warn', DATABASE_URL: scratch.url, DATA_SCOPE: 'mock', SIMULATOR_URL: 'http://127.0.0.1:9', ...env });
async function proxy(start: Promise<TlsProxy>): Promise<TlsProxy> {
  const p = await start;
  proxies.push(p);
  return p;
}

/** A collection worker and a client on `env`'s Temporal settings; a recompute of 005930 runs through both. */
async function recomputeThrough(env: Record<string, string>) {
  const cfg = loadConfig(settings(env));
  const deps = testDeps(settings(env));
  const connection = await connectTemporal(cfg, (options) => NativeConnection.connect(options), { log });
  const client = await connectClient(cfg, { log });
  const taskQueue = `tls-test-${randomUUID()}`;
  try {
    const worker = await createCollectionWorker({ connection, namespace: 'default', taskQueue, deps, workflowBundle: await workflowBundle() });
    return await worker.runUntil(client.workflow.execute(recomputeTicker, { taskQueue, workflowId: `tls-recompute-${randomUUID()}`, args: [{ ticker: '005930', scoreDate: DAY }] }));
  } finally {
    await client.connection.close();
    await connection.close();
    await closeActivityDeps(deps);
  }
}

const connectLines = (tls: string) => captured.filter((l) => l.includes('"msg":"connected to Temporal"') && l.includes(`"tls":"${tls}"`));

describe('the settings are checked at start, one line per problem', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env as NodeJS.ProcessEnv);
    } catch (err) {
      return (err as ConfigError).problems;
    }
    return [];
  };

  it('a client certificate without its key, a file that is not there, one that is not PEM, TLS off beside TLS settings', () => {
    expect(problems({ TEMPORAL_TLS_CERT: pki.client.cert })).toEqual(["TEMPORAL_TLS_KEY: required with TEMPORAL_TLS_CERT (the client certificate's private key)"]);
    expect(problems({ TEMPORAL_TLS_KEY: pki.client.key })).toEqual(['TEMPORAL_TLS_CERT: required with TEMPORAL_TLS_KEY (the certificate of that private key)']);
    expect(problems({ TEMPORAL_TLS_CA: `${pki.dir}/missing.crt`, TEMPORAL_TLS_CERT: pki.client.key, TEMPORAL_TLS_KEY: pki.client.cert })).toEqual([
      `TEMPORAL_TLS_CERT: ${pki.client.key} is not a PEM certificate (no -----BEGIN CERTIFICATE----- line)`,
      `TEMPORAL_TLS_KEY: ${pki.client.cert} is not a PEM private key (no -----BEGIN PRIVATE KEY----- line; an encrypted key must be decrypted first)`,
      `TEMPORAL_TLS_CA: cannot read ${pki.dir}/missing.crt: no such file`,
    ]);
    const offBesideKey = problems({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: API_KEY, DATAGOKR_RPS: 'fast' });
    expect(offBesideKey).toEqual([
      'DATAGOKR_RPS: Invalid input: expected number, received NaN',
      'TEMPORAL_TLS: is false, but TEMPORAL_API_KEY needs TLS: drop TEMPORAL_TLS=false or it',
    ]);
    expect(problems({ TEMPORAL_API_KEY: 'two words' })).toEqual(['TEMPORAL_API_KEY: must be one token, without spaces or line breaks']);
    expect(problems(mtls())).toEqual([]);
  });
});

describe('mTLS through a proxy that asks for a client certificate signed by its CA', () => {
  let mtlsProxy: TlsProxy;
  beforeAll(async () => {
    mtlsProxy = await proxy(startMtlsProxy(temporalAddress(), pki));
  });

  it('a collection worker and a client connect with the CA-signed certificate and run a workflow end to end', async () => {
    const score = await recomputeThrough({ TEMPORAL_ADDRESS: mtlsProxy.address, ...mtls() });
    expect(score).toMatchObject({ ticker: '005930', scoreDate: DAY });
    // The startup line: address and mode, nothing of the files.
    expect(connectLines('mtls')).toHaveLength(2);
    expect(connectLines('mtls')[0]).toContain(`"address":"${mtlsProxy.address}"`);
    expect(captured.join('\n')).not.toContain('PRIVATE KEY');
  });

  it('the self-signed client certificate is refused with one line saying what to check', async () => {
    const cfg = loadConfig(settings({ TEMPORAL_ADDRESS: mtlsProxy.address, ...mtls(), TEMPORAL_TLS_CERT: pki.wrong.cert, TEMPORAL_TLS_KEY: pki.wrong.key }));
    const expected =
      `TLS handshake with ${mtlsProxy.address} failed: the server did not accept the client certificate (TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY); ` +
      'check it is signed by the CA the server trusts';
    const refusals = mtlsProxy.refusals.length;
    const worker = await connectTemporal(cfg, (options) => NativeConnection.connect(options), { log }).catch((e: unknown) => e);
    expect(worker).toBeInstanceOf(TemporalConnectError);
    expect((worker as Error).message).toBe(expected);
    // The client (grpc-js) only says "Failed to connect before the deadline", after its 10 s connect timeout.
    const client = await connectClient(cfg, { log }).catch((e: unknown) => e);
    expect(client).toBeInstanceOf(TemporalConnectError);
    expect((client as Error).message).toBe(expected);
    expect(mtlsProxy.refusals.length).toBeGreaterThan(refusals);
  });

  it('without a client certificate, or without the CA, the line says which setting is missing', async () => {
    const { TEMPORAL_TLS_CERT: _c, TEMPORAL_TLS_KEY: _k, ...serverOnly } = mtls();
    const noCert = loadConfig(settings({ TEMPORAL_ADDRESS: mtlsProxy.address, ...serverOnly }));
    await expect(connectTemporal(noCert, (options) => NativeConnection.connect(options), { log })).rejects.toThrow(
      `TLS handshake with ${mtlsProxy.address} failed: the server asks for a client certificate (mTLS); set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY`,
    );
    const { TEMPORAL_TLS_CA: _ca, ...systemRoots } = mtls();
    const noCa = loadConfig(settings({ TEMPORAL_ADDRESS: mtlsProxy.address, ...systemRoots }));
    await expect(connectTemporal(noCa, (options) => NativeConnection.connect(options), { log })).rejects.toThrow(
      new RegExp(`^TLS handshake with ${mtlsProxy.address} failed: the server's certificate is not trusted \\(.+\\); set TEMPORAL_TLS_CA to the CA that signed it$`),
    );
  });
});

describe('API key through a proxy that checks the bearer key of each request (as Temporal Cloud does)', () => {
  let keyProxy: TlsProxy;
  beforeAll(async () => {
    keyProxy = await proxy(startApiKeyProxy(temporalAddress(), pki, API_KEY));
  });
  // The server name keeps grpc-js from sending an IP address as SNI (Node warns: DEP0123).
  const withKey = (key: string) => ({ TEMPORAL_ADDRESS: keyProxy.address, TEMPORAL_TLS_CA: pki.ca, TEMPORAL_TLS_SERVER_NAME: 'localhost', TEMPORAL_API_KEY: key });

  it('the right key connects a worker and a client, and a workflow runs end to end', async () => {
    const score = await recomputeThrough(withKey(API_KEY));
    expect(score).toMatchObject({ ticker: '005930', scoreDate: DAY });
    expect(connectLines('api-key')).toHaveLength(2);
    expect(keyProxy.refusals).toEqual([]);
  });

  it('a wrong key gets one line naming the address and the setting', async () => {
    const cfg = loadConfig(settings(withKey(`wrong-${randomUUID()}`)));
    const expected = `Temporal at ${keyProxy.address} refused the API key (UNAUTHENTICATED): check TEMPORAL_API_KEY is current and may use this namespace`;
    for (const connecting of [connectTemporal(cfg, (options) => NativeConnection.connect(options), { log }), connectClient(cfg, { log })]) {
      const err = await connecting.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TemporalConnectError);
      expect((err as Error).message).toBe(expected);
    }
    expect(new Set(keyProxy.refusals)).toEqual(new Set(['wrong API key']));
  });

  it('the key appears in no captured log line, output or error message', () => {
    expect(captured.length).toBeGreaterThan(0);
    for (const line of captured) expect(line).not.toContain(API_KEY);
  });
});
