/**
 * `npm run build`: the main job in one process. Runs the experiments whose results are missing or
 * stale (as `npm run experiments` does), then builds the site from the results (as `npm run
 * build:site`). One Node start-up instead of two; and when no input of the site changed since
 * _site/ was built (site/build-stamp.ts), the site is not built again (`--rebuild` builds it anyway).
 *
 *   --jobs <n>, --store <dir>, --no-blas, --debug   as for `npm run experiments`
 *   --rebuild                                       build the site even when it is up to date
 */
import { parseArgs } from 'node:util';
import { RESULTS_DIR, runExperiments } from '../experiments/lib/runner/runner.ts';
import { STORE_DIR } from '../experiments/lib/runner/store.ts';
import { stopWorkers } from '../experiments/lib/runner/pool.ts';
import { exitOnSignals, exitWithAncestors, fail } from './cli.ts';
import { progressDisplay } from './experiments/progress.ts';
import { inputsHash, upToDate, writeStamp } from '../site/build-stamp.ts';
import { UsageError } from '../experiments/lib/contract/errors.ts';

const SITE_DIR = '_site';

function parseArguments() {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string' },
      store: { type: 'string', default: STORE_DIR },
      'no-blas': { type: 'boolean', default: false },
      rebuild: { type: 'boolean', default: false },
      debug: { type: 'boolean', default: false },
    },
  });
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1))
    throw new UsageError(`--jobs: expected a positive integer, got '${values.jobs}'`);
  return {
    jobs,
    store: values.store,
    blas: !values['no-blas'],
    rebuild: values.rebuild,
    debug: values.debug,
  };
}

async function main(): Promise<void> {
  const args = parseArguments();
  const started = Date.now();
  const display = progressDisplay({ blasWanted: args.blas, quick: false });
  const stop = () => {
    stopWorkers();
    display.stop();
  };
  exitOnSignals(stop);
  exitWithAncestors(stop);
  const plan = await runExperiments({
    resultsDir: RESULTS_DIR,
    store: args.store,
    jobs: args.jobs,
    blas: args.blas,
    events: display.events,
  });
  display.stop();
  if (plan.work.length > 0) console.log(display.summary());
  const inputs = await inputsHash(process.cwd());
  if (!args.rebuild && (await upToDate(SITE_DIR, inputs))) {
    console.log(
      `_site/ is up to date: no input of the site changed since it was built (--rebuild to build it anyway)`,
    );
    return;
  }
  // Imported here: Eleventy and the site's plugins take a third of a second to load.
  const { buildSite } = await import('../site/build.ts');
  await buildSite({ resultsDir: RESULTS_DIR, outputDir: SITE_DIR });
  await writeStamp(SITE_DIR, inputs);
  console.log(`built _site/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  stopWorkers();
  fail(error);
});
