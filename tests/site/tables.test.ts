import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPercent } from '../../site/format.ts';
import {
  hardwareTable,
  learningCurveTable,
  pageVerdicts,
  provenanceBox,
  reproductionTable,
} from '../../site/tables.ts';
import { makeReference } from '../fixtures/reference-fixture.ts';
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

test('the reproduction table gains a verdict row per model that both data sets cover', () => {
  const results = makeResults({ id: 'mlp-vs-lenet', seeds: [1, 2, 3, 4] });
  const lenet = results.runs.find((run) => run.key === 'lenet5')!;
  const values = lenet.trials.map((t) => t.test.correct);
  // PyTorch's LeNet-5 close to this engine's; MLP-5 far below it; the original's 97.8% below both.
  const reference = makeReference({
    lenet5: values.map((c, i) => c + (i % 2 === 0 ? 3 : -3)),
    mlp5: [9400, 9410, 9405],
  });
  const verdicts = pageVerdicts(results, { 'mlp-vs-lenet': results }, reference);
  assert.deepEqual(
    verdicts.map((v) => v.model),
    ['mlp5', 'lenet5'],
  );
  const html = reproductionTable(results, 'content/posts/x.md', verdicts, reference);
  assert.match(html, /<table class="verdicts"><caption>Reproduced\? This project against PyTorch<\/caption>/);
  assert.match(html, /<p class="verdicts-note">Test accuracy of this project's engine and of PyTorch, /);
  assert.match(html, /PyTorch 1\.13\.0a0, OpenBLAS 0\.3\.21 \(pthreads, Haswell\), 1 thread/);
  const rows = [...html.matchAll(/<tr><th scope="row">([^<]+)<\/th>(.*?)<\/tr>/g)].filter((m) =>
    m[2]!.includes('class="verdict '),
  );
  assert.deepEqual(
    rows.map((m) => m[1]),
    ['MLP-5', 'LeNet-5'],
  );
  assert.match(
    rows[0]![2]!,
    /<td><strong class="verdict verdict-differs">differs<\/strong><br><span class="reason">Welch p (0\.0\d+|&lt; 0\.001), below 0\.05; /,
  );
  assert.match(
    rows[0]![2]!,
    /<td class="numeric">94\.05%<br><span class="interval">\(93\.\d\d–94\.\d\d%\)<\/span><br><span class="seeds">3 seeds, 94\.00–94\.10%<\/span><\/td>/,
  );
  const lenetRow = rows[1]![2]!;
  assert.match(lenetRow, /<span class="seeds">4 seeds, /);
  assert.match(lenetRow, /Welch p (0\.\d+|1); /);
  const inRange =
    lenet.metrics.accuracy.values.some((v) => v <= 0.978) &&
    lenet.metrics.accuracy.values.some((v) => v >= 0.978);
  assert.match(lenetRow, inRange ? /verdict-reproduced">reproduced/ : /verdict-differs">differs/);
  assert.match(
    lenetRow,
    new RegExp(`the original&#39;s 97\\.80% is ${inRange ? 'within' : 'outside'} this engine&#39;s seeds`),
  );
});

test('a verdict whose engine sample comes from another experiment names it; without verdicts there is no verdict table', () => {
  const page = makeResults({ id: 'mlp1-vs-mlp2', seeds: [1, 2] });
  const many = makeResults({ id: 'mlp1-seeds', models: ['mlp1'], seeds: [1, 2, 3, 4, 5] });
  many.experiment.title = 'MLP-1 over 30 seeds';
  const reference = makeReference({ mlp1: [9700, 9710, 9720] });
  const verdicts = pageVerdicts(page, { 'mlp1-vs-mlp2': page, 'mlp1-seeds': many }, reference);
  assert.equal(verdicts.length, 1);
  assert.match(
    reproductionTable(page, 'x.md', verdicts, reference),
    /<span class="seeds">5 seeds, [\d.–%]+<\/span><br><span class="seeds">from ‘MLP-1 over 30 seeds’<\/span>/,
  );
  assert.doesNotMatch(reproductionTable(page, 'x.md', [], reference), /verdicts/);
  assert.doesNotMatch(reproductionTable(page, 'x.md'), /verdicts/);
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
