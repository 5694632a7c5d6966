/**
 * Determinism guard of the counterparty-risk workflow: histories recorded under `npm run dev`
 * (`temporal workflow show --output json`) must replay against today's code. They cover a
 * report that waited through six unstable-DB checks, a schedule firing that ran the date's
 * workflow as its child, and one that found the date locked (SKIPPED_LOCKED).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from './helpers/services';

const dir = path.join(__dirname, 'fixtures', 'histories');

describe('counterparty-risk workflow replay', () => {
  it.each([
    ['counterparty-risk-report.json', 'counterparty-risk-report-20261122'],
    ['counterparty-risk-claim.json', 'counterparty-risk-report-2026-11-22T02:40:53Z'],
    ['counterparty-risk-skipped.json', 'counterparty-risk-report-2026-11-22T02:41:10Z'],
  ])('replays %s', async (file, workflowId) => {
    const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId)).resolves.toBeUndefined();
  });
});
