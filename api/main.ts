/** Entry point of the report API alone: `npm run api` (API_TOKEN required; `npm run dev` starts it too). */
import { connectClient } from '../client/connection';
import { ConfigError, loadConfig } from '../config/env';
import { logger } from '../config/logger';
import { closeOnSignals } from './http';
import { startApiServer } from './server';

async function main(): Promise<void> {
  const cfg = loadConfig();
  if (!cfg.API_TOKEN) throw new ConfigError(['API_TOKEN: required by the report API outside `npm run dev` (a random string of 16 characters or more)']);
  const client = await connectClient(cfg);
  const server = await startApiServer({ cfg, client, token: cfg.API_TOKEN });
  logger.info({ url: server.url }, 'report API listening');
  closeOnSignals(async () => {
    await server.close();
    await client.connection.close();
  });
}

main().catch((err) => {
  logger.fatal({ err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
});
