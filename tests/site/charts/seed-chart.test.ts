import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createChartRenderer } from '../../../site/charts/render.ts';
import { seedDistributionsChart, tieOffsets } from '../../../site/charts/seed-chart.ts';
import { findVerdict } from '../../../site/reproduction.ts';
import { makeReference } from '../../fixtures/reference-fixture.ts';
import { makeResults } from '../../fixtures/results-fixture.ts';

// Spec builders return deeply typed Vega-Lite specs; tests read them as plain JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const json = (value: unknown): Json => JSON.parse(JSON.stringify(value));

const results = makeResults({ id: 'mlp1-vs-mlp2', seeds: [1, 2, 3, 4] });
const verdict = findVerdict(
  { 'mlp1-vs-mlp2': results },
  makeReference({ mlp1: [9650, 9650, 9650, 9661, 9640] }),
  'mlp1',
  'mlp1-vs-mlp2',
)!;

test('dots that share a value are offset alternately above and below the row', () => {
  assert.deepEqual(tieOffsets([0.96, 0.96, 0.97, 0.96, 0.96, 0.97]), [0, 1, 0, -1, 2, 1]);
  assert.deepEqual(tieOffsets([]), []);
});

test('the chart has a dot per seed on each side, each side’s mean and the original as a line', () => {
  const chart = json(seedDistributionsChart(verdict));
  assert.equal(chart.id, 'reproduction-mlp1');
  const [means, dots, original] = chart.spec.layer;
  assert.equal(dots.data.values.length, 4 + 5);
  assert.deepEqual(
    dots.data.values
      .filter((d: Json) => d.side === 'PyTorch')
      .map((d: Json) => [Number(d.accuracy.toFixed(6)), d.offset]),
    [
      [96.5, 0],
      [96.5, 1],
      [96.5, -1],
      [96.61, 0],
      [96.4, 0],
    ],
  );
  assert.equal(
    dots.data.values[0].description,
    `This project, seed 1: ${(100 * results.runs[0]!.trials[0]!.test.accuracy).toFixed(2)}%`,
  );
  assert.deepEqual(
    means.data.values.map((m: Json) => m.side),
    ['This project', 'PyTorch'],
  );
  assert.match(
    means.data.values[1].description,
    /^PyTorch: mean 96\.50% over 5 seeds \(95% CI 96\.\d\d–96\.\d\d%\)$/,
  );
  assert.equal(Number(original.data.values[0].accuracy.toFixed(6)), 96.4);
  assert.equal(original.data.values[0].label, 'original 96.40%');
  assert.match(
    chart.description,
    /PyTorch: 5 seeds, 96\.50%, 96\.50%, 96\.50%, 96\.61%, 96\.40%; mean 96\.50%\./,
  );
  assert.match(chart.description, /Welch's t-test p [\d.<]/);
});

test('the x scale covers every dot and the original, with a margin', () => {
  const chart = json(seedDistributionsChart(verdict, 'narrow'));
  const [low, high] = chart.spec.layer[1].encoding.x.scale.domain;
  const all = [...verdict.engine.values, ...verdict.pytorch.values, 0.964].map((v) => 100 * v);
  assert.ok(low < Math.min(...all) && high > Math.max(...all));
  assert.equal(chart.spec.width, 250);
});

test('the chart renders to an SVG with one labelled mark per seed and per mean', async () => {
  const svg = await createChartRenderer({ cacheDir: null })(seedDistributionsChart(verdict));
  assert.match(svg, /^<svg xmlns/);
  assert.equal(svg.match(/aria-label="This project, seed \d+: /g)?.length, 4);
  assert.equal(svg.match(/aria-label="PyTorch, seed \d+: /g)?.length, 5);
  assert.equal(svg.match(/aria-label="(This project|PyTorch): mean /g)?.length, 2);
  assert.match(svg, />original 96\.40%</);
});
