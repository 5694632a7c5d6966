import { Client, Connection } from '@temporalio/client';
import type { AppConfig } from '../config/env';
import { connectTemporal, type ConnectTemporalOptions, type TemporalConnectionConfig } from './connection-options';

/** A client connection on the TEMPORAL_* settings: plaintext, TLS, mTLS or API key (client/connection-options.ts). */
export function connectTemporalClient(cfg: TemporalConnectionConfig, opts?: ConnectTemporalOptions): Promise<Connection> {
  return connectTemporal(cfg, (options) => Connection.connect(options), opts);
}

export async function connectClient(cfg: TemporalConnectionConfig & Pick<AppConfig, 'TEMPORAL_NAMESPACE'>, opts?: ConnectTemporalOptions): Promise<Client> {
  const connection = await connectTemporalClient(cfg, opts);
  return new Client({ connection, namespace: cfg.TEMPORAL_NAMESPACE });
}
