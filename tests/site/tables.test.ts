import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPercent } from '../../site/format.ts';
import { hardwareTable, learningCurveTable, provenanceBox, reproductionTable } from '../../site/tables.ts';
import { makeResults } from '../fixtures/results-fixture.ts';

const OPENBLAS = 'OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64';

test('the provenance box and hardware table name the BLAS that ran the products, when one did', () => {
  const xnnpack = makeResults({ id: 'mlp-vs-lenet' });
  const openblas = makeResults({ id: 'mlp-vs-lenet' });
  openblas.provenance = { ...openblas.provenance, backend: 'wasm', blas: OPENBLAS };
  assert.match(provenanceBox(openblas), /wasm 4\.22\.0, matrix products on OpenBLAS 0\.3\.21</);
  assert.match(
    hardwareTable([openblas]),
    /wasm 4\.22\.0, matrix products on OpenBLAS 0\.3\.21, TensorFlow\.js/,
  );
  assert.doesNotMatch(provenanceBox(xnnpack) + hardwareTable([xnnpack]), /OpenBLAS|matrix products/);
});

test('the reproduction table shows a correction beside a figure the original got wrong by its own numbers', () => {
  const html = reproductionTable(makeResults({ id: 'evaluating-models' }), 'x.md');
  assert.match(html, /2\.8\u00a0s <span class="corrected">\(20\.80 s ÷ 10: 2\.08\u00a0s\)<\/span>/);
  assert.match(html, /2,176,080 <span class="corrected">\(correct count: 563,280\)<\/span>/);
  // The original's latency is one cold call, shown against the median latency with its note.
  assert.match(html, /Latency \(median, batch 1\)<sup>/);
  assert.match(html, /11\.1\u00a0ms/);
  assert.match(html, /timed once and cold/);
  assert.doesNotMatch(reproductionTable(makeResults({ id: 'mlp-vs-lenet' }), 'x.md'), /corrected/);
});

test('the learning-curve table sets the printed epochs beside the mean and range over seeds', () => {
  const results = makeResults({ id: 'evaluating-models', seeds: [1, 2, 3] });
  const html = learningCurveTable(results, 'x.md');
  const lenet = results.runs.find((run) => run.key === 'lenet5')!;
  const values = lenet.trials.map((trial) => trial.epochs[4]!.valAccuracy);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const range = `${formatPercent(Math.min(...values)).slice(0, -1)}–${formatPercent(Math.max(...values))}`;
  // LeNet-5 after epoch 5: the original's 98.4% validation accuracy, then this project's.
  const row = /<tr><th scope="row">5<\/th>(.*?)<\/tr>/.exec(html)![1]!;
  assert.equal(row.match(/<td/g)!.length, 4);
  assert.ok(
    row.includes(
      `<td class="numeric">98.4%</td><td class="numeric">${formatPercent(mean)} <span class="range">(${range})</span></td>`,
    ),
    row,
  );
  assert.match(
    html,
    /<th scope="colgroup" colspan="5">LeNet-5<\/th>.*<th scope="colgroup" colspan="5">MLP 512<\/th>/,
  );
  assert.equal(html.match(/<th scope="row">/g)!.length, 6);
  assert.match(html, /<li id="epochs-note-1">Both count training accuracy/);
  assert.match(html, /href="https:\/\/gouherdanish\.github\.io\/2024\/12\/13\/evaluating-ml-models\.html"/);
});

test('the learning-curve table shows a dash for an epoch not trained and no range for one seed', () => {
  const html = learningCurveTable(makeResults({ id: 'evaluating-models', seeds: [1], epochs: 1 }), 'x.md');
  assert.equal(html.match(/title="not trained this long">—/g)!.length, 8);
  assert.doesNotMatch(html, /class="range"/);
});

test('the learning-curve table needs per-epoch figures from the original', () => {
  assert.throws(() => learningCurveTable(makeResults({ id: 'mlp-vs-lenet' }), 'content/posts/x.md'), {
    name: 'ContentError',
    message:
      "content/posts/x.md: the original published no per-epoch accuracies for experiment 'mlp-vs-lenet'",
  });
  assert.throws(() => learningCurveTable(makeResults({ id: 'no-original' }), 'content/posts/x.md'), {
    message: "content/posts/x.md: the original series has no figures for experiment 'no-original'",
  });
});
