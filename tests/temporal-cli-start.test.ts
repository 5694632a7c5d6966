/**
 * What the README tells operators about `temporal workflow start` on an id that is already
 * running, checked against the CLI the project builds (v1.5.1): without --fail-existing the CLI
 * prints the running execution and exits 0 (whatever --id-conflict-policy says); with it, the
 * start is refused with exit 1. Nothing here needs a worker: the runs wait on an unserved queue.
 */
import { spawnSync } from 'node:child_process';
import type { Client } from '@temporalio/client';
import { resolveTemporalCli } from '../scripts/lib/temporal-server';
import { connectTestClient, temporalAddress } from './helpers/services';

let client: Client;
const id = `cli-start-${process.pid}`;

beforeAll(async () => {
  client = await connectTestClient();
});
afterAll(async () => {
  await client.workflow.getHandle(id).terminate('test done').catch(() => undefined);
  await client.connection.close();
});

function start(...extra: string[]) {
  const r = spawnSync(resolveTemporalCli(), [
    'workflow', 'start', '--address', temporalAddress(), '--type', 'recomputeTicker', '--task-queue', `nobody-${process.pid}`,
    '--workflow-id', id, '--input', '{"ticker":"005930"}', ...extra,
  ], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

it('a second start on a running id: printed and exit 0 without --fail-existing, refused with it', async () => {
  const first = start();
  expect(first.code).toBe(0);
  const runId = (await client.workflow.getHandle(id).describe()).runId;
  expect(first.out).toContain(runId);

  for (const policy of [[], ['--id-conflict-policy', 'Fail'], ['--id-conflict-policy', 'UseExisting']]) {
    const again = start(...policy);
    expect(again.code).toBe(0);
    expect(again.out).toContain(runId); // the running execution, not a new one
  }
  for (const policy of [[], ['--id-conflict-policy', 'Fail']]) {
    const refused = start('--fail-existing', ...policy);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/already running/);
  }
  expect((await client.workflow.getHandle(id).describe()).runId).toBe(runId);
});
