/** A real HTTP server on a free loopback port, for source-client tests that need one. */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';

export async function listenLocal(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes kept-alive and hanging connections too, so jest sees no open handle. */
export async function closeLocal(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
