/** `--plan` output: a table per experiment and, with `--json`, one JSON line for scripts. */
import type { Plan } from '../../experiments/lib/runner/runner.ts';
import type { PlannedTrial } from '../../experiments/lib/runner/plan.ts';

const MEASURE_SECONDS = 3;

/** Seconds a planned trial is expected to take on a worker. */
export function expectedSeconds(trial: PlannedTrial): number {
  return trial.action === 'train' ? trial.estimateSeconds : trial.action === 'measure' ? MEASURE_SECONDS : 0;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600)
    return `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(seconds / 3600)} h ${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')} min`;
}

/** Wall time of the work on `workers` processes, longest first to the least loaded: the plan's ETA. */
export function makespan(trials: readonly PlannedTrial[], workers: number): number {
  const loads = new Array<number>(Math.max(1, workers)).fill(0);
  for (const t of [...trials].sort((a, b) => expectedSeconds(b) - expectedSeconds(a))) {
    const i = loads.indexOf(Math.min(...loads));
    loads[i]! += expectedSeconds(t);
  }
  return Math.max(...loads);
}

export function planText(plan: Plan): string {
  const lines: string[] = [];
  const scheduled = new Set(plan.work.map((t) => t.key));
  for (const experiment of plan.experiments) {
    const counts = { cached: 0, measure: 0, train: 0 };
    for (const t of experiment.trials) counts[t.action]++;
    lines.push(
      `${experiment.definition.id}: ${experiment.trials.length} trials (${counts.cached} cached, ${counts.measure} measure, ${counts.train} train); results ${experiment.writeReason === null ? 'up to date' : `rewritten (${experiment.writeReason})`}`,
    );
    const rows = experiment.trials.map((t) => [
      `  ${t.runKey}`,
      `seed ${t.seed}`,
      `batch ${t.batchSize}`,
      t.action,
      t.action === 'cached' ? '' : `~${formatDuration(expectedSeconds(t))}`,
      t.key.slice(0, 12),
      t.action !== 'cached' && !scheduled.has(t.key)
        ? `${t.reason} (shared with another experiment's trial)`
        : t.reason,
    ]);
    const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => r[c]!.length))) ?? [];
    for (const row of rows)
      lines.push(row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '));
  }
  const work = plan.work;
  const toTrain = work.filter((t) => t.action === 'train').length;
  lines.push(
    work.length === 0
      ? 'nothing to train or measure'
      : `${work.length} trials for ${plan.jobs} worker${plan.jobs > 1 ? 's' : ''} (${toTrain} to train, ${work.length - toTrain} to measure), about ${formatDuration(makespan(work, plan.jobs))} on ${plan.backend.name}${plan.backend.blas ? ` with ${plan.backend.blas.split(' ', 2).join(' ')}` : ''}`,
  );
  return lines.join('\n');
}

export function planJson(plan: Plan): { trials: Record<string, unknown>[] } {
  return {
    trials: plan.experiments.flatMap((e) =>
      e.trials.map((t) => ({
        experiment: t.experiment,
        key: t.key,
        model: t.model,
        batchSize: t.batchSize,
        seed: t.seed,
        action: t.action,
        reason: t.reason,
        estimateSeconds: Math.round(expectedSeconds(t)),
      })),
    ),
  };
}
