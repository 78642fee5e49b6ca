/**
 * The run's progress display: one line for the whole plan (trials done, overall ETA) and one per
 * worker (its trial, epoch, batch bar, samples/s, running loss), with cli-progress's MultiBar in a
 * terminal; piped output (CI, logs) gets a status line every 10 s and a line per finished trial.
 * The overall bar counts expected seconds of work rather than trials, so its ETA weighs a 14-minute
 * batch-1 trial and a 20-second one as they are.
 */
import { MultiBar, type SingleBar } from 'cli-progress';
import type { Results } from '../../experiments/lib/contract/results.ts';
import type { PlannedTrial } from '../../experiments/lib/runner/plan.ts';
import type { Progress } from '../../experiments/lib/runner/pool.ts';
import type { Job } from '../../experiments/lib/runner/protocol.ts';
import type { Plan, RunnerEvents } from '../../experiments/lib/runner/runner.ts';
import { expectedSeconds, formatDuration, makespan } from './plan-text.ts';

const NOTTY_INTERVAL_MS = 10_000;

interface WorkerState {
  job: Job;
  trial: PlannedTrial;
  fraction: number;
  text: string;
  bar?: SingleBar;
}

export function progressDisplay(options: { blasWanted: boolean; quick: boolean }) {
  const tty = process.stderr.isTTY === true;
  const multi = tty
    ? new MultiBar({
        format: '{name} [{bar}] {percentage}% | {detail}',
        hideCursor: true,
        clearOnComplete: false,
        fps: 5,
        barsize: 24,
      })
    : undefined;
  let overall: SingleBar | undefined;
  let plan: Plan | undefined;
  const byKey = new Map<string, PlannedTrial>();
  const workers = new Map<number, WorkerState>();
  let done = 0;
  let doneSeconds = 0;
  let totalSeconds = 0;
  let lastLine = Date.now();
  const started = Date.now();
  const written: Results[] = [];

  const eta = () => {
    const running = [...workers.values()].reduce((s, w) => s + expectedSeconds(w.trial) * w.fraction, 0);
    const progressed = doneSeconds + running;
    const elapsed = (Date.now() - started) / 1000;
    if (progressed <= 0 || elapsed < 5) return plan ? formatDuration(makespan(plan.work, plan.jobs)) : '…';
    return formatDuration((elapsed * (totalSeconds - progressed)) / progressed);
  };
  const overallDetail = () => `${done}/${plan?.work.length ?? 0} trials | ETA ${eta()}`;
  const log = (line: string) => (multi ? multi.log(`${line}\n`) : console.log(line));
  const refresh = () => {
    if (overall) {
      const running = [...workers.values()].reduce((s, w) => s + expectedSeconds(w.trial) * w.fraction, 0);
      overall.update(Math.min(totalSeconds, doneSeconds + running), { detail: overallDetail() });
    } else if (Date.now() - lastLine > NOTTY_INTERVAL_MS) {
      lastLine = Date.now();
      console.log(`[${overallDetail()}]`);
      for (const [i, w] of workers) console.log(`  worker ${i + 1}: ${w.job.name}: ${w.text}`);
    }
  };

  const events: Required<
    Pick<
      RunnerEvents,
      'onPlan' | 'onReady' | 'onStart' | 'onProgress' | 'onEpoch' | 'onMeasuring' | 'onDone' | 'onWritten'
    >
  > = {
    onPlan: (p) => {
      plan = p;
      for (const t of p.work) byKey.set(t.key, t);
      totalSeconds = p.work.reduce((s, t) => s + expectedSeconds(t), 0);
      for (const e of p.experiments) {
        const n = { cached: 0, measure: 0, train: 0 };
        for (const t of e.trials) n[t.action]++;
        console.log(
          `${e.definition.id}: ${e.writeReason === null ? 'up to date' : `${n.train} to train, ${n.measure} to measure, ${n.cached} cached (${e.writeReason})`}`,
        );
      }
      if (p.work.length > 0) {
        const b = p.backend;
        const blas =
          b.blas !== null
            ? `, products on ${b.blas.split(' ', 2).join(' ')}`
            : b.name === 'wasm' && options.blasWanted
              ? ' (no OpenBLAS: install libopenblas0 to train 2–3× faster, see README "Backends")'
              : '';
        console.log(
          `${p.work.length} trials on ${p.jobs} worker${p.jobs > 1 ? 's' : ''}, ${b.name} ${b.version}${b.threads > 1 ? `, ${b.threads} threads` : ''}${blas}${options.quick ? ', quick subset' : ''}; about ${formatDuration(makespan(p.work, p.jobs))}`,
        );
        overall = multi?.create(Math.max(1, totalSeconds), 0, {
          name: 'all trials'.padEnd(28),
          detail: overallDetail(),
        });
      }
    },
    onReady: () => undefined,
    onStart: (worker, job) => {
      const trial = byKey.get(job.key)!;
      const state: WorkerState = { job, trial, fraction: 0, text: 'starting' };
      state.bar = multi?.create(1, 0, {
        name: `${worker + 1} ${job.name}`.slice(0, 28).padEnd(28),
        detail: job.mode === 'measure' ? 'measuring from the store' : 'starting',
      });
      workers.get(worker)?.bar?.stop();
      if (workers.get(worker)?.bar) multi?.remove(workers.get(worker)!.bar!);
      workers.set(worker, state);
      if (!multi)
        console.log(
          `worker ${worker + 1}: ${job.name} (${job.mode === 'measure' ? 'measure from the store' : `${trial.action}: ${trial.reason}`})`,
        );
      refresh();
    },
    onProgress: (worker, _job, p: Progress) => {
      const w = workers.get(worker);
      if (!w) return;
      w.fraction = ((p.epoch - 1) * p.batches + p.batch) / (p.epochs * p.batches);
      w.text = `epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batches} | ${p.samplesPerSecond.toFixed(0)} samples/s | loss ${p.loss.toFixed(4)}`;
      w.bar?.setTotal(p.batches);
      w.bar?.update(p.batch, { detail: w.text });
      refresh();
    },
    onEpoch: (worker, job, e) => {
      log(
        `  ${job.name} epoch ${e.epoch}: ${e.trainSeconds.toFixed(1)} s, loss ${e.trainLoss.toFixed(4)}, val acc ${(e.valAccuracy * 100).toFixed(2)}%`,
      );
      void worker;
    },
    onMeasuring: (worker) => {
      const w = workers.get(worker);
      if (w) w.text = 'measuring latency';
      w?.bar?.update({ detail: 'measuring latency' });
    },
    onDone: (worker, job, outcome) => {
      const w = workers.get(worker);
      done++;
      if (w) doneSeconds += expectedSeconds(w.trial);
      w?.bar?.stop();
      if (w?.bar) multi?.remove(w.bar);
      workers.delete(worker);
      const t = outcome.trial;
      log(
        `done ${job.name}${t ? `: test accuracy ${(t.test.accuracy * 100).toFixed(2)}%, latency p50 ${t.latency.batch1.p50Us.toFixed(0)} µs` : ' (stored)'}`,
      );
      refresh();
    },
    onWritten: (experiment, results, file) => {
      written.push(results);
      log(`${experiment.definition.id}: wrote ${file}`);
    },
  };

  return {
    events,
    stop: () => multi?.stop(),
    summary: () => summaryTable(written),
  };
}

function summaryTable(results: Results[]): string {
  if (results.length === 0) return '';
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
  return `\n${rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')).join('\n')}`;
}
