import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { decode } from 'fast-png';
import * as fontkit from 'fontkit';
import type { Results } from '../../experiments/lib/contract/results.ts';
import { digitPng, galleryHtml, galleryItems } from '../../site/charts/digits.ts';
import { METRICS, METRIC_NAMES, metricTitle, shownValue, valueText } from '../../site/charts/metrics.ts';
import charts, { CHART_SHORTCODES } from '../../site/charts/plugin.ts';
import { accessibleSvg, co2Text, createChartRenderer, subscriptCo2 } from '../../site/charts/render.ts';
import { metricChart } from '../../site/charts/metric-chart.ts';
import {
  ORIGINAL_MARKER,
  PLATEAU_MARKER,
  learningCurvesCaption,
  learningCurvesChart,
} from '../../site/charts/learning-curves.ts';
import { confusionChart, tradeoffChart, trainingCurvesChart } from '../../site/charts/run-charts.ts';
import { SIZES, experimentKind, modelLabel, plainDigits, runLabel } from '../../site/charts/specs.ts';
import {
  CHART_FONT_FAMILY,
  FONTS_DIR,
  FONT_FILES,
  createTextMeasurer,
  truncate,
  vegaEstimateWidth,
} from '../../site/charts/text-metrics.ts';
import type { EleventyConfig } from '../../site/eleventy.ts';
import { ContentError } from '../../site/errors.ts';
import { formatInterval, formatMetric, formatPercent } from '../../site/format.ts';
import { plateauEpoch } from '../../site/learning-curves.ts';
import { makeResults } from '../fixtures/results-fixture.ts';

// Spec builders return deeply typed Vega-Lite specs; tests read them as plain JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const json = (value: unknown): Json => JSON.parse(JSON.stringify(value));

function openFont(file: string): fontkit.Font {
  const font = fontkit.openSync(path.join(FONTS_DIR, file));
  assert.ok('layout' in font);
  return font;
}

describe('chart text metrics', () => {
  const measure = createTextMeasurer();
  const label = 'Checkpoint size with optimizer state (MB)';

  it('measures a long label differently from vega’s estimate', () => {
    const measured = measure(label, { fontSize: 13 });
    const estimate = vegaEstimateWidth({ fontSize: 13 }, label);
    assert.equal(estimate, Math.floor(0.8 * label.length * 13));
    assert.ok(Math.abs(measured - estimate) / estimate > 0.15, `measured ${measured}, estimate ${estimate}`);
  });

  it('matches the sum of the font’s glyph advance widths plus kerning', () => {
    const font = openFont(FONT_FILES['400-normal']);
    const advances = font.glyphsForString(label).reduce((sum, glyph) => sum + glyph.advanceWidth, 0);
    const kerning = font.layout(label).positions.reduce((sum, p, i) => {
      return sum + p.xAdvance - font.layout(label).glyphs[i]!.advanceWidth;
    }, 0);
    const expected = ((advances + kerning) / font.unitsPerEm) * 13;
    assert.ok(Math.abs(measure(label, { fontSize: 13 }) - expected) < 0.01);
    // No kerning between repeated letters: exactly n advance widths.
    const i = font.glyphsForString('i')[0]!.advanceWidth;
    assert.equal(measure('iiiiiiii', { fontSize: 20 }), ((8 * i) / font.unitsPerEm) * 20);
  });

  it('uses the bold file for bold text', () => {
    assert.ok(measure(label, { fontSize: 13, fontWeight: 'bold' }) > measure(label, { fontSize: 13 }));
    assert.equal(
      measure(label, { fontSize: 13, fontWeight: 700 }),
      measure(label, { fontSize: 13, fontWeight: 'bold' }),
    );
  });

  it('truncates to a limit with an ellipsis, like vega', () => {
    const width = (text: string) => measure(text, { fontSize: 13 });
    const cut = truncate(label, 100, width);
    assert.ok(cut.endsWith('…'));
    assert.ok(width(cut) < 100);
    assert.equal(truncate(label, 0, width), label);
    assert.equal(truncate('short', 100, width), 'short');
  });

  it('ships byte-identical copies of the @fontsource/inter files, named in fonts.css', async () => {
    const css = await readFile(path.join(FONTS_DIR, 'fonts.css'), 'utf8');
    assert.match(css, new RegExp(`font-family: '${CHART_FONT_FAMILY}'`));
    assert.match(css, /font-display: swap/);
    for (const file of Object.values(FONT_FILES)) {
      const shipped = await readFile(path.join(FONTS_DIR, file));
      const upstream = await readFile(path.join('node_modules/@fontsource/inter/files', file));
      assert.ok(shipped.equals(upstream), `${file} differs from @fontsource/inter`);
      assert.ok(css.includes(`url('./${file}')`), `fonts.css does not serve ${file}`);
      assert.equal(openFont(file).familyName, CHART_FONT_FAMILY);
    }
  });
});

describe('metric display', () => {
  it('covers every RunMetrics key', () => {
    const run = makeResults().runs[0]!;
    assert.deepEqual([...METRIC_NAMES].sort(), Object.keys(run.metrics).sort());
  });

  it('puts a fraction on a percent axis with its interval, and a count exactly', () => {
    const run = makeResults().runs[1]!;
    const accuracy = shownValue(run, 'accuracy');
    assert.equal(accuracy.mean, run.metrics.accuracy.mean * 100);
    assert.deepEqual(
      accuracy.ci95,
      run.metrics.accuracy.ci95!.map((v) => v * 100),
    );
    assert.deepEqual(shownValue(run, 'params'), { mean: 44_426, ci95: null });
    assert.equal(shownValue(run, 'sizeBytes').mean, run.metrics.sizeBytes / 1e6);
    assert.equal(metricTitle('sizeBytes'), 'Model size, MB');
    assert.equal(metricTitle('params'), 'Parameters');
    assert.equal(METRICS.carbonPerInferenceG.scale, 1e9);
  });

  it('labels values as the prose does, with the interval when there is one', () => {
    const run = makeResults().runs[1]!;
    assert.deepEqual(valueText(run, 'params'), { short: '44,426', long: '44,426' });
    const accuracy = valueText(run, 'accuracy');
    assert.match(accuracy.short, /^\d\d\.\d%$/);
    assert.match(accuracy.long, /^\d\d\.\d% \(95% CI \d\d\.\d–\d\d\.\d%\)$/);
  });
});

describe('chart specs', () => {
  const comparison = makeResults({ id: 'mlp-vs-lenet' });
  const batch = makeResults({ id: 'batch-size' });
  const architecture = makeResults({ id: 'depth-and-width' });

  it('tells comparisons from batch and architecture sweeps', () => {
    assert.equal(experimentKind(comparison), 'comparison');
    assert.equal(experimentKind(makeResults({ id: 'mlp1-vs-mlp2' })), 'comparison');
    assert.equal(experimentKind(batch), 'batch-sweep');
    assert.equal(experimentKind(architecture), 'architecture-sweep');
  });

  it('draws a quantity as bars from zero with 95% intervals and the values in the description', () => {
    const chart = metricChart(comparison, 'sizeBytes');
    const spec = json(chart.spec);
    assert.equal(spec.layer[0].mark.type, 'bar');
    assert.equal(spec.layer[0].encoding.x.scale.zero, true);
    const rows = spec.data.values;
    assert.deepEqual(
      rows.map((r: Json) => [r.label, r.mean]),
      comparison.runs.map((run) => [run.label, run.metrics.sizeBytes / 1e6]),
    );
    assert.match(chart.description, /MLP-5 [\d.]+\sMB; LeNet-5 [\d.]+\sKB\.$/);
    assert.equal(chart.id, 'mlp-vs-lenet-sizeBytes');
  });

  it('draws accuracy as points over interval rules on an axis not forced to zero', () => {
    const chart = metricChart(comparison, 'accuracy');
    const spec = json(chart.spec);
    assert.deepEqual(
      spec.layer.map((layer: Json) => layer.mark.type),
      ['rule', 'point', 'text'],
    );
    assert.equal(spec.layer[1].encoding.x.scale.zero, false);
    const lenet = spec.data.values[1];
    assert.deepEqual(
      [lenet.low, lenet.high],
      comparison.runs[1]!.metrics.accuracy.ci95!.map((v) => v * 100),
    );
    assert.match(chart.description, /LeNet-5 [\d.]+% \(95% CI [\d.]+–[\d.]+%\)/);
  });

  it('leaves out error bars when an experiment has one seed', () => {
    const spec = json(metricChart(makeResults({ seeds: [7] }), 'accuracy').spec);
    assert.ok(!spec.layer.some((layer: Json) => layer.mark.type === 'rule'));
  });

  it('plots a batch sweep against batch size on a log scale, one line per model', () => {
    const spec = json(metricChart(batch, 'trainSecondsPerEpoch').spec);
    assert.equal(spec.encoding.x.field, 'batchSize');
    assert.equal(spec.encoding.x.scale.type, 'log');
    assert.deepEqual(spec.encoding.x.axis.values, [1, 16, 64, 128]);
    assert.deepEqual(spec.encoding.color.scale.domain, ['MLP-1', 'MLP-2']);
    assert.equal(spec.layer[0].mark.type, 'line');
    assert.equal(spec.data.values.length, 8);
  });

  it('plots the architecture sweep against width and against depth', () => {
    const spec = json(metricChart(architecture, 'accuracy').spec);
    assert.equal(spec.hconcat.length, 2);
    const xs = (panel: Json) => panel.data.values.map((r: Json) => [r.key, r.x]);
    assert.deepEqual(xs(spec.hconcat[0]), [
      ['mlp-128', 128],
      ['mlp-256', 256],
      ['mlp-512', 512],
      ['mlp-1024', 1024],
    ]);
    assert.deepEqual(xs(spec.hconcat[1]), [
      ['mlp-512', 1],
      ['mlp-512x2', 2],
      ['mlp-512x3', 3],
    ]);
  });

  it('averages the training curves over seeds, four series per run', () => {
    const chart = trainingCurvesChart(comparison);
    const rows = json(chart.spec).data.values;
    assert.equal(rows.length, comparison.runs.length * 2 * 4);
    const lenet = comparison.runs[1]!;
    const expected = lenet.trials.reduce((a, t) => a + t.epochs[1]!.valLoss, 0) / lenet.trials.length;
    const row = rows.find(
      (r: Json) => r.label === 'LeNet-5' && r.epoch === 2 && r.split === 'Validation' && r.measure === 'Loss',
    );
    assert.ok(Math.abs(row.value - expected) < 1e-12);
    assert.match(chart.description, /mean over 3 seeds/);
  });

  it('labels trade-off points by model, or the ends of each model’s line in a batch sweep', () => {
    const labels = (results: Results) =>
      json(tradeoffChart(results).spec).data.values.map((r: Json) => r.pointLabel);
    assert.deepEqual(labels(comparison), ['MLP-5', 'LeNet-5']);
    assert.deepEqual(labels(batch), ['batch 1', '', '', 'batch 128', 'batch 1', '', '', 'batch 128']);
  });

  it('colours a batch sweep by model when the results label its runs with the batch (`MLP-1 @ 16`)', () => {
    const labelled: Results = {
      ...batch,
      runs: batch.runs.map((run) => ({ ...run, label: `${run.label} @ ${run.batchSize}` })),
    };
    const run = labelled.runs[1]!;
    assert.equal(modelLabel(run), 'MLP-1');
    assert.equal(runLabel(labelled, run), `MLP-1, batch ${run.batchSize}`);
    const metric = json(metricChart(labelled, 'accuracy').spec);
    assert.deepEqual(metric.encoding.color.scale.domain, ['MLP-1', 'MLP-2']);
    assert.deepEqual(json(tradeoffChart(labelled).spec).encoding.color.scale.domain, ['MLP-1', 'MLP-2']);
    // Training curves: a small multiple per batch size, in increasing order, coloured by model.
    const curves = json(trainingCurvesChart(labelled).spec);
    const loss = curves.vconcat[0];
    assert.equal(loss.facet.field, 'batch');
    assert.deepEqual(loss.facet.sort, ['Batch 1', 'Batch 16', 'Batch 64', 'Batch 128']);
    assert.equal(loss.spec.encoding.color.field, 'model');
    assert.deepEqual(loss.spec.encoding.color.scale.domain, ['MLP-1', 'MLP-2']);
  });

  it('draws each chart once for the text column and once for a phone, at the layouts’ plot widths', () => {
    for (const layout of ['wide', 'narrow'] as const) {
      assert.equal(json(metricChart(comparison, 'sizeBytes', layout).spec).width, SIZES[layout].plotWidth);
      assert.equal(json(metricChart(batch, 'accuracy', layout).spec).width, SIZES[layout].plotWidth);
      assert.equal(json(tradeoffChart(comparison, layout).spec).width, SIZES[layout].plotWidth);
    }
    assert.ok(SIZES.narrow.plotWidth < SIZES.wide.plotWidth);
    // Width and depth side by side in the column, one above the other on a phone.
    assert.equal(json(metricChart(architecture, 'accuracy', 'wide').spec).hconcat.length, 2);
    assert.equal(json(metricChart(architecture, 'accuracy', 'narrow').spec).vconcat.length, 2);
  });

  it('leaves room inside the plot for the value label right of the longest bar', () => {
    const spec = json(metricChart(comparison, 'sizeBytes').spec);
    const longest = Math.max(...spec.data.values.map((row: Json) => row.high));
    const [low, high] = spec.layer[0].encoding.x.scale.domain;
    assert.equal(low, 0);
    assert.ok(high >= 1.3 * longest);
  });

  it('names the model and seed in a confusion matrix’s title, not the experiment', () => {
    const run = comparison.runs[1]!;
    assert.equal(
      confusionChart(comparison, run).title,
      `Confusion matrix of LeNet-5 on the 10,000 test images (seed ${run.trials[0]!.seed})`,
    );
  });

  it('lays out a confusion matrix of 100 cells with the correct count in the description', () => {
    const run = comparison.runs[1]!;
    const chart = confusionChart(comparison, run);
    const cells = json(chart.spec).data.values;
    assert.equal(cells.length, 100);
    const cell = cells.find((c: Json) => c.truth === '3' && c.predicted === '5');
    assert.equal(cell.count, run.trials[0]!.test.confusion[3]![5]);
    assert.ok(
      chart.description.includes(
        `${new Intl.NumberFormat('en').format(run.trials[0]!.test.correct)} of 10,000`,
      ),
    );
  });
});

describe('misclassified gallery', () => {
  const results = makeResults();
  const run = results.runs[0]!;

  it('encodes a test digit as a 28×28 grayscale PNG of the same pixels', () => {
    const digit = results.testDigits[0]!;
    const image = decode(digitPng(digit.pixelsBase64));
    assert.equal(image.width, 28);
    assert.equal(image.height, 28);
    assert.equal(image.channels, 1);
    assert.deepEqual(Buffer.from(image.data as Uint8Array), Buffer.from(digit.pixelsBase64, 'base64'));
  });

  it('rejects pixels that are not 784 bytes', () => {
    assert.throws(() => digitPng(Buffer.alloc(10).toString('base64')), {
      message: 'test digit has 10 pixels, expected 784',
    });
  });

  it('lists the mistakes it has pixels for, most confident first, with alt text', () => {
    const items = galleryItems(results, run);
    const known = new Set(results.testDigits.map((d) => d.index));
    assert.ok(items.length > 0 && items.length <= 48);
    assert.ok(items.every((item) => known.has(item.index)));
    assert.ok(items.every((item, i) => i === 0 || items[i - 1]!.confidence >= item.confidence));
    const first = items[0]!;
    assert.equal(
      first.alt,
      `true ${first.label}, predicted ${first.predicted} (${Math.round(first.confidence * 100)}%)`,
    );
    assert.ok(first.src.startsWith('data:image/png;base64,'));
    const html = galleryHtml(results, run, 'MLP-5');
    assert.equal(html.match(/<img /g)?.length, items.length);
    assert.ok(html.includes(`alt="${first.alt}"`));
  });
});

describe('chart rendering', () => {
  it('makes vega’s SVG an accessible image that scales', () => {
    const svg = accessibleSvg(
      '<svg class="marks" width="420" height="180" viewBox="0 0 420 180"><g/></svg>',
      {
        id: 'x-mlp1@64',
        title: 'A & B',
        description: 'Bars <tall>',
      },
    );
    assert.match(svg, /^<svg [^>]*role="graphics-document" aria-roledescription="chart"/);
    assert.match(svg, /aria-labelledby="chart-x-mlp1-64-title" aria-describedby="chart-x-mlp1-64-desc"/);
    assert.match(svg, /viewBox="0 0 420 180" width="100%"/);
    assert.ok(!/ height="180"/.test(svg));
    assert.ok(svg.includes('<title id="chart-x-mlp1-64-title">A &#38; B</title>'));
    assert.ok(svg.includes('<desc id="chart-x-mlp1-64-desc">Bars &#60;tall&#62;</desc>'));
  });

  it('rejects output that is not an SVG', () => {
    assert.throws(() => accessibleSvg('<div/>', { id: 'x', title: '', description: '' }), {
      message: 'chart x: vega did not return an SVG document',
    });
  });

  it('renders a chart with marks and the shipped font family, once per distinct chart', async () => {
    const render = createChartRenderer({ cacheDir: null });
    const chart = metricChart(makeResults(), 'sizeBytes');
    const first = render(chart);
    assert.equal(render(structuredClone(chart)), first);
    const svg = await first;
    assert.match(svg, /class="mark-rect role-mark/);
    assert.match(svg, /font-family="Inter, sans-serif"/);
    assert.ok(svg.includes('>LeNet-5</text>'));
  });
});

/** The exact-value labels of a rendered chart's data marks, in document order, with their role descriptions. */
function markLabels(svg: string): { role: string; label: string }[] {
  const decode = (text: string) =>
    text.replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code))).replace(/&amp;/g, '&');
  return [...svg.matchAll(/<[a-z]+ [^>]*role="graphics-symbol"[^>]*>/g)].map(([tag]) => ({
    role: /aria-roledescription="([^"]*)"/.exec(tag)?.[1] ?? '',
    label: decode(/aria-label="([^"]*)"/.exec(tag)?.[1] ?? ''),
  }));
}

describe('chart data marks for screen readers and tooltips', () => {
  const render = createChartRenderer({ cacheDir: null });
  const comparison = makeResults();

  it('labels each bar with its run and exact value as the prose writes it', async () => {
    const svg = await render(metricChart(comparison, 'sizeBytes'));
    assert.deepEqual(markLabels(svg), [
      { role: 'bar', label: 'MLP-5: 2.3\u00a0MB' },
      { role: 'bar', label: 'LeNet-5: 182\u00a0KB' },
    ]);
    assert.deepEqual(
      markLabels(svg).map((mark) => mark.label),
      comparison.runs.map((run) => `${run.label}: ${formatMetric('sizeBytes', run.metrics.sizeBytes)}`),
    );
  });

  it('gives a point its 95% interval, and the error bars no label of their own', async () => {
    const svg = await render(metricChart(comparison, 'accuracy'));
    assert.deepEqual(
      markLabels(svg),
      comparison.runs.map((run) => ({
        role: 'point',
        label: `${run.label}: ${formatMetric('accuracy', run.metrics.accuracy.mean)} (95% CI ${formatInterval(
          'accuracy',
          run.metrics.accuracy.ci95!,
        )})`,
      })),
    );
    assert.match(markLabels(svg)[1]!.label, /^LeNet-5: \d\d\.\d% \(95% CI \d\d\.\d–\d\d\.\d%\)$/);
    assert.match(svg, /<g class="mark-rule role-mark[^"]*" aria-hidden="true">/);
  });

  it('hides axes, value labels and lines, so that the data marks are the only parts', async () => {
    const svg = await render(metricChart(makeResults({ id: 'batch-size' }), 'trainSecondsPerEpoch'));
    for (const group of svg.matchAll(/<g class="mark-(?:text|line) role-mark[^"]*"[^>]*>/g)) {
      assert.match(group[0], /aria-hidden="true"/);
    }
    for (const axis of svg.matchAll(/<g class="mark-group role-(?:axis|legend)"[^>]*>/g)) {
      assert.match(axis[0], /aria-hidden="true"/);
    }
    assert.equal(svg.match(/role="graphics-symbol"/g)?.length, 8);
    assert.equal(markLabels(svg).filter((mark) => mark.label === '').length, 0);
    assert.ok(markLabels(svg).some((mark) => /^MLP-1, batch 16: [\d.]+\u00a0s \(95% CI /.test(mark.label)));
  });

  it('labels confusion matrix cells and training curve points', async () => {
    const run = comparison.runs[1]!;
    const cells = markLabels(await render(confusionChart(comparison, run)));
    assert.equal(cells.length, 100);
    const count = run.trials[0]!.test.confusion[3]![5]!;
    assert.ok(
      cells.some((cell) => cell.label === `true 3, predicted 5: ${count} image${count === 1 ? '' : 's'}`),
    );
    assert.ok(cells.some((cell) => /^true 7, predicted 7: [\d,]+ images \(correct\)$/.test(cell.label)));
    const points = markLabels(await render(trainingCurvesChart(comparison)));
    assert.equal(points.length, comparison.runs.length * 2 * 4);
    const trial = run.trials[0]!;
    const loss = run.trials.reduce((sum, t) => sum + t.epochs[1]!.valLoss, 0) / run.trials.length;
    assert.ok(trial.epochs.length >= 2);
    assert.ok(
      points.some(
        (point) =>
          point.label === `LeNet-5, validation loss after epoch 2: ${formatMetric('testLoss', loss)}`,
      ),
      points.map((point) => point.label).join('\n'),
    );
  });
});

describe('learning-curve chart', () => {
  const results = makeResults({ id: 'evaluating-models', seeds: [1, 2, 3, 4, 5] });
  const spec = json(learningCurvesChart(results).spec);
  const [training, validation] = spec.vconcat;
  const layerOf = (panel: Json, type: string, values?: (rows: Json[]) => boolean) =>
    panel.layer.filter(
      (layer: Json) => layer.mark.type === type && (values === undefined || values(layer.data.values)),
    );

  it('draws training above validation accuracy, each on its own axis, one colour per model', () => {
    assert.equal(spec.vconcat.length, 2);
    assert.equal(training.layer[0].encoding.y.title, 'Training accuracy, %');
    assert.equal(validation.layer[0].encoding.y.title, 'Validation accuracy, %');
    assert.deepEqual(spec.resolve.scale.y, 'independent');
    assert.deepEqual(training.encoding.color.scale.domain, ['LeNet-5', 'MLP 512']);
    assert.deepEqual(training.encoding.x.axis.values, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(training.width, SIZES.wide.plotWidth);
    assert.equal(json(learningCurvesChart(results, 'narrow').spec).vconcat[0].width, SIZES.narrow.plotWidth);
  });

  it('bands each mean line from the lowest to the highest seed', () => {
    const [band] = layerOf(validation, 'area');
    assert.deepEqual(band.encoding.y.field, 'low');
    assert.deepEqual(band.encoding.y2.field, 'high');
    const lenet = results.runs[0]!;
    const values = lenet.trials.map((trial) => trial.epochs[6]!.valAccuracy * 100);
    const row = band.data.values.find(
      (r: Json) => r.label === 'LeNet-5' && r.split === 'Validation' && r.epoch === 7,
    );
    assert.ok(Math.abs(row.low - Math.min(...values)) < 1e-9);
    assert.ok(Math.abs(row.high - Math.max(...values)) < 1e-9);
    assert.ok(Math.abs(row.mean - values.reduce((a, b) => a + b, 0) / values.length) < 1e-9);
    assert.equal(band.data.values.length, 2 * 2 * 10);
    // One seed: no band.
    const single = json(learningCurvesChart(makeResults({ id: 'evaluating-models', seeds: [1] })).spec);
    assert.equal(layerOf(single.vconcat[1], 'area').length, 0);
  });

  it("overlays the original's printed epochs as diamonds and the plateau as a triangle on validation only", () => {
    const diamonds = (panel: Json) =>
      layerOf(panel, 'point', (rows) => rows.some((r) => r.marker === ORIGINAL_MARKER))[0];
    assert.equal(diamonds(training).data.values.length, 2 * 3 * 2);
    const original = diamonds(validation).data.values.find(
      (r: Json) => r.label === 'MLP 512' && r.split === 'Validation' && r.epoch === 10,
    );
    assert.equal(original.value, 97);
    assert.deepEqual(diamonds(validation).encoding.shape.scale.range, ['diamond', 'triangle-down']);
    const triangles = (panel: Json) =>
      layerOf(panel, 'point', (rows) => rows.some((r) => r.marker === PLATEAU_MARKER));
    assert.equal(triangles(training).length, 0);
    const [plateau] = triangles(validation);
    assert.deepEqual(
      plateau.data.values.map((r: Json) => [r.label, r.epoch]),
      results.runs.map((run) => [run.label, plateauEpoch(run)]),
    );
  });

  it('keeps many runs’ legends from widening the chart: colours in rows, markers under the plots', () => {
    const legends = (results: Results, layout: 'wide' | 'narrow') => {
      const panel = json(learningCurvesChart(results, layout).spec).vconcat[1];
      const marker = panel.layer.find((layer: Json) => layer.encoding.shape !== undefined);
      return { colour: panel.encoding.color.legend, marker: marker.encoding.shape.legend };
    };
    const sweep = legends(makeResults({ id: 'batch-size' }), 'wide');
    assert.equal(sweep.colour.columns, 4);
    assert.equal(sweep.marker.orient, 'bottom');
    const pair = legends(results, 'wide');
    assert.equal(pair.colour.columns, 2);
    assert.equal(pair.marker.orient, 'top');
    assert.equal(legends(results, 'narrow').marker.orient, 'bottom');
  });

  it('leaves the diamonds out for an experiment the original printed no epochs of', () => {
    const chart = json(learningCurvesChart(makeResults({ id: 'mlp-vs-lenet' })).spec);
    const markers = chart.vconcat[1].layer.flatMap((layer: Json) =>
      layer.data.values.map((r: Json) => r.marker).filter(Boolean),
    );
    assert.deepEqual([...new Set(markers)], [PLATEAU_MARKER]);
    assert.doesNotMatch(learningCurvesCaption(makeResults({ id: 'mlp-vs-lenet' })), /Diamonds/);
  });

  it('says in its caption what the band is and how the plateau is defined', () => {
    const caption = learningCurvesChart(results).caption!;
    assert.match(caption, /mean over 5 seeds, bands run from the lowest to the highest seed/);
    assert.match(caption, /original's single run after epochs 1, 5 and 10/);
    assert.match(caption, /first epoch whose mean is within 0\.1 percentage points of the best epoch's mean/);
  });

  it('describes every curve, original figure and plateau for readers who cannot see it', async () => {
    const chart = learningCurvesChart(results);
    const lenet = results.runs[0]!;
    const last = lenet.trials.reduce((a, t) => a + t.epochs[9]!.valAccuracy, 0) / lenet.trials.length;
    assert.ok(
      chart.description.includes(
        `${formatPercent(last)} after epoch 10 (original: 94.8% after epoch 1, 98.4% after epoch 5, 98.3% after epoch 10)`,
      ),
      chart.description,
    );
    assert.match(chart.description, /validation accuracy stops improving after epoch \d+/);
    const marks = markLabels(await createChartRenderer({ cacheDir: null })(chart));
    // 40 mean points, 12 diamonds in each panel's data, 2 triangles.
    assert.equal(marks.length, 2 * 2 * 10 + 2 * 3 * 2 + 2);
    assert.ok(
      marks.some((m) => m.label === 'LeNet-5, validation accuracy after epoch 5 in the original: 98.4%'),
    );
    assert.ok(
      marks.some((m) =>
        /^MLP 512: validation accuracy stops improving after epoch \d+, at [\d.]+%$/.test(m.label),
      ),
    );
  });
});

describe('chart rendering with the disk cache', () => {
  it('writes each SVG once and reads it back in the next build', async () => {
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'charts-cache-'));
    try {
      const chart = metricChart(makeResults(), 'params');
      const svg = await createChartRenderer({ cacheDir })(chart);
      const files = await readdir(cacheDir);
      assert.equal(files.length, 1);
      assert.equal(await readFile(path.join(cacheDir, files[0]!), 'utf8'), svg);
      await writeFile(path.join(cacheDir, files[0]!), '<svg>cached</svg>');
      assert.equal(await createChartRenderer({ cacheDir })(chart), '<svg>cached</svg>');
      assert.notEqual(
        await createChartRenderer({ cacheDir })(metricChart(makeResults(), 'flops')),
        '<svg>cached</svg>',
      );
      // A chart whose spec changed (e.g. a SVG cached before its marks had labels) is rendered again.
      const unlabelled = json(chart);
      delete unlabelled.spec.layer[0].mark.aria;
      assert.doesNotMatch(
        await createChartRenderer({ cacheDir })(unlabelled),
        /cached|role="graphics-symbol"/,
      );
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('chart text', () => {
  it('writes subscript digits as plain ones', () => {
    assert.equal(plainDigits('294 ng CO₂e'), '294 ng CO2e');
  });

  it('draws CO2e in chart text with a lowered two, and writes CO₂e in titles and descriptions', () => {
    assert.equal(
      subscriptCo2('<text x="1">Carbon, ng CO2e</text><rect aria-label="CO2e"/>'),
      '<text x="1">Carbon, ng CO<tspan baseline-shift="sub" font-size="75%">2</tspan>e</text><rect aria-label="CO2e"/>',
    );
    assert.equal(co2Text('294 ng CO2e'), '294 ng CO₂e');
    const svg = accessibleSvg('<svg width="10" height="10"><text>5 mg CO2e</text></svg>', {
      id: 'c',
      title: 'Carbon per epoch, mg CO2e',
      description: 'MLP-5 5 mg CO2e.',
    });
    assert.match(svg, /<title id="chart-c-title">Carbon per epoch, mg CO₂e<\/title>/);
    assert.match(svg, /<desc id="chart-c-desc">MLP-5 5 mg CO₂e\.<\/desc>/);
    assert.doesNotMatch(svg, />[^<]*CO2e/);
  });

  it('draws only characters the shipped font has', async () => {
    const font = openFont(FONT_FILES['400-normal']);
    const render = createChartRenderer({ cacheDir: null });
    const comparison = makeResults();
    const architecture = makeResults({ id: 'depth-and-width' });
    const charts = [
      metricChart(comparison, 'carbonPerInferenceG'),
      metricChart(comparison, 'latencyP50Us'),
      tradeoffChart(architecture),
      trainingCurvesChart(makeResults({ id: 'batch-size' })),
      learningCurvesChart(makeResults({ id: 'evaluating-models' })),
      learningCurvesChart(makeResults({ id: 'evaluating-models' }), 'narrow'),
      confusionChart(comparison, comparison.runs[0]!),
    ];
    for (const chart of charts) {
      const svg = await render(chart);
      const body = svg.replace(/<title[^]*<\/desc>/, '');
      const texts = [...body.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
        m[1]!.replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code))),
      );
      assert.ok(texts.length > 0, chart.id);
      for (const text of texts) {
        for (const char of text) {
          assert.ok(
            font.hasGlyphForCodePoint(char.codePointAt(0)!),
            `${chart.id}: '${char}' in '${text}' is not in the font`,
          );
        }
      }
    }
  });
});

describe('charts plugin', () => {
  type Shortcode = (this: unknown, ...args: string[]) => Promise<string>;
  const registered = new Map<string, Shortcode>();
  charts({
    addShortcode: (name: string, fn: Shortcode) => registered.set(name, fn),
  } as unknown as EleventyConfig);
  const results = makeResults();
  const page = (data: Record<string, unknown>) => ({
    page: { inputPath: './content/posts/mlp-vs-lenet.md' },
    ctx: { getSync: ([key]: PropertyKey[]) => data[key as string] },
  });
  const self = page({ experiment: 'mlp-vs-lenet', results: { 'mlp-vs-lenet': results } });

  it('registers exactly the shortcodes it declares', () => {
    assert.deepEqual([...registered.keys()].sort(), Object.keys(CHART_SHORTCODES).sort());
  });

  it('renders each shortcode as a figure', async () => {
    for (const [name, args] of [
      ['chart', ['accuracy']],
      ['trainingCurves', []],
      ['tradeoffChart', []],
      ['confusionMatrix', ['lenet5']],
      ['misclassifiedGallery', ['lenet5']],
    ] as const) {
      const html = await registered.get(name)!.call(self, ...args);
      assert.match(html, /^<figure class="(chart|digit-gallery)">/, name);
    }
  });

  it('names the post and the argument for an unknown metric or run', async () => {
    await assert.rejects(registered.get('chart')!.call(self, 'acuracy'), (error: Error) => {
      assert.ok(error instanceof ContentError);
      assert.match(error.message, /^content\/posts\/mlp-vs-lenet\.md: unknown metric 'acuracy' \(known: /);
      return true;
    });
    await assert.rejects(registered.get('confusionMatrix')!.call(self, 'lenet6'), {
      message:
        "content/posts/mlp-vs-lenet.md: unknown run 'lenet6' in experiment 'mlp-vs-lenet' (known: mlp5, lenet5)",
    });
    await assert.rejects(
      registered.get('misclassifiedGallery')!.call(self, 'lenet6'),
      /unknown run 'lenet6'/,
    );
  });

  it('names the post when it has no experiment', async () => {
    await assert.rejects(registered.get('trainingCurves')!.call(page({ results: {} })), {
      message: 'content/posts/mlp-vs-lenet.md: this shortcode needs `experiment: <id>` in the front matter',
    });
  });
});
