/**
 * Determinism guard for safe deploys: every recorded history in tests/fixtures/histories must replay
 * against today's workflow code, each against the bundle its worker runs (workflows/index.ts for the
 * collection worker, workflows/jobs for the job workers), and every workflow type either bundle
 * exports must have at least one. Changing a workflow in a way that would break runs in flight fails
 * here; use `patched()` for such changes (README "Deploying a new version").
 *
 * The fixtures are `temporal workflow show --output json` histories (or the SDK's fetchHistory, the
 * same JSON) with the run's `workflowId` beside `events`: `npm run record-histories` records one per
 * workflow type, tests/chains.test.ts with RECORD_HISTORIES=1 the seed 001 chains. The first ones,
 * from a five-year backfill and the counterparty report under `npm run dev`, name no id: LEGACY_IDS.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import * as collectionWorkflows from '../workflows';
import * as jobWorkflows from '../workflows/jobs';
import { jobWorkflowBundle } from './helpers/jobs';
import { workflowBundle } from './helpers/services';

const dir = path.join(__dirname, 'fixtures', 'histories');
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

const LEGACY_IDS: Record<string, string> = {
  'daily-collection-backfill.json': 'daily-collection-2026-11-22T01:43:56Z',
  'price-backfill.json': 'daily-collection-2026-11-22T01:43:56Z/prices',
  'counterparty-risk-report.json': 'counterparty-risk-report-20261122',
  'counterparty-risk-claim.json': 'counterparty-risk-report-2026-11-22T02:40:53Z',
  'counterparty-risk-skipped.json': 'counterparty-risk-report-2026-11-22T02:41:10Z',
};

/** The workflow types a bundle's entry file exports (signals and queries are exported beside them, as objects). */
const typesOf = (module: object): string[] => Object.entries(module).filter(([, v]) => typeof v === 'function').map(([k]) => k);

const BUNDLES: Record<string, { types: string[]; load: () => Promise<WorkflowBundleWithSourceMap> }> = {
  collection: { types: typesOf(collectionWorkflows), load: workflowBundle },
  jobs: { types: typesOf(jobWorkflows), load: jobWorkflowBundle },
};

interface Fixture {
  file: string;
  workflowId: string | undefined;
  workflowType: string;
  bundle: string | undefined;
  history: { events: Array<{ workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }> };
}

function loadFixture(file: string): Fixture {
  const { workflowId, ...history } = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { workflowId?: string } & Fixture['history'];
  const workflowType = history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '(no start event)';
  const bundle = Object.keys(BUNDLES).find((b) => BUNDLES[b]!.types.includes(workflowType));
  return { file, workflowId: workflowId ?? LEGACY_IDS[file], workflowType, bundle, history };
}

const fixtures = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map(loadFixture);

describe('workflow replay', () => {
  it('has a recorded history for every workflow type that a bundle exports', () => {
    const covered = new Set(fixtures.map((f) => f.workflowType));
    const missing = Object.entries(BUNDLES).flatMap(([bundle, { types }]) => types.filter((t) => !covered.has(t)).map((t) => `${t} (${bundle})`));
    // A new workflow type needs a fixture: add a scenario to scripts/record-histories.ts and run `npm run record-histories`.
    expect(missing).toEqual([]);
  });

  it('knows the workflow id and the bundle of every fixture', () => {
    const unplaced = fixtures.filter((f) => !f.workflowId || !f.bundle).map((f) => `${f.file}: ${f.workflowType}, id ${f.workflowId ?? '?'}`);
    expect(unplaced).toEqual([]);
  });

  it.each(fixtures.map((f) => [f.file, f.workflowType, f.bundle ?? '?', f] as const))('replays %s (%s) against the %s bundle', async (_file, _type, bundle, f) => {
    await expect(Worker.runReplayHistory({ workflowBundle: await BUNDLES[bundle]!.load() }, f.history, f.workflowId)).resolves.toBeUndefined();
  });

  it('detects a workflow change that would break a run in flight', async () => {
    const { history, workflowId } = loadFixture('daily-collection-backfill.json');
    const changed = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/changed-workflows'), logger: silent });
    await expect(Worker.runReplayHistory({ workflowBundle: changed }, history, workflowId)).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
