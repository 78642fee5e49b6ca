/**
 * What every chart spec shares: the Chart type, the config (font, sizes, colours), and how an
 * experiment's runs relate. The spec builders (pure functions of a results file, no rendering)
 * are in metric-chart.ts and run-charts.ts.
 */
import type { Config, TopLevelSpec } from 'vega-lite';
import type { MetricName, Results, Run } from '../../experiments/lib/contract/results.ts';
import { METRICS } from './metrics.ts';
import { CHART_FONT_STACK } from './fonts.ts';

export interface Chart {
  /** Unique within a page and stable between builds, e.g. `mlp-vs-lenet-accuracy`; used for element ids. */
  id: string;
  title: string;
  /** How to read the chart, shown after the title in its caption, e.g. what a band or marker means. */
  caption?: string;
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

export const TEXT_COLOUR = '#222222';
const FONT_SIZE = 13;

/**
 * Shared chart config: the shipped font, sizes readable when scaled to a phone. ARIA is off for
 * axes, legends and every mark (`aria-hidden`); only the data marks that set `...dataMark()` are
 * exposed, each labelled with its exact value (see render.ts for the chart's own role).
 */
export const CHART_CONFIG: Config = {
  font: CHART_FONT_STACK,
  aria: false,
  mark: { aria: false },
  background: 'transparent',
  // Room below for the lowered 2 of CO₂e in a bottom axis title (render.ts subscriptCo2).
  padding: { left: 4, right: 4, top: 4, bottom: 8 },
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

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * Every chart is drawn twice, each at the width it is shown at so that its text keeps FONT_SIZE
 * (never a desktop SVG scaled down to a phone): `wide` for the 640 px text column, `narrow` for
 * phones (about 340 px; the stylesheet switches below 42rem, site/assets/style.css `.chart`).
 */
export type Layout = 'wide' | 'narrow';
export const LAYOUTS: Layout[] = ['wide', 'narrow'];

export interface ChartSize {
  /** Width of one plot, px (the axes, legend and labels come on top). */
  plotWidth: number;
  /** Height of one plot, px. */
  plotHeight: number;
  /** Width of one small multiple in a row of them, px. */
  facetWidth: number;
  /** Small multiples per row. */
  facetColumns: number;
}

export const SIZES: Record<Layout, ChartSize> = {
  wide: { plotWidth: 500, plotHeight: 240, facetWidth: 112, facetColumns: 4 },
  narrow: { plotWidth: 250, plotHeight: 200, facetWidth: 112, facetColumns: 2 },
};

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

/**
 * The model's name without a batch size the label may carry: a batch sweep's runs are labelled
 * `MLP-1 @ 16` in the results, and a chart colours by model. e.g. `MLP-1`
 */
export function modelLabel(run: Run): string {
  return run.label.replace(new RegExp(`\\s*@\\s*${run.batchSize}$`), '');
}

/** The run's label as the reader sees it: with the batch size in a batch sweep, e.g. `MLP-1, batch 16`. */
export function runLabel(results: Results, run: Run): string {
  return experimentKind(results) === 'batch-sweep' ? `${modelLabel(run)}, batch ${run.batchSize}` : run.label;
}

/** One label per model, in the order of the results (one colour each). */
export function modelLabels(results: Results): string[] {
  return [...new Set(results.runs.map(modelLabel))];
}

export function colourScale(domain: string[]): { domain: string[]; range: string[] } {
  return { domain, range: domain.map((_, i) => PALETTE[i % PALETTE.length]!) };
}

export function seedsNote(results: Results): string {
  const seeds = results.provenance.seeds.length;
  return seeds > 1 ? `mean over ${seeds} seeds with 95% confidence intervals` : 'one seed';
}

/**
 * Subscript digits as plain ones (`CO₂e` → `CO2e`) for text drawn in a chart: the shipped Latin
 * subset of the font has no subscripts, so the browser would draw them in another font than the
 * one measured.
 */
export function plainDigits(text: string): string {
  return text.replace(/[\u2080-\u2089]/g, (digit) => String(digit.charCodeAt(0) - 0x2080));
}

/**
 * Axis labels for a metric: counts with SI prefixes label by label (`0`, `200k`, `1.5M`; vega's
 * tick format would share one prefix and write `0k`), other units as plain numbers.
 */
export function axisFormat(metric: MetricName): { labelExpr: string } | { format: string } {
  return METRICS[metric].unit === '' && metric !== 'testLoss'
    ? { labelExpr: "format(datum.value, '~s')" }
    : { format: ',~f' };
}

/**
 * Mark properties of a data mark (a bar, point or heatmap cell) that carries its exact value:
 * vega writes `role="graphics-symbol"`, this role description and `aria-label` from the
 * DESCRIPTION encoding, which screen readers read and the chart tooltip script shows on hover.
 * e.g. `{ type: 'bar', ...dataMark('bar') }`
 */
export function dataMark(roleDescription: string): { aria: true; ariaRoleDescription: string } {
  return { aria: true, ariaRoleDescription: roleDescription };
}

/** The encoding of a data mark's label: the row's `description` field, e.g. `LeNet-5: 98.9% (95% CI 98.8–99.0%)`. */
export const DESCRIPTION = { field: 'description' } as const;
