/**
 * The learning-curve chart: training accuracy (top) and validation accuracy (bottom) after each
 * epoch, one colour per model; a line for the mean over seeds over a band from the lowest to the
 * highest seed, the original's printed figures as hollow diamonds, and on the validation curve a
 * triangle at the epoch where mean validation accuracy stops improving (learning-curves.ts).
 *
 * The band spans the seeds rather than a confidence interval of their mean: the question the
 * chart answers is whether the original's one run lies where a run of this project does.
 */
import type { Config } from 'vega-lite';
import type { Results, Run } from '../../experiments/lib/contract/results.ts';
import { formatDifference, formatPercent } from '../format.ts';
import { PLATEAU_TOLERANCE, epochSummaries, plateauEpoch, runEpochs } from '../learning-curves.ts';
import { ORIGINAL } from '../original.ts';
import {
  CHART_CONFIG,
  DESCRIPTION,
  SCHEMA,
  SIZES,
  TEXT_COLOUR,
  colourScale,
  dataMark,
  runLabel,
  type Chart,
  type Layout,
} from './specs.ts';

/**
 * Room between the colour legend and the marker legend that follows it on the same line: vega's
 * legend `layout`, which vega-lite passes through although its Config type leaves it out.
 */
const LEGEND_CONFIG = { ...CHART_CONFIG.legend, layout: { margin: 24 } } as unknown as Config['legend'];

type Split = 'Training' | 'Validation';
const SPLITS: readonly Split[] = ['Training', 'Validation'];
const FIELD = { Training: 'trainAccuracy', Validation: 'valAccuracy' } as const;

/** The two kinds of marker, as the legend names them. */
export const ORIGINAL_MARKER = 'Original, one run';
export const PLATEAU_MARKER = 'Stops improving';

/** How the chart is read, for its caption: what the lines, bands and markers are. */
export function learningCurvesCaption(results: Results): string {
  const seeds = results.provenance.seeds.length;
  const original = ORIGINAL[results.experiment.id]?.epochs;
  const printed =
    original === undefined
      ? []
      : [
          ...new Set(
            Object.values(original)
              .flat()
              .map((f) => f.epoch),
          ),
        ];
  const tolerance = formatDifference('accuracy', PLATEAU_TOLERANCE, 0);
  return [
    seeds > 1
      ? `Lines are the mean over ${seeds} seeds, bands run from the lowest to the highest seed.`
      : 'One seed.',
    printed.length > 0
      ? `Diamonds are the original's single run after epochs ${listText(printed.sort((a, b) => a - b))}.`
      : null,
    `Triangles mark where validation accuracy stops improving: the first epoch whose mean is within ${tolerance} of the best epoch's mean, so that no later epoch improves on it by more.`,
  ]
    .filter((sentence) => sentence !== null)
    .join(' ');
}

/** e.g. [1, 5, 10] → "1, 5 and 10" */
function listText(items: readonly (string | number)[]): string {
  const text = items.map(String);
  return text.length <= 1 ? (text[0] ?? '') : `${text.slice(0, -1).join(', ')} and ${text.at(-1)}`;
}

/** Training and validation accuracy per epoch for every run, with the original's figures and the plateau. */
export function learningCurvesChart(results: Results, layout: Layout = 'wide'): Chart {
  const size = SIZES[layout];
  const labels = results.runs.map((run) => runLabel(results, run));
  const printed = ORIGINAL[results.experiment.id]?.epochs ?? {};
  const epochs = [...new Set(results.runs.flatMap(runEpochs))].sort((a, b) => a - b);
  const seeds = results.provenance.seeds.length;

  const curves = results.runs.flatMap((run) => {
    const label = runLabel(results, run);
    return SPLITS.flatMap((split) =>
      epochSummaries(run, FIELD[split]).map((summary) => ({
        label,
        split,
        epoch: summary.epoch,
        mean: 100 * summary.mean,
        low: 100 * summary.min,
        high: 100 * summary.max,
        // e.g. `LeNet-5, validation accuracy after epoch 5: 98.4% (seeds 98.2–98.6%)`
        description:
          `${label}, ${split.toLowerCase()} accuracy after epoch ${summary.epoch}: ${formatPercent(summary.mean)}` +
          (summary.values.length > 1
            ? ` (mean of ${summary.values.length} seeds, lowest ${formatPercent(summary.min)}, highest ${formatPercent(summary.max)})`
            : ''),
      })),
    );
  });
  const originals = results.runs.flatMap((run) => {
    const label = runLabel(results, run);
    return (printed[run.key] ?? []).flatMap((figures) =>
      SPLITS.map((split) => ({
        label,
        split,
        epoch: figures.epoch,
        value: 100 * figures[FIELD[split]],
        marker: ORIGINAL_MARKER,
        description: `${label}, ${split.toLowerCase()} accuracy after epoch ${figures.epoch} in the original: ${formatPercent(figures[FIELD[split]])}`,
      })),
    );
  });
  const plateaus = results.runs.map((run) => plateauRow(results, run));

  const x = {
    field: 'epoch',
    type: 'quantitative' as const,
    title: 'Epoch',
    scale: { domain: [epochs[0]!, epochs.at(-1)!], nice: false, padding: 10 },
    axis: { values: epochs, format: 'd', grid: false },
  };
  const color = {
    field: 'label',
    type: 'nominal' as const,
    title: null,
    scale: colourScale(labels),
    // Solid symbols: merged from the layers, the legend would take the band's opacity.
    legend: {
      orient: 'top' as const,
      direction: 'horizontal' as const,
      symbolOpacity: 1,
      // A sweep's many runs in rows, so that the legend never widens the chart.
      columns: Math.min(labels.length, layout === 'wide' ? 4 : 2),
    },
  };
  const shape = {
    field: 'marker',
    type: 'nominal' as const,
    title: null,
    scale:
      originals.length > 0
        ? { domain: [ORIGINAL_MARKER, PLATEAU_MARKER], range: ['diamond', 'triangle-down'] }
        : { domain: [PLATEAU_MARKER], range: ['triangle-down'] },
    legend: {
      // Under the plots on a phone or after many runs: beside the colour legend it would widen the chart.
      orient: layout === 'wide' && labels.length <= 3 ? ('top' as const) : ('bottom' as const),
      direction: 'horizontal' as const,
      symbolSize: 90,
      // Hollow and outlined, as drawn: vega-lite would give a shape legend whose colour another
      // legend explains a transparent outline (and ignores symbolStrokeColor).
      encoding: {
        symbols: {
          fill: { value: 'white' },
          stroke: { value: TEXT_COLOUR },
          strokeWidth: { value: 2 },
        },
      },
    },
  };
  const hollow = { filled: false, fill: 'white', fillOpacity: 1, strokeWidth: 2 };

  const height = layout === 'wide' ? 200 : 170;
  const panel = (split: Split) => {
    const only = { filter: { field: 'split', equal: split } };
    const y = {
      field: 'mean',
      type: 'quantitative' as const,
      title: `${split} accuracy, %`,
      // Padded, so that a marker on the lowest or highest value clears the axis.
      scale: { zero: false, nice: true, padding: 8 },
    };
    return {
      width: size.plotWidth,
      height,
      encoding: { x, color },
      layer: [
        ...(seeds > 1
          ? [
              {
                data: { values: curves },
                transform: [only],
                mark: { type: 'area' as const, opacity: 0.18 },
                encoding: { y: { ...y, field: 'low' }, y2: { field: 'high' } },
              },
            ]
          : []),
        {
          data: { values: curves },
          transform: [only],
          mark: { type: 'line' as const, strokeWidth: 2 },
          encoding: { y },
        },
        {
          data: { values: curves },
          transform: [only],
          mark: { type: 'point' as const, filled: true, size: 30, ...dataMark('point') },
          encoding: { y, description: DESCRIPTION },
        },
        ...(originals.length > 0
          ? [
              {
                data: { values: originals },
                transform: [only],
                mark: { type: 'point' as const, size: 90, ...hollow, ...dataMark('point') },
                encoding: { y: { ...y, field: 'value' }, shape, description: DESCRIPTION },
              },
            ]
          : []),
        ...(split === 'Validation'
          ? [
              {
                data: { values: plateaus },
                // Above its point, pointing down at it.
                mark: { type: 'point' as const, size: 110, yOffset: -13, ...hollow, ...dataMark('point') },
                encoding: { y: { ...y, field: 'value' }, shape, description: DESCRIPTION },
              },
            ]
          : []),
      ],
    };
  };

  return {
    id: `${results.experiment.id}-learning-curves`,
    title: `Learning curves: ${results.experiment.title}`,
    caption: learningCurvesCaption(results),
    description: describe(results, curves, originals, plateaus, seeds),
    spec: {
      $schema: SCHEMA,
      config: { ...CHART_CONFIG, legend: LEGEND_CONFIG },
      vconcat: SPLITS.map(panel),
      resolve: { scale: { y: 'independent' } },
    },
  };
}

/** The triangle of one run: its plateau epoch on its mean validation curve. */
function plateauRow(results: Results, run: Run) {
  const label = runLabel(results, run);
  const epoch = plateauEpoch(run);
  const summary = epochSummaries(run, 'valAccuracy').find((s) => s.epoch === epoch)!;
  return {
    label,
    split: 'Validation' as const,
    epoch,
    value: 100 * summary.mean,
    marker: PLATEAU_MARKER,
    description: `${label}: validation accuracy stops improving after epoch ${epoch}, at ${formatPercent(summary.mean)}`,
  };
}

/** The chart's text alternative: each run's curves at the first and last epoch, its plateau and the original's figures. */
function describe(
  results: Results,
  curves: { label: string; split: Split; epoch: number; mean: number; low: number; high: number }[],
  originals: { label: string; split: Split; epoch: number; value: number }[],
  plateaus: { label: string; epoch: number }[],
  seeds: number,
): string {
  const percent = (value: number) => formatPercent(value / 100);
  const runs = results.runs.map((run) => {
    const label = runLabel(results, run);
    const parts = SPLITS.map((split) => {
      const own = curves.filter((c) => c.label === label && c.split === split);
      const first = own[0]!;
      const last = own.at(-1)!;
      const theirs = originals.filter((o) => o.label === label && o.split === split);
      return (
        `${split.toLowerCase()} accuracy ${percent(first.mean)} after epoch ${first.epoch} and ${percent(last.mean)} after epoch ${last.epoch}` +
        (theirs.length > 0
          ? ` (original: ${theirs.map((o) => `${percent(o.value)} after epoch ${o.epoch}`).join(', ')})`
          : '')
      );
    });
    const plateau = plateaus.find((p) => p.label === label)!;
    return `${label}: ${parts.join('; ')}; validation accuracy stops improving after epoch ${plateau.epoch}`;
  });
  return (
    `Training and validation accuracy after each epoch (${seeds > 1 ? `mean over ${seeds} seeds, with the range of the seeds as a band` : 'one seed'}). ` +
    `${runs.join('. ')}.`
  );
}
