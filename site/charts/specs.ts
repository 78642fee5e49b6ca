/**
 * Vega-Lite specs built from a results file: pure functions, no rendering. Each chart comes with
 * the title and text description that screen readers get in place of the picture.
 */
import type { Config, TopLevelSpec } from 'vega-lite';
import type { MetricName, Results, Run } from '../../experiments/lib/results.ts';
import { METRICS, formatShown, metricTitle, shownValue } from './metrics.ts';
import { CHART_FONT_STACK } from './text-metrics.ts';

export interface Chart {
  /** Unique within a page and stable between builds, e.g. `mlp-vs-lenet-accuracy`; used for element ids. */
  id: string;
  title: string;
  /** What the chart shows, with its numbers, for readers who cannot see it. */
  description: string;
  spec: TopLevelSpec;
}

/**
 * Okabe & Ito's colour-blind-safe palette, without its yellow (too light on white) and with black
 * last; one colour per run, in the order of the results file.
 */
export const PALETTE = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#999999',
];

const TEXT_COLOUR = '#222222';
const FONT_SIZE = 13;

/** Shared chart config: the shipped font, sizes readable when scaled to a phone, no ARIA inside (the SVG is one image). */
export const CHART_CONFIG: Config = {
  font: CHART_FONT_STACK,
  aria: false,
  background: 'transparent',
  padding: 4,
  view: { stroke: null },
  axis: {
    labelFont: CHART_FONT_STACK,
    titleFont: CHART_FONT_STACK,
    labelFontSize: FONT_SIZE,
    titleFontSize: FONT_SIZE,
    titleFontWeight: 'bold',
    labelColor: TEXT_COLOUR,
    titleColor: TEXT_COLOUR,
    gridColor: '#e4e4e4',
    domainColor: '#888888',
    tickColor: '#888888',
    labelLimit: 0,
    // An end label pushed inside the plot (flush) can sit on its neighbour; scales are padded instead.
    labelFlush: false,
  },
  legend: {
    labelFont: CHART_FONT_STACK,
    titleFont: CHART_FONT_STACK,
    labelFontSize: FONT_SIZE,
    titleFontSize: FONT_SIZE,
    labelColor: TEXT_COLOUR,
    titleColor: TEXT_COLOUR,
    labelLimit: 0,
    orient: 'top',
    direction: 'horizontal',
  },
  header: { labelFontSize: FONT_SIZE, titleFontSize: FONT_SIZE, labelFont: CHART_FONT_STACK },
  text: { font: CHART_FONT_STACK, fontSize: FONT_SIZE, color: TEXT_COLOUR },
  title: { font: CHART_FONT_STACK, fontSize: 14, color: TEXT_COLOUR, anchor: 'start' },
};

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const PLOT_WIDTH = 360;

/** How an experiment's runs relate, which decides how a metric is drawn. */
export type ExperimentKind = 'comparison' | 'batch-sweep' | 'architecture-sweep';

/** Hidden dense layer widths of a plain MLP (flatten and dense layers only), else null. e.g. [512, 512] */
export function hiddenWidths(run: Run): number[] | null {
  if (!run.layers.every((layer) => layer.type === 'Flatten' || layer.type === 'Dense')) return null;
  const dense = run.layers.filter((layer) => layer.type === 'Dense');
  return dense.slice(0, -1).map((layer) => layer.outputShape[0] ?? 0);
}

/**
 * `batch-sweep` when the runs differ in batch size; `architecture-sweep` when there are three or
 * more plain MLPs whose hidden layers each have one width (the depth-and-width study);
 * otherwise a `comparison` of a few models.
 */
export function experimentKind(results: Results): ExperimentKind {
  if (new Set(results.runs.map((run) => run.batchSize)).size > 1) return 'batch-sweep';
  const uniform = results.runs.every((run) => {
    const widths = hiddenWidths(run);
    return widths !== null && widths.length > 0 && widths.every((w) => w === widths[0]);
  });
  return uniform && results.runs.length >= 3 ? 'architecture-sweep' : 'comparison';
}

/** The run's label as the reader sees it: with the batch size in a batch sweep, e.g. `MLP-1, batch 16`. */
export function runLabel(results: Results, run: Run): string {
  return experimentKind(results) === 'batch-sweep' ? `${run.label}, batch ${run.batchSize}` : run.label;
}

function modelLabels(results: Results): string[] {
  return [...new Set(results.runs.map((run) => run.label))];
}

function colourScale(domain: string[]): { domain: string[]; range: string[] } {
  return { domain, range: domain.map((_, i) => PALETTE[i % PALETTE.length]!) };
}

function seedsNote(results: Results): string {
  const seeds = results.provenance.seeds.length;
  return seeds > 1 ? `mean over ${seeds} seeds with 95% confidence intervals` : 'one seed';
}

function valueText(metric: MetricName, mean: number, ci95: [number, number] | null): string {
  const text = formatShown(metric, mean);
  return ci95 === null
    ? text
    : `${text} (95% CI ${formatShown(metric, ci95[0])} to ${formatShown(metric, ci95[1])})`;
}

/**
 * One metric for every run: bars (or points with intervals, for metrics not drawn from zero) per
 * model in a comparison; the metric against batch size or against width and depth in a sweep.
 */
export function metricChart(results: Results, metric: MetricName): Chart {
  const kind = experimentKind(results);
  const id = `${results.experiment.id}-${metric}`;
  const display = METRICS[metric];
  const rows = results.runs.map((run) => {
    const { mean, ci95 } = shownValue(run, metric);
    return {
      key: run.key,
      label: runLabel(results, run),
      model: run.label,
      batchSize: run.batchSize,
      mean,
      low: ci95?.[0] ?? mean,
      high: ci95?.[1] ?? mean,
      hasCi: ci95 !== null,
      text: formatShown(metric, mean),
      long: valueText(metric, mean, ci95),
    };
  });
  const anyCi = rows.some((row) => row.hasCi);
  const base = {
    $schema: SCHEMA,
    config: CHART_CONFIG,
  };
  const against =
    kind === 'batch-sweep' ? ' against batch size' : kind === 'architecture-sweep' ? ' by MLP shape' : '';
  const title = `${display.name}${against}: ${results.experiment.title}`;
  const description = `${display.name} per run (${display.better} is better; ${
    anyCi ? seedsNote(results) : 'one value per run'
  }): ${rows.map((row) => `${row.label} ${row.long}`).join('; ')}.`;

  if (kind === 'batch-sweep') {
    const labels = modelLabels(results);
    const batchSizes = [...new Set(rows.map((row) => row.batchSize))].sort((a, b) => a - b);
    const x = {
      field: 'batchSize',
      type: 'quantitative' as const,
      title: 'Batch size (log scale)',
      scale: {
        type: 'log' as const,
        base: 2,
        domain: [batchSizes[0]!, batchSizes.at(-1)!],
        nice: false,
        padding: 16,
      },
      axis: { values: batchSizes, format: 'd', grid: false },
    };
    const y = {
      field: 'mean',
      type: 'quantitative' as const,
      title: metricTitle(metric),
      scale: { zero: display.zero },
      axis: { format: '~s' },
    };
    const color = { field: 'model', type: 'nominal' as const, title: null, scale: colourScale(labels) };
    return {
      id,
      title,
      description,
      spec: {
        ...base,
        width: PLOT_WIDTH,
        height: 220,
        data: { values: rows },
        encoding: { x, color },
        layer: [
          { mark: { type: 'line' as const, strokeWidth: 2 }, encoding: { y } },
          { mark: { type: 'point' as const, filled: true, size: 50 }, encoding: { y } },
          ...(anyCi
            ? [
                {
                  mark: { type: 'rule' as const, strokeWidth: 1.5 },
                  encoding: { y: { ...y, field: 'low' }, y2: { field: 'high' } },
                },
              ]
            : []),
        ],
      },
    };
  }

  if (kind === 'architecture-sweep') {
    const shaped = results.runs.map((run, i) => ({ ...rows[i]!, widths: hiddenWidths(run)! }));
    const deepWidths = new Set(shaped.filter((row) => row.widths.length > 1).map((row) => row.widths[0]!));
    const byWidth = shaped
      .filter((row) => row.widths.length === 1)
      .map((row) => ({ ...row, x: row.widths[0]! }));
    const byDepth = shaped
      .filter((row) => deepWidths.has(row.widths[0]!))
      .map((row) => ({ ...row, x: row.widths.length }));
    const depthWidth = [...deepWidths][0];
    const panel = (values: typeof byWidth, xTitle: string, log: boolean) => {
      const xs = [...new Set(values.map((row) => row.x))].sort((a, b) => a - b);
      const y = {
        field: 'mean',
        type: 'quantitative' as const,
        title: metricTitle(metric),
        scale: { zero: display.zero },
        axis: { format: '~s' },
      };
      return {
        width: byDepth.length > 0 ? 170 : PLOT_WIDTH,
        height: 200,
        data: { values },
        encoding: {
          x: {
            field: 'x',
            type: 'quantitative' as const,
            title: xTitle,
            scale: log
              ? { type: 'log' as const, base: 2, domain: [xs[0]!, xs.at(-1)!], nice: false, padding: 16 }
              : { domain: [xs[0]!, xs.at(-1)!], nice: false, padding: 16 },
            // Explicit tick values only on the log scale: on a linear one vega drops some of them (tickMinStep).
            axis: log
              ? { values: xs, format: 'd', grid: false }
              : { format: 'd', tickMinStep: 1, grid: false },
          },
        },
        layer: [
          { mark: { type: 'line' as const, strokeWidth: 2, color: PALETTE[0] }, encoding: { y } },
          { mark: { type: 'point' as const, filled: true, size: 50, color: PALETTE[0] }, encoding: { y } },
          ...(anyCi
            ? [
                {
                  mark: { type: 'rule' as const, strokeWidth: 1.5, color: PALETTE[0] },
                  encoding: { y: { ...y, field: 'low' }, y2: { field: 'high' } },
                },
              ]
            : []),
        ],
      };
    };
    const panels = [panel(byWidth, 'Units in the hidden layer', true)];
    if (byDepth.length > 0) panels.push(panel(byDepth, `Hidden layers of ${depthWidth} units`, false));
    return {
      id,
      title,
      description,
      spec: { ...base, hconcat: panels, resolve: { scale: { y: 'shared' } } },
    };
  }

  const labels = rows.map((row) => row.label);
  const x = {
    field: 'mean',
    type: 'quantitative' as const,
    title: metricTitle(metric),
    scale: { zero: display.zero },
    axis: { format: '~s', tickCount: 6 },
  };
  const y = { field: 'label', type: 'nominal' as const, title: null, sort: null };
  return {
    id,
    title,
    description,
    spec: {
      ...base,
      width: PLOT_WIDTH,
      height: { step: 40 },
      data: { values: rows },
      encoding: {
        y,
        color: { field: 'label', type: 'nominal' as const, legend: null, scale: colourScale(labels) },
      },
      layer: [
        display.zero
          ? { mark: { type: 'bar' as const, height: { band: 0.6 } }, encoding: { x } }
          : { mark: { type: 'point' as const, filled: true, size: 90 }, encoding: { x } },
        ...(anyCi
          ? [
              {
                mark: { type: 'rule' as const, strokeWidth: 2, color: TEXT_COLOUR },
                encoding: { x: { ...x, field: 'low' }, x2: { field: 'high' } },
              },
            ]
          : []),
        {
          mark: { type: 'text' as const, align: 'left' as const, baseline: 'middle' as const, dx: 6 },
          encoding: { x: { ...x, field: 'high' }, text: { field: 'text' }, color: { value: TEXT_COLOUR } },
        },
      ],
    },
  };
}

/** Training and validation loss and accuracy per epoch, one colour per run, averaged over seeds. */
export function trainingCurvesChart(results: Results): Chart {
  const labels = results.runs.map((run) => runLabel(results, run));
  const rows = results.runs.flatMap((run) => {
    const label = runLabel(results, run);
    const epochs = run.trials[0]!.epochs.map((e) => e.epoch);
    const mean = (epoch: number, field: 'trainLoss' | 'valLoss' | 'trainAccuracy' | 'valAccuracy') => {
      const values = run.trials.map((trial) => trial.epochs.find((e) => e.epoch === epoch)?.[field] ?? NaN);
      return values.reduce((a, b) => a + b, 0) / values.length;
    };
    return epochs.flatMap((epoch) => [
      { label, epoch, split: 'Training', measure: 'Loss', value: mean(epoch, 'trainLoss') },
      { label, epoch, split: 'Validation', measure: 'Loss', value: mean(epoch, 'valLoss') },
      { label, epoch, split: 'Training', measure: 'Accuracy (%)', value: 100 * mean(epoch, 'trainAccuracy') },
      { label, epoch, split: 'Validation', measure: 'Accuracy (%)', value: 100 * mean(epoch, 'valAccuracy') },
    ]);
  });
  const epochCount = Math.max(...results.runs.map((run) => run.trials[0]!.epochs.length));
  const number = new Intl.NumberFormat('en', { maximumSignificantDigits: 3 });
  const last = (label: string, split: string, measure: string) =>
    rows.filter((r) => r.label === label && r.split === split && r.measure === measure).at(-1)?.value ?? NaN;
  const description =
    `Training and validation loss and accuracy after each of ${epochCount} epochs ` +
    `(${results.provenance.seeds.length > 1 ? `mean over ${results.provenance.seeds.length} seeds` : 'one seed'}). ` +
    `After the last epoch: ${labels
      .map(
        (label) =>
          `${label} training loss ${number.format(last(label, 'Training', 'Loss'))}, validation loss ${number.format(
            last(label, 'Validation', 'Loss'),
          )}, validation accuracy ${number.format(last(label, 'Validation', 'Accuracy (%)'))}%`,
      )
      .join('; ')}.`;
  const panel = (measure: string) => ({
    width: PLOT_WIDTH,
    height: 170,
    transform: [{ filter: { field: 'measure', equal: measure } }],
    encoding: {
      x: {
        field: 'epoch',
        type: 'quantitative' as const,
        title: 'Epoch',
        scale: { domain: [1, epochCount], nice: false },
        axis: { tickMinStep: 1, format: 'd', grid: false },
      },
      y: { field: 'value', type: 'quantitative' as const, title: measure, scale: { zero: false } },
      color: {
        field: 'label',
        type: 'nominal' as const,
        title: null,
        scale: colourScale(labels),
        legend: {
          columns: labels.length > 4 ? 2 : labels.length,
          orient: 'top' as const,
          direction: 'horizontal' as const,
        },
      },
    },
    layer: [
      {
        mark: { type: 'line' as const, strokeWidth: 2 },
        encoding: {
          strokeDash: {
            field: 'split',
            type: 'nominal' as const,
            title: null,
            scale: {
              domain: ['Training', 'Validation'],
              range: [
                [1, 0],
                [5, 3],
              ],
            },
            legend: {
              symbolType: 'stroke' as const,
              symbolStrokeColor: TEXT_COLOUR,
              symbolSize: 400,
              symbolStrokeWidth: 2,
            },
          },
        },
      },
      { mark: { type: 'point' as const, filled: true, size: 30 } },
    ],
  });
  return {
    id: `${results.experiment.id}-training-curves`,
    title: `Training curves: ${results.experiment.title}`,
    description,
    spec: {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      data: { values: rows },
      vconcat: [panel('Loss'), panel('Accuracy (%)')],
    },
  };
}

/** Accuracy against median single-image latency, one labelled point per run. */
export function tradeoffChart(results: Results): Chart {
  const sweep = experimentKind(results) === 'batch-sweep';
  const rows = results.runs.map((run) => {
    const latency = shownValue(run, 'latencyP50Us');
    const accuracy = shownValue(run, 'accuracy');
    return {
      label: runLabel(results, run),
      // In a batch sweep the colour names the model, so a point needs only its batch size.
      pointLabel: sweep ? String(run.batchSize) : run.label,
      batchSize: run.batchSize,
      model: run.label,
      latency: latency.mean,
      latencyLow: latency.ci95?.[0] ?? latency.mean,
      latencyHigh: latency.ci95?.[1] ?? latency.mean,
      accuracy: accuracy.mean,
      accuracyLow: accuracy.ci95?.[0] ?? accuracy.mean,
      accuracyHigh: accuracy.ci95?.[1] ?? accuracy.mean,
      hasCi: latency.ci95 !== null,
    };
  });
  const anyCi = rows.some((row) => row.hasCi);
  const x = {
    field: 'latency',
    type: 'quantitative' as const,
    title: metricTitle('latencyP50Us'),
    scale: { zero: false, nice: true },
  };
  const y = {
    field: 'accuracy',
    type: 'quantitative' as const,
    title: metricTitle('accuracy'),
    scale: { zero: false, nice: true },
  };
  const models = modelLabels(results);
  const color = {
    field: 'model',
    type: 'nominal' as const,
    title: null,
    scale: colourScale(models),
    legend: sweep ? {} : null,
  };
  return {
    id: `${results.experiment.id}-tradeoff`,
    title: `Accuracy against latency: ${results.experiment.title}`,
    description:
      `Test accuracy against median single-image latency per run (up and to the left is better; ` +
      (sweep ? 'labels give the batch size; ' : '') +
      `${anyCi ? seedsNote(results) : 'one seed'}): ${rows
        .map(
          (row) =>
            `${row.label} ${formatShown('accuracy', row.accuracy)} at ${formatShown('latencyP50Us', row.latency)}`,
        )
        .join('; ')}.`,
    spec: {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      width: PLOT_WIDTH,
      height: 260,
      data: { values: rows },
      encoding: { x, y, color },
      layer: [
        ...(anyCi
          ? [
              {
                mark: { type: 'rule' as const },
                encoding: { x: { ...x, field: 'latencyLow' }, x2: { field: 'latencyHigh' } },
              },
              {
                mark: { type: 'rule' as const },
                encoding: { y: { ...y, field: 'accuracyLow' }, y2: { field: 'accuracyHigh' } },
              },
            ]
          : []),
        ...(sweep
          ? [
              {
                mark: { type: 'line' as const, strokeWidth: 1.5 },
                encoding: { order: { field: 'batchSize' } },
              },
            ]
          : []),
        { mark: { type: 'point' as const, filled: true, size: 80 } },
        {
          mark: { type: 'text' as const, align: 'left' as const, baseline: 'bottom' as const, dx: 5, dy: -5 },
          encoding: { text: { field: 'pointLabel' }, color: { value: TEXT_COLOUR } },
        },
      ],
    },
  };
}

/** A run's first-seed confusion matrix: counts per (true, predicted) digit, errors coloured. */
export function confusionChart(results: Results, run: Run): Chart {
  const { confusion, correct, total } = run.trials[0]!.test;
  const rows = confusion.flatMap((row, truth) =>
    row.map((count, predicted) => ({
      truth: String(truth),
      predicted: String(predicted),
      count,
      error: truth === predicted ? null : count,
    })),
  );
  const errors = rows.filter((row) => row.error !== null && row.count > 0).sort((a, b) => b.count - a.count);
  const maxError = Math.max(1, ...errors.map((row) => row.count));
  const digits = Array.from({ length: confusion.length }, (_, i) => String(i));
  const label = runLabel(results, run);
  const number = new Intl.NumberFormat('en');
  const top = errors.slice(0, 5).map((row) => `true ${row.truth} predicted ${row.predicted} (${row.count})`);
  return {
    id: `${results.experiment.id}-confusion-${run.key}`,
    title: `Confusion matrix of ${label}: ${results.experiment.title}`,
    description:
      `Test images of ${label} (seed ${run.trials[0]!.seed}) by true digit (rows) and predicted digit (columns): ` +
      `${number.format(correct)} of ${number.format(total)} on the diagonal (correct). ` +
      (top.length > 0 ? `Most frequent mistakes: ${top.join(', ')}.` : 'No mistakes.'),
    spec: {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      width: 30 * digits.length,
      height: 30 * digits.length,
      data: { values: rows },
      encoding: {
        x: {
          field: 'predicted',
          type: 'ordinal' as const,
          title: 'Predicted digit',
          sort: digits,
          axis: { orient: 'top' as const, labelAngle: 0, ticks: false, domain: false },
        },
        y: {
          field: 'truth',
          type: 'ordinal' as const,
          title: 'True digit',
          sort: digits,
          axis: { ticks: false, domain: false },
        },
      },
      layer: [
        {
          mark: { type: 'rect' as const, stroke: 'white', strokeWidth: 1 },
          encoding: {
            color: {
              condition: [
                { test: 'datum.error === null', value: '#d9d9d9' },
                { test: 'datum.count === 0', value: '#f7f7f7' },
              ],
              field: 'error',
              type: 'quantitative' as const,
              scale: { scheme: 'oranges', domain: [0, maxError] },
              legend: null,
            },
          },
        },
        {
          mark: { type: 'text' as const, fontSize: 10, baseline: 'middle' as const },
          transform: [{ filter: 'datum.count > 0' }],
          encoding: {
            text: { field: 'count', type: 'quantitative' as const, format: 'd' },
            color: {
              condition: { test: `datum.error !== null && datum.error > ${maxError * 0.55}`, value: 'white' },
              value: TEXT_COLOUR,
            },
          },
        },
      ],
    },
  };
}
