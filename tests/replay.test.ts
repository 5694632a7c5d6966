/**
 * Determinism guard: recorded histories of real runs (tests/fixtures/histories, taken with
 * `temporal workflow show --output json` from a five-year backfill under `npm run dev`)
 * must replay against today's workflow code. Changing a workflow in a way that would break
 * runs in flight fails here; use `patched()` for such changes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { workflowBundle } from './helpers/services';

const dir = path.join(__dirname, 'fixtures', 'histories');
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

describe('workflow replay', () => {
  it.each([
    ['daily-collection-backfill.json', 'daily-collection-2026-11-22T01:43:56Z'],
    ['price-backfill.json', 'daily-collection-2026-11-22T01:43:56Z/prices'],
  ])('replays %s', async (file, workflowId) => {
    const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId)).resolves.toBeUndefined();
  });

  // Recorded by tests/chains.test.ts with RECORD_HISTORIES=1 (the file names its workflow id).
  it.each(['initial-load.json', 'weekly-refresh.json', 'dart-financials.json', 'daily-collection-checked.json', 'monthly-products.json'])(
    'replays the seed 001 chain history %s',
    async (file) => {
      const { workflowId, ...history } = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { workflowId: string };
      await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId)).resolves.toBeUndefined();
    },
  );

  it('detects a workflow change that would break a run in flight', async () => {
    const history = JSON.parse(fs.readFileSync(path.join(dir, 'daily-collection-backfill.json'), 'utf8'));
    const changed = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/changed-workflows'), logger: silent });
    await expect(
      Worker.runReplayHistory({ workflowBundle: changed }, history, 'daily-collection-2026-11-22T01:43:56Z'),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
