import { Client, Connection } from '@temporalio/client';
import type { AppConfig } from '../config/env';

export async function connectClient(cfg: Pick<AppConfig, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>): Promise<Client> {
  const connection = await Connection.connect({ address: cfg.TEMPORAL_ADDRESS });
  return new Client({ connection, namespace: cfg.TEMPORAL_NAMESPACE });
}
