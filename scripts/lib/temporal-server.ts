/** Starts `temporal server start-dev` (the CLI's embedded server and Web UI) and waits until it answers. */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerSearchAttributeFlags } from '../../shared/search-attributes';

export interface DevServerOptions {
  cliPath: string;
  port: number;
  uiPort?: number;
  /** SQLite file that keeps workflows and schedules across restarts; in-memory when omitted. */
  dbFilename?: string;
  namespaces?: string[];
  logFile?: string;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function resolveTemporalCli(): string {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  const local = path.resolve(__dirname, '../../.tools/bin/temporal');
  if (fs.existsSync(local)) return local;
  return 'temporal';
}

export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--log-level', 'warn'];
  args.push(...(o.uiPort ? ['--ui-port', String(o.uiPort)] : ['--headless']));
  if (o.dbFilename) args.push('--db-filename', o.dbFilename);
  for (const ns of o.namespaces ?? []) args.push('--namespace', ns);
  args.push(...devServerSearchAttributeFlags());
  const out = o.logFile ? fs.openSync(o.logFile, 'a') : 'ignore';
  // Own process group: Ctrl-C reaches the orchestrator only, which stops the server after the worker.
  const child = spawn(o.cliPath, args, { stdio: ['ignore', out, out], detached: true });
  const address = `127.0.0.1:${o.port}`;
  let exited = false;
  child.on('exit', () => (exited = true));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`temporal server start-dev exited early${o.logFile ? `; see ${o.logFile}` : ''}`);
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      await conn.workflowService.getSystemInfo({});
      await conn.close();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGTERM');
        throw new Error(`temporal dev server did not answer on ${address} within 60 s`);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  return {
    address,
    uiUrl: o.uiPort ? `http://127.0.0.1:${o.uiPort}` : undefined,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}
