import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { bundleOptions, PREBUILT_WORKFLOW_BUNDLE } from '../worker/createWorker.js';

/**
 * The last step of `npm run build`, run compiled (node dist/scripts/bundle-workflows.js): bundles
 * the compiled workflows, with the same preloaded modules as a worker that bundles at start, into
 * dist/workflow-bundle.js, which the compiled worker loads (samples-typescript `production`).
 */
if (!import.meta.url.endsWith('.js')) {
  // Under tsx it would bundle the .ts sources and write the bundle into the source tree.
  process.stderr.write('run it compiled, as npm run build does: node dist/scripts/bundle-workflows.js\n');
  process.exit(2);
}
const started = Date.now();
const { code } = await bundleWorkflowCode({ ...bundleOptions, logger: new DefaultLogger('WARN') });
await writeFile(PREBUILT_WORKFLOW_BUNDLE, code);
process.stdout.write(`workflow bundle: ${PREBUILT_WORKFLOW_BUNDLE}, ${Math.round(code.length / 1024)} KiB in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
