/**
 * Bundles workflows/ once, ahead of the worker, as production workers should: the worker
 * then loads the file instead of running webpack itself, which keeps webpack's memory out
 * of the worker process. `npm run dev` and the benchmark call this before starting workers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from '../workers/collection-worker';

export const DEFAULT_BUNDLE_PATH = path.resolve(__dirname, '..', '.data', 'build', 'workflow-bundle.js');

export async function buildWorkflowBundle(out = DEFAULT_BUNDLE_PATH): Promise<string> {
  // Webpack's statistics are noise here; warnings and errors still reach stderr.
  const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error };
  const { code } = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quiet });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, code);
  return out;
}

if (require.main === module) {
  buildWorkflowBundle(process.argv[2]).then(
    (out) => console.log(`workflow bundle written to ${out}`),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
