/**
 * The chart of one metric over an experiment's runs: bars per model in a comparison, the metric
 * against batch size or against width and depth in a sweep.
 */
import type { MetricName, Results } from '../../experiments/lib/contract/results.ts';
import { metricName, metricTitle, METRICS, shownValue, valueText } from './metrics.ts';
import {
  CHART_CONFIG,
  DESCRIPTION,
  PALETTE,
  SCHEMA,
  SIZES,
  TEXT_COLOUR,
  axisFormat,
  colourScale,
  dataMark,
  experimentKind,
  hiddenWidths,
  modelLabel,
  modelLabels,
  plainDigits,
  runLabel,
  seedsNote,
  type Chart,
  type Layout,
} from './specs.ts';

/**
 * One metric for every run: bars (or points with intervals, for metrics not drawn from zero) per
 * model in a comparison; the metric against batch size or against width and depth in a sweep.
 */
export function metricChart(results: Results, metric: MetricName, layout: Layout = 'wide'): Chart {
  const size = SIZES[layout];
  const kind = experimentKind(results);
  const id = `${results.experiment.id}-${metric}`;
  const display = METRICS[metric];
  const rows = results.runs.map((run) => {
    const { mean, ci95 } = shownValue(run, metric);
    const label = runLabel(results, run);
    return {
      key: run.key,
      label,
      model: modelLabel(run),
      batchSize: run.batchSize,
      mean,
      low: ci95?.[0] ?? mean,
      high: ci95?.[1] ?? mean,
      hasCi: ci95 !== null,
      text: plainDigits(valueText(run, metric).short),
      long: valueText(run, metric).long,
      /** The mark's exact value, e.g. `MLP-1, batch 16: 21.3 s (95% CI 20.9–21.7 s)`. */
      description: `${label}: ${valueText(run, metric).long}`,
    };
  });
  const anyCi = rows.some((row) => row.hasCi);
  const base = {
    $schema: SCHEMA,
    config: CHART_CONFIG,
  };
  const against =
    kind === 'batch-sweep' ? ' against batch size' : kind === 'architecture-sweep' ? ' by MLP shape' : '';
  const title = `${metricName(metric)}${against}: ${results.experiment.title}`;
  const description = `${metricName(metric)} per run (${display.better} is better; ${
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
      axis: axisFormat(metric),
    };
    const color = { field: 'model', type: 'nominal' as const, title: null, scale: colourScale(labels) };
    return {
      id,
      title,
      description,
      spec: {
        ...base,
        width: size.plotWidth,
        height: size.plotHeight,
        data: { values: rows },
        encoding: { x, color },
        layer: [
          { mark: { type: 'line' as const, strokeWidth: 2 }, encoding: { y } },
          // Error bars under the points, so that a whole point takes the pointer (tooltips).
          ...(anyCi
            ? [
                {
                  mark: { type: 'rule' as const, strokeWidth: 1.5 },
                  encoding: { y: { ...y, field: 'low' }, y2: { field: 'high' } },
                },
              ]
            : []),
          {
            mark: { type: 'point' as const, filled: true, size: 50, ...dataMark('point') },
            encoding: { y, description: DESCRIPTION },
          },
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
    const panel = (values: typeof byWidth, xTitle: string, log: boolean, yTitle: string | null) => {
      const xs = [...new Set(values.map((row) => row.x))].sort((a, b) => a - b);
      const y = {
        field: 'mean',
        type: 'quantitative' as const,
        title: yTitle,
        scale: { zero: display.zero },
        axis: axisFormat(metric),
      };
      // Side by side on a wide screen (half the plot width each), one under the other on a narrow one.
      return {
        width: byDepth.length > 0 && layout === 'wide' ? (size.plotWidth - 40) / 2 : size.plotWidth,
        height: layout === 'wide' ? size.plotHeight : size.plotHeight * 0.8,
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
          // Error bars under the points, so that a whole point takes the pointer (tooltips).
          ...(anyCi
            ? [
                {
                  mark: { type: 'rule' as const, strokeWidth: 1.5, color: PALETTE[0] },
                  encoding: { y: { ...y, field: 'low' }, y2: { field: 'high' } },
                },
              ]
            : []),
          {
            mark: { type: 'point' as const, filled: true, size: 50, color: PALETTE[0], ...dataMark('point') },
            encoding: { y, description: DESCRIPTION },
          },
        ],
      };
    };
    const panels = [panel(byWidth, 'Units in the hidden layer', true, metricTitle(metric))];
    if (byDepth.length > 0)
      panels.push(
        panel(
          byDepth,
          `Hidden layers of ${depthWidth} units`,
          false,
          layout === 'wide' ? null : metricTitle(metric),
        ),
      );
    const concat = layout === 'wide' ? { hconcat: panels } : { vconcat: panels };
    return {
      id,
      title,
      description,
      spec: { ...base, ...concat, resolve: { scale: { y: 'shared' } } },
    };
  }

  const labels = rows.map((row) => row.label);
  // Room inside the plot, right of the longest bar or interval, for its value label: labels that
  // spilled past the plot would widen the chart beyond its layout.
  const low = Math.min(...rows.map((row) => row.low));
  const high = Math.max(...rows.map((row) => row.high));
  const span = display.zero ? high : high - low || Math.abs(high) || 1;
  const domain = display.zero ? [0, high + 0.35 * span] : [low - 0.15 * span, high + 0.6 * span];
  const x = {
    field: 'mean',
    type: 'quantitative' as const,
    title: metricTitle(metric),
    scale: { zero: display.zero, domain, nice: false },
    axis: { ...axisFormat(metric), tickCount: 5 },
  };
  const y = { field: 'label', type: 'nominal' as const, title: null, sort: null };
  const interval = anyCi
    ? [
        {
          mark: { type: 'rule' as const, strokeWidth: 2, color: TEXT_COLOUR },
          encoding: { x: { ...x, field: 'low' }, x2: { field: 'high' } },
        },
      ]
    : [];
  return {
    id,
    title,
    description,
    spec: {
      ...base,
      width: size.plotWidth,
      height: { step: 40 },
      data: { values: rows },
      encoding: {
        y,
        color: { field: 'label', type: 'nominal' as const, legend: null, scale: colourScale(labels) },
      },
      // Error bars over bars (they start inside them) but under points, so that a whole point
      // takes the pointer (tooltips). They are not data marks of their own: the value of a bar
      // or point gives its interval.
      layer: [
        ...(display.zero
          ? [
              {
                mark: { type: 'bar' as const, height: { band: 0.6 }, ...dataMark('bar') },
                encoding: { x, description: DESCRIPTION },
              },
              ...interval,
            ]
          : [
              ...interval,
              {
                mark: { type: 'point' as const, filled: true, size: 90, ...dataMark('point') },
                encoding: { x, description: DESCRIPTION },
              },
            ]),
        {
          mark: { type: 'text' as const, align: 'left' as const, baseline: 'middle' as const, dx: 6 },
          encoding: { x: { ...x, field: 'high' }, text: { field: 'text' }, color: { value: TEXT_COLOUR } },
        },
      ],
    },
  };
}
