/**
 * Charts of how the runs trained and what they got wrong: training curves, the accuracy-latency
 * trade-off and confusion matrices.
 */
import type { Results, Run } from '../../experiments/lib/contract/results.ts';
import { formatMetric, formatPercent, significant } from '../format.ts';
import { metricTitle, shownValue, valueText } from './metrics.ts';
import {
  CHART_CONFIG,
  DESCRIPTION,
  SCHEMA,
  SIZES,
  TEXT_COLOUR,
  colourScale,
  dataMark,
  experimentKind,
  modelLabel,
  modelLabels,
  runLabel,
  seedsNote,
  type Chart,
  type Layout,
} from './specs.ts';

/**
 * Training and validation loss and accuracy per epoch, averaged over seeds: one colour per run, or
 * in a batch sweep one colour per model and a small multiple per batch size.
 */
export function trainingCurvesChart(results: Results, layout: Layout = 'wide'): Chart {
  const size = SIZES[layout];
  const sweep = experimentKind(results) === 'batch-sweep';
  const labels = results.runs.map((run) => runLabel(results, run));
  const colours = sweep ? modelLabels(results) : labels;
  const batchLabels = [...new Set(results.runs.map((run) => run.batchSize))]
    .sort((a, b) => a - b)
    .map((batch) => `Batch ${batch}`);
  const rows = results.runs.flatMap((run) => {
    const label = runLabel(results, run);
    const epochs = run.trials[0]!.epochs.map((e) => e.epoch);
    const mean = (epoch: number, field: 'trainLoss' | 'valLoss' | 'trainAccuracy' | 'valAccuracy') => {
      const values = run.trials.map((trial) => trial.epochs.find((e) => e.epoch === epoch)?.[field] ?? NaN);
      return values.reduce((a, b) => a + b, 0) / values.length;
    };
    // e.g. `LeNet-5, validation loss after epoch 2: 0.0512`
    const row = (epoch: number, split: 'Training' | 'Validation', measure: 'Loss' | 'Accuracy, %') => {
      const loss = measure === 'Loss';
      const measured = mean(epoch, `${split === 'Training' ? 'train' : 'val'}${loss ? 'Loss' : 'Accuracy'}`);
      const text = loss ? significant(measured) : formatPercent(measured);
      return {
        label,
        model: modelLabel(run),
        batch: `Batch ${run.batchSize}`,
        epoch,
        split,
        measure,
        value: loss ? measured : 100 * measured,
        description: `${label}, ${split.toLowerCase()} ${loss ? 'loss' : 'accuracy'} after epoch ${epoch}: ${text}`,
      };
    };
    return epochs.flatMap((epoch) => [
      row(epoch, 'Training', 'Loss'),
      row(epoch, 'Validation', 'Loss'),
      row(epoch, 'Training', 'Accuracy, %'),
      row(epoch, 'Validation', 'Accuracy, %'),
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
          )}, validation accuracy ${number.format(last(label, 'Validation', 'Accuracy, %'))}%`,
      )
      .join('; ')}.`;
  const legendColumns = Math.min(colours.length, layout === 'wide' ? 4 : 3);
  const cell = (measure: string) => ({
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
        field: sweep ? 'model' : 'label',
        type: 'nominal' as const,
        title: null,
        scale: colourScale(colours),
        legend: { columns: legendColumns, orient: 'top' as const, direction: 'horizontal' as const },
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
            // On a phone under the plots: beside the colour legend it would widen the chart.
            legend: {
              orient: layout === 'wide' ? ('top' as const) : ('bottom' as const),
              symbolType: 'stroke' as const,
              symbolStrokeColor: TEXT_COLOUR,
              symbolSize: 400,
              symbolStrokeWidth: 2,
            },
          },
        },
      },
      {
        mark: { type: 'point' as const, filled: true, size: 30, ...dataMark('point') },
        encoding: { description: DESCRIPTION },
      },
    ],
  });
  const height = layout === 'wide' ? 170 : 150;
  const panel = (measure: string) => {
    const transform = [{ filter: { field: 'measure', equal: measure } }];
    if (!sweep) return { width: size.plotWidth, height, transform, ...cell(measure) };
    return {
      transform,
      facet: {
        field: 'batch',
        type: 'ordinal' as const,
        sort: batchLabels,
        title: null,
        header: { labelFontSize: 13, labelFontWeight: 'bold' as const },
      },
      columns: size.facetColumns,
      spec: { width: size.facetWidth, height: height * 0.8, ...cell(measure) },
    };
  };
  return {
    id: `${results.experiment.id}-training-curves`,
    title: `Training curves: ${results.experiment.title}`,
    description,
    spec: {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      data: { values: rows },
      vconcat: [panel('Loss'), panel('Accuracy, %')],
    },
  };
}

/** Accuracy against median single-image latency, one labelled point per run. */
export function tradeoffChart(results: Results, layout: Layout = 'wide'): Chart {
  const size = SIZES[layout];
  const sweep = experimentKind(results) === 'batch-sweep';
  const batchSizes = results.runs.map((run) => run.batchSize);
  const ends = new Set([Math.min(...batchSizes), Math.max(...batchSizes)]);
  const rows = results.runs.map((run) => {
    const latency = shownValue(run, 'latencyP50Us');
    const accuracy = shownValue(run, 'accuracy');
    return {
      label: runLabel(results, run),
      // In a batch sweep the colour names the model and a line joins its batch sizes in order, so
      // only the ends are labelled: labels on the close middle points would overlap.
      pointLabel: !sweep ? run.label : ends.has(run.batchSize) ? `batch ${run.batchSize}` : '',
      batchSize: run.batchSize,
      model: modelLabel(run),
      latency: latency.mean,
      latencyLow: latency.ci95?.[0] ?? latency.mean,
      latencyHigh: latency.ci95?.[1] ?? latency.mean,
      accuracy: accuracy.mean,
      accuracyLow: accuracy.ci95?.[0] ?? accuracy.mean,
      accuracyHigh: accuracy.ci95?.[1] ?? accuracy.mean,
      hasCi: latency.ci95 !== null,
      // e.g. `LeNet-5: 98.9% (95% CI 98.8–99.0%) at 412 µs (95% CI 398–431 µs)`
      description: `${runLabel(results, run)}: ${valueText(run, 'accuracy').long} at ${
        valueText(run, 'latencyP50Us').long
      }`,
    };
  });
  const anyCi = rows.some((row) => row.hasCi);
  const x = {
    field: 'latency',
    type: 'quantitative' as const,
    title: metricTitle('latencyP50Us'),
    scale: { zero: false, nice: true },
    axis: { tickCount: 6 },
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
      (sweep ? 'a line joins each model’s batch sizes in increasing order; ' : '') +
      `${anyCi ? seedsNote(results) : 'one seed'}): ${rows
        .map(
          (row) =>
            `${row.label} ${formatMetric('accuracy', row.accuracy / 100)} at ${formatMetric('latencyP50Us', row.latency)}`,
        )
        .join('; ')}.`,
    spec: {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      width: size.plotWidth,
      height: layout === 'wide' ? 280 : 240,
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
        {
          mark: { type: 'point' as const, filled: true, size: 80, ...dataMark('point') },
          encoding: { description: DESCRIPTION },
        },
        {
          mark: { type: 'text' as const, align: 'left' as const, baseline: 'bottom' as const, dx: 5, dy: -5 },
          encoding: { text: { field: 'pointLabel' }, color: { value: TEXT_COLOUR } },
        },
      ],
    },
  };
}

/** A run's first-seed confusion matrix: counts per (true, predicted) digit, errors coloured. */
export function confusionChart(results: Results, run: Run, layout: Layout = 'wide'): Chart {
  /** Side of a cell, px: room for a four-digit count at 11 px. */
  const cellPx = layout === 'wide' ? 34 : 29;
  const { confusion, correct, total } = run.trials[0]!.test;
  const number = new Intl.NumberFormat('en');
  const rows = confusion.flatMap((row, truth) =>
    row.map((count, predicted) => ({
      truth: String(truth),
      predicted: String(predicted),
      count,
      correct: truth === predicted,
      // e.g. `true 3, predicted 5: 12 images`, `true 3, predicted 3: 1,004 images (correct)`
      description:
        `true ${truth}, predicted ${predicted}: ${number.format(count)} ${count === 1 ? 'image' : 'images'}` +
        (truth === predicted ? ' (correct)' : ''),
      // Never null: vega-lite drops marks whose quantitative colour field is null (invalid: 'filter').
      error: truth === predicted ? 0 : count,
    })),
  );
  const errors = rows.filter((row) => !row.correct && row.count > 0).sort((a, b) => b.count - a.count);
  const maxError = Math.max(1, ...errors.map((row) => row.count));
  const digits = Array.from({ length: confusion.length }, (_, i) => String(i));
  const label = runLabel(results, run);
  const top = errors.slice(0, 5).map((row) => `true ${row.truth} predicted ${row.predicted} (${row.count})`);
  return {
    id: `${results.experiment.id}-confusion-${run.key}`,
    title: `Confusion matrix of ${label} on the ${number.format(total)} test images (seed ${run.trials[0]!.seed})`,
    description:
      `Test images of ${label} (seed ${run.trials[0]!.seed}) by true digit (rows) and predicted digit (columns): ` +
      `${number.format(correct)} of ${number.format(total)} on the diagonal (correct). ` +
      (top.length > 0 ? `Most frequent mistakes: ${top.join(', ')}.` : 'No mistakes.'),
    spec: {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      width: cellPx * digits.length,
      height: cellPx * digits.length,
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
          mark: { type: 'rect' as const, stroke: 'white', strokeWidth: 1, ...dataMark('cell') },
          encoding: {
            description: DESCRIPTION,
            color: {
              condition: [
                { test: 'datum.correct', value: '#d9d9d9' },
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
          mark: { type: 'text' as const, fontSize: 11, baseline: 'middle' as const },
          transform: [{ filter: 'datum.count > 0' }],
          encoding: {
            text: { field: 'count', type: 'quantitative' as const, format: 'd' },
            color: {
              condition: { test: `datum.error > ${maxError * 0.55}`, value: 'white' },
              value: TEXT_COLOUR,
            },
          },
        },
      ],
    },
  };
}
