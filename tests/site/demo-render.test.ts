import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Results } from '../../experiments/lib/contract/results.ts';
import type { DemoData } from '../../site/demo/browser/demo.ts';
import { copyModels } from '../../site/demo/bundle.ts';
import demoPlugin from '../../site/demo/plugin.ts';
import { latencyWhy, pickDigits, renderDigitDemo } from '../../site/demo/render.ts';
import { formatMicroseconds } from '../../site/format.ts';
import { makeResults } from '../fixtures/results-fixture.ts';

const ASSETS = { script: '/assets/demo/demo.js', stylesheet: '/assets/demo/demo.css' };
const WHERE = { file: 'content/demo.md', line: null };

/** The headline experiment's fixture with both models saved, as the engine writes it. */
function savedResults(): Results {
  const results = makeResults({ id: 'mlp-vs-lenet', models: ['mlp5', 'lenet5'] });
  for (const run of results.runs) run.savedModel = `mlp-vs-lenet/models/${run.key}`;
  // With saved models the engine adds the first 200 test images; the fixture labels image i as i % 10.
  const known = new Set(results.testDigits.map((d) => d.index));
  const blank = Buffer.alloc(784).toString('base64');
  for (let index = 0; index < 200; index++) {
    if (!known.has(index)) results.testDigits.push({ index, label: index % 10, pixelsBase64: blank });
  }
  results.testDigits.sort((a, b) => a.index - b.index);
  return results;
}

function embeddedData(html: string): DemoData {
  const json = /<script type="application\/json" data-digit-demo-data>(.*?)<\/script>/s.exec(html)![1]!;
  return JSON.parse(json) as DemoData;
}

describe('digit demo rendering', () => {
  test('the demo shows each saved model with the latency the experiments measured', () => {
    const results = savedResults();
    const html = renderDigitDemo({ 'mlp-vs-lenet': results }, 'mlp-vs-lenet', WHERE, ASSETS);
    for (const run of results.runs) {
      assert.match(html, new RegExp(`data-model="${run.key}"`));
      assert.ok(html.includes(`<h3>${run.label}</h3>`), `card of ${run.label}`);
      assert.ok(html.includes(formatMicroseconds(run.metrics.latencyP50Us.mean)), `latency of ${run.key}`);
    }
    assert.deepEqual(embeddedData(html).models, [
      { key: 'mlp5', label: 'MLP-5', path: 'mlp-vs-lenet/models/mlp5' },
      { key: 'lenet5', label: 'LeNet-5', path: 'mlp-vs-lenet/models/lenet5' },
    ]);
    assert.match(html, /<noscript>.*needs JavaScript.*<\/noscript>/s);
    assert.match(html, /<script type="module" src="\/assets\/demo\/demo.js"><\/script>/);
  });

  test('test digits are one correct digit per class and then digits a model gets wrong, with its answer', () => {
    const results = savedResults();
    const digits = pickDigits(results, results.runs);
    const correct = digits.filter((d) => d.wrong.length === 0);
    assert.deepEqual(
      correct.map((d) => d.label),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    const wrong = digits.filter((d) => d.wrong.length > 0);
    assert.ok(wrong.length > 0 && wrong.length <= 6, `${wrong.length} misclassified digits`);
    for (const digit of wrong) {
      for (const { label, predicted } of digit.wrong) {
        const run = results.runs.find((r) => r.label === label)!;
        const entry = run.trials[0]!.test.misclassified.find((m) => m.index === digit.index);
        assert.equal(entry?.predicted, predicted, `${label} on test image ${digit.index}`);
      }
    }
    const html = renderDigitDemo({ 'mlp-vs-lenet': results }, 'mlp-vs-lenet', WHERE, ASSETS);
    const first = wrong[0]!;
    assert.ok(html.includes(`${first.wrong[0]!.label} says ${first.wrong[0]!.predicted}`));
  });

  test('an experiment without saved models gets an explanation instead of the demo', () => {
    const results = makeResults({ id: 'mlp-vs-lenet', models: ['mlp5', 'lenet5'] });
    const html = renderDigitDemo({ 'mlp-vs-lenet': results }, 'mlp-vs-lenet', WHERE, ASSETS);
    assert.match(html, /do not include saved models/);
    assert.doesNotMatch(html, /data-digit-demo/);
  });

  test('an unknown experiment is rejected naming the page and the known experiments', () => {
    assert.throws(() => renderDigitDemo({ 'mlp-vs-lenet': savedResults() }, 'lenet6', WHERE, ASSETS), {
      message: "content/demo.md: unknown experiment 'lenet6' (known: mlp-vs-lenet)",
    });
  });

  test('the shortcode without an experiment id on a page without one is rejected with how to fix it', () => {
    const shortcodes = new Map<string, (...args: unknown[]) => unknown>();
    const config = {
      addShortcode: (name: string, fn: (...args: unknown[]) => unknown) => shortcodes.set(name, fn),
      addTransform: () => {},
      getFilter: () => (url: string) => url,
      on: () => {},
    };
    demoPlugin(config as unknown as Parameters<typeof demoPlugin>[0]);
    const self = { page: { inputPath: './content/demo.md' }, ctx: { getSync: () => undefined } };
    assert.throws(() => shortcodes.get('digitDemo')!.call(self), {
      message:
        'content/demo.md: digitDemo: give an experiment id ({% digitDemo "mlp-vs-lenet" %}) or set `experiment` in the front matter',
    });
  });

  test('a saved model whose files are missing is rejected naming the results file and the folder', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'demo-render-'));
    try {
      await assert.rejects(copyModels(dir, path.join(dir, 'out'), ['mlp-vs-lenet/models/lenet5']), {
        message: `${path.join(dir, 'mlp-vs-lenet.json')}: savedModel 'mlp-vs-lenet/models/lenet5': no model.json in ${path.join(dir, 'mlp-vs-lenet/models/lenet5')} (run the experiment again to save its models)`,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the demo stylesheet keeps the drawing canvas from scrolling the page on touch', async () => {
    const css = await readFile(new URL('../../site/demo/demo.css', import.meta.url), 'utf8');
    assert.match(css, /\.digit-demo-canvas \{[^}]*touch-action: none/);
  });
});

test('the latency note says how the experiment timed each model: layer by layer, or an MLP on the BLAS chain', () => {
  const results = structuredClone(makeResults({}));
  const runs = results.runs;
  assert.match(latencyWhy(results, runs), /both time the same call/);
  runs[0]!.trials.forEach((trial) => (trial.latency.batch1.path = 'chain'));
  const text = latencyWhy(results, runs);
  assert.match(text, new RegExp(`ran ${runs[0]!.label} as one chain of BLAS calls`));
  assert.doesNotMatch(text, /both time the same call/);
});
