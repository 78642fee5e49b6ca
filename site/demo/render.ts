/**
 * The demo's build-time HTML: the skeleton the browser script (./browser/demo.ts) enhances, with
 * everything that comes from the results rendered in: the models, the latency the experiments
 * measured, and real MNIST test digits (some of which a model gets wrong). Pure: results in, HTML out.
 */
import type { Results, Run } from '../../experiments/lib/contract/results.ts';
import { digitPng } from '../charts/digits.ts';
import { formatMicroseconds } from '../format.ts';
import { escapeHtml } from '../page.ts';
import { getExperiment, type ResultsData, type Where } from '../results.ts';
import type { DemoData } from './browser/demo.ts';

/** Test digits offered to click: one correctly classified digit per class, plus some misclassified. */
const CORRECT_PER_CLASS = 1;
const WRONG_PER_RUN = 3;

export interface DemoAssets {
  /** URL of the bundled demo script, e.g. `/assets/demo/demo.js`. */
  script: string;
  /** URL of the demo stylesheet, e.g. `/assets/demo/demo.css`. */
  stylesheet: string;
}

/** JSON safe inside a <script> element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The runs of an experiment whose trained model was saved, in the results' order. */
export function demoRuns(results: Results): Run[] {
  return results.runs.filter((run) => run.savedModel !== null);
}

/** Test digits for the demo: per class the first that every model gets right, then misclassified ones. */
export function pickDigits(results: Results, runs: Run[]): DemoData['digits'] {
  const wrongBy = new Map<number, DemoData['digits'][number]['wrong']>();
  for (const run of runs) {
    for (const m of run.trials[0]!.test.misclassified) {
      const list = wrongBy.get(m.index) ?? [];
      list.push({ label: run.label, predicted: m.predicted });
      wrongBy.set(m.index, list);
    }
  }
  const available = new Map(results.testDigits.map((d) => [d.index, d]));
  const picked: DemoData['digits'] = [];
  for (let digit = 0; digit < 10; digit++) {
    const correct = results.testDigits.filter((d) => d.label === digit && !wrongBy.has(d.index));
    for (const d of correct.slice(0, CORRECT_PER_CLASS)) picked.push({ ...d, wrong: [] });
  }
  for (const run of runs) {
    const wrong = run.trials[0]!.test.misclassified.filter(
      (m) => available.has(m.index) && !picked.some((p) => p.index === m.index),
    );
    for (const m of wrong.slice(0, WRONG_PER_RUN)) {
      picked.push({ ...available.get(m.index)!, wrong: wrongBy.get(m.index)! });
    }
  }
  return picked;
}

function modelCard(run: Run, results: Results): string {
  const bars = Array.from(
    { length: 10 },
    (_, digit) =>
      `<li data-digit="${digit}"><span class="digit-demo-bar-label">${digit}</span><span class="digit-demo-bar"></span><span class="digit-demo-bar-value" data-value>0%</span></li>`,
  ).join('');
  const reported = formatMicroseconds(run.metrics.latencyP50Us.mean);
  return `<article class="digit-demo-model" data-model="${escapeHtml(run.key)}">
<h3>${escapeHtml(run.label)}</h3>
<p class="digit-demo-guess-line">Prediction: <output class="digit-demo-guess" data-guess>–</output></p>
<ol class="digit-demo-bars" aria-label="${escapeHtml(run.label)}: probability of each digit">${bars}</ol>
<dl class="digit-demo-latency">
<dt>Latency in your browser (p50)</dt><dd data-latency>measured on each backend once the models have loaded</dd>
<dt>Latency in the experiments (p50)</dt><dd data-reported-latency="${run.metrics.latencyP50Us.mean}">${reported} <span class="digit-demo-note">(Node, ${escapeHtml(results.provenance.backend)} backend, batch of 1)</span></dd>
</dl>
</article>`;
}

/** The correction panel: the true digit, the method, Reset, progress and the before → after table. */
function correctionPanel(runs: Run[], testCount: number): string {
  const digits = Array.from(
    { length: 10 },
    (_, d) =>
      `<button type="button" data-true-digit="${d}" aria-label="It is a ${d}: retrain both models">${d}</button>`,
  ).join('');
  const rows = runs
    .map(
      (run) =>
        `<tr data-retrain-model="${escapeHtml(run.key)}"><th scope="row">${escapeHtml(run.label)}</th><td data-answer>–</td><td data-accuracy>–</td><td data-time>–</td></tr>`,
    )
    .join('');
  return `<div class="digit-demo-correct" data-correct>
<h3>Wrong answer? Say which digit it is</h3>
<p class="digit-demo-note">A demonstration of on-device fine-tuning: both models take a few training steps on your example, here in your browser, and you see what that does to them. It changes nothing in the article's results: the published models stay as they are, nothing you draw leaves your browser, and Reset (or reloading the page) brings the published weights back.</p>
<fieldset class="digit-demo-method"><legend>How to retrain</legend>
<label><input type="radio" name="digit-demo-method" value="replay" checked> A few Adam steps on your example mixed with real MNIST training digits shipped with this page, so the models keep what they know</label>
<label><input type="radio" name="digit-demo-method" value="original"> As the original app: one Adam step on your image alone</label>
</fieldset>
<p class="digit-demo-true-digits" role="group" aria-label="The digit it really is">It is a ${digits}</p>
<p><button type="button" data-reset disabled>Reset to the published models</button> <progress data-progress max="1" value="0" hidden></progress></p>
<p class="digit-demo-status" data-retrain-status aria-live="polite">Draw, upload or pick a digit first.</p>
<table class="digit-demo-retrain">
<thead><tr><th scope="col">Model</th><th scope="col">Its answer for your example now</th><th scope="col">Accuracy on ${testCount} real MNIST test digits, before → after</th><th scope="col">Fine-tuning time</th></tr></thead>
<tbody>${rows}</tbody>
</table>
</div>`;
}

function digitButton(digit: DemoData['digits'][number]): string {
  const note = digit.wrong.map((w) => `${w.label} says ${w.predicted}`).join(', ');
  const label = `Test image ${digit.index}, a ${digit.label}${note ? ` (${note})` : ''}`;
  return `<li><button type="button" class="digit-demo-digit${note ? ' is-misclassified' : ''}" data-test-digit="${digit.index}" aria-label="${escapeHtml(label)}" title="${escapeHtml(label)}"><img src="data:image/png;base64,${Buffer.from(digitPng(digit.pixelsBase64)).toString('base64')}" width="28" height="28" alt="">${note ? `<span class="digit-demo-digit-note">${escapeHtml(note)}</span>` : ''}</button></li>`;
}

/**
 * Why the page's latencies differ from the experiment's, from how the experiment timed each model:
 * through TensorFlow.js layer by layer, as this page does, or (an MLP with OpenBLAS) as one chain of
 * BLAS calls with no framework in between.
 */
export function latencyWhy(experiment: Results, runs: Run[]): string {
  const chain = (run: Run) => run.trials[0]?.latency.batch1.path === 'chain';
  const names = (list: Run[]) => list.map((run) => escapeHtml(run.label)).join(' and ');
  const chained = runs.filter(chain);
  const layered = runs.filter((run) => !chain(run));
  const how =
    chained.length === 0
      ? 'both time the same call (one image in, the layers in turn, the scores read back), but the experiments ran it'
      : `this page runs each model's layers in turn through TensorFlow.js, while the experiments ran ${names(chained)} as one chain of BLAS calls with no framework in between${layered.length > 0 ? ` and ${names(layered)} layer by layer` : ''},`;
  return `Why the latencies differ: ${how} in Node on the machine that trained the models${experiment.provenance.blas ? ', with the matrix products on OpenBLAS' : ''}, and this page runs them inside your browser on your hardware; at this size a call's fixed costs (a dozen kernel dispatches, copies in and out, on WebGL a round trip to the GPU) outweigh its arithmetic, and they depend on the JavaScript engine and the machine more than on the model.`;
}

/**
 * The demo for experiment `id`: a drawing canvas, upload, the models' predictions and test digits.
 * Throws ContentError (naming `where`) for an unknown experiment; an experiment without saved
 * models gets a short explanation instead of the demo.
 */
export function renderDigitDemo(results: ResultsData, id: string, where: Where, assets: DemoAssets): string {
  const experiment = getExperiment(results, id, where);
  const runs = demoRuns(experiment);
  if (runs.length === 0) {
    return `<p class="digit-demo-missing">The results of this experiment do not include saved models, so the live demo is not available here.</p>`;
  }
  const testCount = experiment.samples?.indices.length ?? 0;
  const data: DemoData = {
    models: runs.map((run) => ({ key: run.key, label: run.label, path: run.savedModel! })),
    digits: pickDigits(experiment, runs),
    fineTuneData: testCount > 0 ? `data/${id}.json` : null,
  };
  const names = runs.map((run) => escapeHtml(run.label)).join(' and ');
  return `<section class="digit-demo" data-digit-demo data-experiment="${escapeHtml(id)}" aria-label="Try it yourself: draw a digit">
<link rel="stylesheet" href="${assets.stylesheet}">
<p class="digit-demo-print">On screen this page runs ${names} in the browser: draw or upload a digit, watch both classify it, correct a wrong answer and retrain them. The real MNIST test digits it offers are below where the page shows them.</p>
<noscript><p class="digit-demo-noscript">This demo runs ${names} in your browser with TensorFlow.js, so it needs JavaScript. Turn it on to draw a digit and watch both models classify it.</p></noscript>
<div class="digit-demo-body" data-body hidden>
<div class="digit-demo-input">
<canvas class="digit-demo-canvas" data-canvas width="280" height="280" role="img" aria-label="Drawing area: draw a digit from 0 to 9 with the mouse, a pen or a finger"></canvas>
<div class="digit-demo-controls">
<button type="button" data-clear>Clear</button>
<label class="digit-demo-upload">Upload a photo of a digit <input type="file" accept="image/*" data-upload></label>
<p class="digit-demo-upload-error" data-upload-error role="alert" hidden></p>
</div>
<figure class="digit-demo-seen"><canvas data-seen width="28" height="28" role="img" aria-label="The 28×28 image the models see"></canvas><figcaption>What the models see (28×28)</figcaption></figure>
</div>
<div class="digit-demo-models">
${runs.map((run) => modelCard(run, experiment)).join('\n')}
</div>
<p class="digit-demo-note digit-demo-latency-why">${latencyWhy(experiment, runs)}</p>
<p class="digit-demo-status" data-status aria-live="polite">TensorFlow.js and the models load when the demo comes into view.</p>
${testCount > 0 ? correctionPanel(runs, testCount) : ''}
<div class="digit-demo-digits">
<h3>Or pick a real MNIST test digit</h3>
<p class="digit-demo-note">Outlined digits are ones a model gets wrong in the experiments.</p>
<ul>${data.digits.map(digitButton).join('')}</ul>
</div>
</div>
<script type="application/json" data-digit-demo-data>${scriptJson(data)}</script>
</section>
<script type="module" src="${assets.script}"></script>`;
}
