/**
 * The charts' Eleventy plugin: shortcodes that draw the page's experiment (front matter
 * `experiment`) as inline SVG at build time, and galleries of misclassified digits.
 *
 *   {% chart "accuracy" %}                 one metric: bars per model (comparisons) or against batch size / width and depth (sweeps)
 *   {% trainingCurves %}                   training and validation loss and accuracy per epoch
 *   {% learningCurves %}                   training and validation accuracy per epoch: seed bands, the original's figures, the plateau
 *   {% tradeoffChart %}                    accuracy against median latency
 *   {% confusionMatrix "lenet5" %}         a run's confusion matrix (first seed)
 *   {% misclassifiedGallery "lenet5" %}    the test digits a run got wrong (first seed)
 *   {% seedDistributions "mlp1" %}         a model's per-seed accuracies, this project's and PyTorch's (its verdict)
 */
import type { EleventyConfig } from '../eleventy.ts';
import { escapeHtml, pageExperiment, pageVerdict, pageWhere, type ShortcodeThis } from '../page.ts';
import { checkMetric, getRun } from '../results.ts';
import type { ShortcodeSpecs } from '../shortcodes.ts';
import { galleryHtml } from './digits.ts';
import { co2Text, createChartRenderer, type ChartRenderer } from './render.ts';
import { metricChart } from './metric-chart.ts';
import { learningCurvesChart } from './learning-curves.ts';
import { confusionChart, tradeoffChart, trainingCurvesChart } from './run-charts.ts';
import { seedDistributionsChart } from './seed-chart.ts';
import { LAYOUTS, runLabel, type Chart, type Layout } from './specs.ts';

/** The charts' shortcodes and the kind of each argument, for the site's build-time checker. */
export const CHART_SHORTCODES = {
  chart: ['metric'],
  trainingCurves: [],
  learningCurves: [],
  tradeoffChart: [],
  confusionMatrix: ['run'],
  misclassifiedGallery: ['run'],
  seedDistributions: ['verdictModel'],
} as const satisfies ShortcodeSpecs;

/**
 * A chart in a figure with its title as the visible caption: drawn once per layout, each SVG in
 * its own box that the stylesheet shows at the widths it was drawn for (`.chart-wide`,
 * `.chart-narrow`). The narrow SVG's ids end in `-narrow`.
 */
async function figure(render: ChartRenderer, build: (layout: Layout) => Chart): Promise<string> {
  const charts = LAYOUTS.map((layout) => {
    const chart = build(layout);
    return { layout, chart: layout === 'wide' ? chart : { ...chart, id: `${chart.id}-${layout}` } };
  });
  const svgs = await Promise.all(charts.map(({ chart }) => render(chart)));
  const boxes = charts.map(({ layout }, i) => `<div class="chart-${layout}">${svgs[i]}</div>`);
  const { title, caption } = charts[0]!.chart;
  const note =
    caption === undefined ? '' : `. <span class="chart-caption">${escapeHtml(co2Text(caption))}</span>`;
  return `<figure class="chart">${boxes.join('')}<figcaption>${escapeHtml(co2Text(title))}${note}</figcaption></figure>`;
}

export default function charts(eleventyConfig: EleventyConfig): void {
  // One renderer per configuration: its cache lives as long as the build (and across watch rebuilds).
  const render = createChartRenderer();

  eleventyConfig.addShortcode('chart', async function (this: ShortcodeThis, metric: string) {
    const experiment = pageExperiment(this);
    const name = checkMetric(metric, pageWhere(this));
    return figure(render, (layout) => metricChart(experiment, name, layout));
  });

  eleventyConfig.addShortcode('trainingCurves', async function (this: ShortcodeThis) {
    const experiment = pageExperiment(this);
    return figure(render, (layout) => trainingCurvesChart(experiment, layout));
  });

  eleventyConfig.addShortcode('learningCurves', async function (this: ShortcodeThis) {
    const experiment = pageExperiment(this);
    return figure(render, (layout) => learningCurvesChart(experiment, layout));
  });

  eleventyConfig.addShortcode('tradeoffChart', async function (this: ShortcodeThis) {
    const experiment = pageExperiment(this);
    return figure(render, (layout) => tradeoffChart(experiment, layout));
  });

  eleventyConfig.addShortcode('confusionMatrix', async function (this: ShortcodeThis, runKey: string) {
    const experiment = pageExperiment(this);
    const run = getRun(experiment, runKey, pageWhere(this));
    return figure(render, (layout) => confusionChart(experiment, run, layout));
  });

  eleventyConfig.addShortcode('seedDistributions', async function (this: ShortcodeThis, model: string) {
    const verdict = pageVerdict(this, model);
    return figure(render, (layout) => seedDistributionsChart(verdict, layout));
  });

  eleventyConfig.addShortcode('misclassifiedGallery', async function (this: ShortcodeThis, runKey: string) {
    const experiment = pageExperiment(this);
    const run = getRun(experiment, runKey, pageWhere(this));
    return galleryHtml(experiment, run, runLabel(experiment, run));
  });
}
