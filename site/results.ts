/**
 * The site's only way into the results: loads every `<id>.json` of a results folder (validated by
 * the results contract, then for meaning by ./results-check.ts) and looks up experiments, runs and metrics with errors that name the place
 * in the content that asked for them.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { readResults, type MetricName, type Results, type Run } from '../experiments/lib/contract/results.ts';
import { ResultsError } from '../experiments/lib/contract/errors.ts';
import { ContentError } from './errors.ts';
import { checkResults } from './results-check.ts';
import { METRIC_NAMES, isMetricName } from './format.ts';

/** Results folder, relative to the working directory. */
export const DEFAULT_RESULTS_DIR = 'experiments/results';

/** Where in the content a lookup was asked for, for error messages. e.g. { file: 'content/posts/x.md', line: 12 } */
export interface Where {
  file: string;
  line: number | null;
}

/** Eleventy global data `results`: experiment id → its results. */
export type ResultsData = Record<string, Results>;

/**
 * Every results file in `dir` (relative to the working directory or absolute), keyed by experiment
 * id. A missing folder gives an empty map; a file whose name differs from its experiment id is an error.
 */
export async function loadResults(dir: string = DEFAULT_RESULTS_DIR): Promise<Map<string, Results>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const results = new Map<string, Results>();
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const file = path.join(dir, name);
    const loaded = await readResults(file);
    const id = path.basename(name, '.json');
    if (loaded.experiment.id !== id) {
      throw new ResultsError(
        file,
        'experiment.id',
        `'${loaded.experiment.id}' differs from the file name '${id}'`,
      );
    }
    checkResults(loaded, file);
    results.set(id, loaded);
  }
  return results;
}

const known = (names: Iterable<string>) => [...names].join(', ') || 'none';

/** The results of experiment `id`, or a ContentError naming the known experiments. */
export function getExperiment(results: ResultsData, id: string, where: Where): Results {
  const found = Object.hasOwn(results, id) ? results[id] : undefined;
  if (found === undefined) {
    throw new ContentError(
      where.file,
      where.line,
      `unknown experiment '${id}' (known: ${known(Object.keys(results))})`,
    );
  }
  return found;
}

/** The run with key `runKey` (e.g. `lenet5`, `mlp1@64`) of an experiment. */
export function getRun(experiment: Results, runKey: string, where: Where): Run {
  const run = experiment.runs.find((r) => r.key === runKey);
  if (run === undefined) {
    throw new ContentError(
      where.file,
      where.line,
      `unknown run '${runKey}' in experiment '${experiment.experiment.id}' (known: ${known(experiment.runs.map((r) => r.key))})`,
    );
  }
  return run;
}

/**
 * The first run of model `model` (e.g. `mlp1`, which a batch sweep runs as `mlp1@1` … `mlp1@128`,
 * all with the same layers), or a ContentError naming the experiment's models.
 */
export function getModelRun(experiment: Results, model: string, where: Where): Run {
  const run = experiment.runs.find((r) => r.model === model);
  if (run === undefined) {
    throw new ContentError(
      where.file,
      where.line,
      `unknown model '${model}' in experiment '${experiment.experiment.id}' (known: ${known(new Set(experiment.runs.map((r) => r.model)))})`,
    );
  }
  return run;
}

/** Checks a metric name, e.g. `accuracy`, against the keys of RunMetrics. */
export function checkMetric(metric: string, where: Where): MetricName {
  if (!isMetricName(metric)) {
    throw new ContentError(
      where.file,
      where.line,
      `unknown metric '${metric}' (known: ${known(METRIC_NAMES)})`,
    );
  }
  return metric;
}

/** A metric of a run as one number: the value for counts and sizes, the mean over trials for a Stat. */
export function metricValue(run: Run, metric: MetricName): number {
  const value = run.metrics[metric];
  return typeof value === 'number' ? value : value.mean;
}

/** The 95% interval of a metric over trials, or null for exact metrics and single-trial runs. */
export function metricInterval(run: Run, metric: MetricName): [number, number] | null {
  const value = run.metrics[metric];
  return typeof value === 'number' ? null : value.ci95;
}

/** Looks up run and metric together: the common case of shortcodes and claims. */
export function lookup(
  experiment: Results,
  runKey: string,
  metric: string,
  where: Where,
): { run: Run; metric: MetricName; value: number } {
  const run = getRun(experiment, runKey, where);
  const name = checkMetric(metric, where);
  return { run, metric: name, value: metricValue(run, name) };
}
