/**
 * The learning-curve shortcodes, chart and table in a built post (fixture results), and the
 * pre-pass failing at the line of a call whose run, field or epoch does not exist.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { buildSite } from '../../site/build.ts';
import { formatPercent } from '../../site/format.ts';
import { epochSummary, plateauEpoch } from '../../site/learning-curves.ts';
import { makeResults, writeFixtureResults } from '../fixtures/results-fixture.ts';

const FIXTURE_CONTENT = 'tests/fixtures/site/content';
const evaluating = makeResults({ id: 'evaluating-models', seeds: [1, 2, 3] });
const FRONT_MATTER = 'title: T\ndescription: D\ndate: 2024-12-13\nexperiment: evaluating-models';
let dir: string;
let resultsDir: string;

before(async () => {
  await mkdir('tests/artifacts', { recursive: true });
  dir = path.relative(process.cwd(), await mkdtemp(path.join('tests/artifacts', 'learning-build-')));
  resultsDir = path.join(dir, 'results');
  await writeFixtureResults(resultsDir, [evaluating, makeResults({ id: 'mlp-vs-lenet' })]);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A content folder with the fixture's folder data and one post, `posts/p.md`: front matter and `body`. */
async function contentWith(name: string, body: string, front = FRONT_MATTER): Promise<string> {
  const content = path.join(dir, name);
  await cp(
    path.join(FIXTURE_CONTENT, 'posts', 'posts.11tydata.js'),
    path.join(content, 'posts', 'posts.11tydata.js'),
  );
  await writeFile(path.join(content, 'posts', 'p.md'), `---\n${front}\n---\n${body}`);
  return content;
}

test('a post binds accuracies after an epoch, the plateau and peak, and draws the learning curves and table', async () => {
  const body = [
    'After one epoch {% atEpoch "lenet5" "valAccuracy" 1 %} (original {% originalAtEpoch "lenet5" "valAccuracy" 1 %}).',
    'Stops improving at epoch {% plateauEpoch \'mlp-512\' %}, best at {% peakEpoch "mlp-512" %}.',
    'Published {% original "mlp-512" "trainSecondsPerEpoch" %}, meant {% corrected "mlp-512" "trainSecondsPerEpoch" %}.',
    '',
    '{% learningCurves %}',
    '',
    '{% learningCurveTable %}',
    '',
  ].join('\n');
  const content = await contentWith('good', body);
  const output = path.join(dir, 'out-good');
  await buildSite({ resultsDir, contentDir: content, outputDir: output, quiet: true });
  const html = await readFile(path.join(output, '2024/12/13/p.html'), 'utf8');
  const lenet = evaluating.runs.find((run) => run.key === 'lenet5')!;
  const mlp = evaluating.runs.find((run) => run.key === 'mlp-512')!;
  const first = epochSummary(lenet, 'valAccuracy', 1)!;
  assert.ok(
    html.includes(
      `After one epoch <span class="num" title="mean of 3 seeds; lowest and highest seed ${formatPercent(first.min)} and ${formatPercent(first.max)}">${formatPercent(first.mean)}</span> (original 94.8%).`,
    ),
  );
  assert.match(
    html,
    new RegExp(
      `Stops improving at epoch <span class="num" title="the first epoch whose mean validation accuracy is within 0\\.1 percentage points of the best epoch&#39;s">${plateauEpoch(mlp)}</span>, best at 10\\.`,
    ),
  );
  assert.ok(html.includes('Published 2.8\u00a0s, meant 2.08\u00a0s.'));
  assert.equal(html.match(/<svg[\s>]/g)?.length, 2, 'the learning curves, wide and narrow');
  assert.match(
    html,
    /<figcaption>Learning curves: Evaluating ML models\. <span class="chart-caption">Lines are the mean over 3 seeds/,
  );
  assert.match(html, /<figure class="reproduction learning-curve-table">/);
});

test('a learning-curve shortcode with an epoch not trained, an unknown field or an epoch not printed fails at its line', async () => {
  const cases = [
    ['{% atEpoch "lenet5" "valAccuracy" 11 %}', "run 'lenet5' has no epoch '11' (trained: 1–10)"],
    [
      '{% atEpoch "lenet5" "valAcc" 1 %}',
      "unknown epoch field 'valAcc' (known: trainAccuracy, valAccuracy, trainLoss, valLoss)",
    ],
    [
      '{% originalAtEpoch "mlp-512" "trainAccuracy" 3 %}',
      "the original printed no epoch '3' for run 'mlp-512' (printed: 1, 5, 10)",
    ],
    [
      '{% corrected "lenet5" "trainSecondsPerEpoch" %}',
      "the original's 'trainSecondsPerEpoch' for run 'lenet5' of 'evaluating-models' has no correction",
    ],
    [
      '{% plateauEpoch "lenet6" %}',
      "unknown run 'lenet6' in experiment 'evaluating-models' (known: lenet5, mlp-512)",
    ],
  ];
  for (const [i, [call, message]] of cases.entries()) {
    const content = await contentWith(`bad-${i}`, `First line.\n\nThen ${call}.\n`);
    await assert.rejects(
      buildSite({ resultsDir, contentDir: content, outputDir: path.join(dir, `out-bad-${i}`), quiet: true }),
      { name: 'ContentError', message: `${content}/posts/p.md:9: ${message}` },
    );
  }
});

test('a learning-curve table on a post whose original printed no epochs fails at its line', async () => {
  const front = FRONT_MATTER.replace('evaluating-models', 'mlp-vs-lenet');
  const content = await contentWith('no-epochs', 'Text.\n\n{% learningCurveTable %}\n', front);
  await assert.rejects(
    buildSite({ resultsDir, contentDir: content, outputDir: path.join(dir, 'out-no-epochs'), quiet: true }),
    {
      name: 'ContentError',
      message: `${content}/posts/p.md:9: {% learningCurveTable %}: the original published no per-epoch accuracies for experiment 'mlp-vs-lenet'`,
    },
  );
});
