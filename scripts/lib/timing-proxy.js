#!/usr/bin/env node
/*
 * A pass-through HTTP proxy that notes when each request whose path starts with a given prefix arrives,
 * run as its own process (scripts/bench-scale.ts): in the benchmark's process, which also serves the
 * simulator and reads workflow histories, a busy event loop would note arrivals late and bunch them.
 * Usage: node timing-proxy.js <target base URL> <path prefix>; prints {"port": n} on stdout when listening.
 * GET /__timing-proxy/arrivals answers the arrival times (ms, this process's monotonic clock).
 */
'use strict';
const http = require('node:http');

const [target, prefix] = process.argv.slice(2);
if (!target || !prefix) {
  process.stderr.write('usage: node timing-proxy.js <target base URL> <path prefix>\n');
  process.exit(2);
}
const to = new URL(target);
const arrivals = [];
const agent = new http.Agent({ keepAlive: true });
const server = http.createServer((req, res) => {
  if (req.url === '/__timing-proxy/arrivals') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(arrivals));
    return;
  }
  if (req.url && req.url.startsWith(prefix)) arrivals.push(performance.now());
  const upstream = http.request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers, agent }, (r) => {
    res.writeHead(r.statusCode || 502, r.headers);
    r.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('SIGTERM', () => {
  agent.destroy();
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
