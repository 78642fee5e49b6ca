import assert from 'node:assert/strict';
import { access, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { buildSite, eleventyInputDir } from '../../site/build.ts';
import { STAMP_FILE } from '../../site/build-stamp.ts';
import { formatMetric } from '../../site/format.ts';
import { makeReference, writeFixtureReference } from '../fixtures/reference-fixture.ts';
import { makeResults, writeFixtureResults } from '../fixtures/results-fixture.ts';

const FIXTURE_CONTENT = 'tests/fixtures/site/content';
const headline = makeResults({ id: 'mlp-vs-lenet' });
let dir: string;
let resultsDir: string;

before(async () => {
  // Inside the project, so error messages name short relative paths.
  await mkdir('tests/artifacts', { recursive: true });
  dir = path.relative(process.cwd(), await mkdtemp(path.join('tests/artifacts', 'site-build-')));
  resultsDir = path.join(dir, 'results');
  await writeFixtureResults(resultsDir, [headline, makeResults({ id: 'batch-size', seeds: [1, 2] })]);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A content folder with the fixture's folder data and one post, `posts/bad.md`, holding `text`. */
async function contentWith(name: string, text: string): Promise<string> {
  const content = path.join(dir, name);
  await cp(
    path.join(FIXTURE_CONTENT, 'posts', 'posts.11tydata.js'),
    path.join(content, 'posts', 'posts.11tydata.js'),
  );
  await writeFile(path.join(content, 'posts', 'bad.md'), text);
  return content;
}

const GOOD_FRONT_MATTER = 'title: T\ndescription: D\ndate: 2025-01-01\nexperiment: mlp-vs-lenet';

test('the fixture site builds with the numbers bound from the results and a wide and a narrow SVG per chart', async () => {
  const output = path.join(dir, 'out');
  // A stamp from an earlier npm run build must not vouch for this build's output (site/build-stamp.ts).
  await mkdir(output, { recursive: true });
  await writeFile(path.join(output, STAMP_FILE), '{"inputs":"x","outputs":{}}');
  await buildSite({ resultsDir, contentDir: FIXTURE_CONTENT, outputDir: output, quiet: true });
  await assert.rejects(access(path.join(output, STAMP_FILE)), { code: 'ENOENT' });
  const html = await readFile(path.join(output, '2025/02/06/small-comparison.html'), 'utf8');
  const lenet = headline.runs.find((r) => r.key === 'lenet5')!;
  assert.ok(html.includes(formatMetric('accuracy', lenet.metrics.accuracy.mean)));
  assert.ok(html.includes(formatMetric('sizeBytes', lenet.metrics.sizeBytes)));
  assert.ok(html.includes('44,426'));
  assert.match(html, /<table>/);
  assert.match(html, /Provenance/);
  // Each chart is drawn twice: for the text column and for phones (switched by CSS).
  assert.equal(html.match(/<svg[\s>]/g)?.length, 4);
  const feed = await readFile(path.join(output, 'feed.xml'), 'utf8');
  assert.match(feed, /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
  assert.match(feed, /A small comparison/);
  const sweep = await readFile(path.join(output, '2024/12/25/batch-sweep.html'), 'utf8');
  assert.match(sweep, /At batch 1 an epoch of MLP-1 took <span class="num"[^>]*>\d/);
});

test('a false claim fails the build naming the post, the line of the claim and the values', async () => {
  const content = await contentWith(
    'false-claim',
    `---\n${GOOD_FRONT_MATTER}\nclaims:\n  - mlp5.accuracy > lenet5.accuracy\n---\nBody.\n`,
  );
  await assert.rejects(
    buildSite({ resultsDir, contentDir: content, outputDir: path.join(dir, 'out1'), quiet: true }),
    {
      name: 'ClaimError',
      message: new RegExp(
        `^${content}/posts/bad\\.md:7: claim 'mlp5\\.accuracy > lenet5\\.accuracy' is false: mlp5\\.accuracy = 0\\.9\\d+, lenet5\\.accuracy = 0\\.9\\d+$`,
      ),
    },
  );
});

test('a missing experiment fails the build with the post path and the line of `experiment`', async () => {
  const content = await contentWith(
    'missing-experiment',
    '---\ntitle: T\ndescription: D\ndate: 2025-01-01\nexperiment: nope\n---\nBody.\n',
  );
  await assert.rejects(
    buildSite({ resultsDir, contentDir: content, outputDir: path.join(dir, 'out2'), quiet: true }),
    {
      name: 'ContentError',
      message: `${content}/posts/bad.md:5: unknown experiment 'nope' (known: batch-size, mlp-vs-lenet)`,
    },
  );
});

test('bad front matter fails the build with the post path and line', async () => {
  const content = await contentWith(
    'bad-front-matter',
    `---\n${GOOD_FRONT_MATTER}\nclaim:\n  - x.y > 1\n---\nBody.\n`,
  );
  await assert.rejects(
    buildSite({ resultsDir, contentDir: content, outputDir: path.join(dir, 'out3'), quiet: true }),
    {
      message: `${content}/posts/bad.md:6: front matter: claim: unknown key (allowed: title, description, date, experiment, tags, originalUrl, claims)`,
    },
  );
});

test('an unknown run or metric in a shortcode fails the build with its line', async () => {
  const body = 'First line.\n\nSecond: {% metric "lenet6" "accuracy" %}.\n';
  const content = await contentWith('unknown-run', `---\n${GOOD_FRONT_MATTER}\n---\n${body}`);
  await assert.rejects(
    buildSite({ resultsDir, contentDir: content, outputDir: path.join(dir, 'out4'), quiet: true }),
    {
      message: `${content}/posts/bad.md:9: unknown run 'lenet6' in experiment 'mlp-vs-lenet' (known: mlp5, lenet5)`,
    },
  );
  const chart = 'Text.\n{% chart "acuracy" %}\n';
  const content2 = await contentWith('unknown-metric', `---\n${GOOD_FRONT_MATTER}\n---\n${chart}`);
  await assert.rejects(
    buildSite({ resultsDir, contentDir: content2, outputDir: path.join(dir, 'out5'), quiet: true }),
    {
      message: new RegExp(`^${content2}/posts/bad\\.md:8: unknown metric 'acuracy' \\(known: params, `),
    },
  );
});

test('a content folder given as an absolute path is passed to Eleventy relative to the working directory', () => {
  assert.equal(eleventyInputDir(path.resolve('content')), 'content');
  assert.equal(eleventyInputDir(process.cwd()), '.');
  assert.equal(eleventyInputDir('/x/y'), path.relative(process.cwd(), '/x/y'));
});

test('a content folder outside the working directory keeps its folder data: layout and dated permalinks', async () => {
  const outside = await mkdtemp(path.join(os.tmpdir(), 'site-content-'));
  try {
    await cp(FIXTURE_CONTENT, outside, { recursive: true });
    const output = path.join(outside, 'out');
    await buildSite({ resultsDir, contentDir: outside, outputDir: output, quiet: true });
    const html = await readFile(path.join(output, '2025/02/06/small-comparison.html'), 'utf8');
    assert.match(html, /<article class="post"/);
    await assert.rejects(access(path.join(output, 'posts/small-comparison/index.html')), { code: 'ENOENT' });
  } finally {
    await rm(outside, { recursive: true, force: true });
  }
});

test('a number typed into a post fails the build at its line; a declared literal builds', async () => {
  const body = 'Intro.\n\nLeNet-5 reaches 99.9% accuracy and is 50× smaller.\n';
  const content = await contentWith('typed-number', `---\n${GOOD_FRONT_MATTER}\n---\n${body}`);
  await assert.rejects(
    buildSite({ resultsDir, contentDir: content, outputDir: path.join(dir, 'out6'), quiet: true }),
    {
      name: 'ContentError',
      message: new RegExp(`^${content}/posts/bad\\.md:9: '99\\.9%' is typed into the prose`),
    },
  );
  const declared = 'One {% literal "5×5" %} kernel.\n';
  const content2 = await contentWith('literal', `---\n${GOOD_FRONT_MATTER}\n---\n${declared}`);
  const output = path.join(dir, 'out7');
  await buildSite({ resultsDir, contentDir: content2, outputDir: output, quiet: true });
  const html = await readFile(path.join(output, '2025/01/01/bad.html'), 'utf8');
  assert.match(html, /One 5×5 kernel\./);
});

test('a reproduction table for an experiment the original never ran fails at its line', async () => {
  const ownResults = path.join(dir, 'results-no-original');
  await writeFixtureResults(ownResults, [makeResults({ id: 'no-original' })]);
  const front = GOOD_FRONT_MATTER.replace('mlp-vs-lenet', 'no-original');
  const content = await contentWith('no-original', `---\n${front}\n---\nText.\n\n{% reproductionTable %}\n`);
  await assert.rejects(
    buildSite({
      resultsDir: ownResults,
      contentDir: content,
      outputDir: path.join(dir, 'out8'),
      quiet: true,
    }),
    {
      name: 'ContentError',
      message: `${content}/posts/bad.md:9: {% reproductionTable %}: the original series has no figures for experiment 'no-original'`,
    },
  );
});

test('a post shows verdicts against the PyTorch reference: table rows, the seed chart, bound fields and claims', async () => {
  // A many-seed experiment that no post names builds, and decides LeNet-5's verdict on the post.
  const ownResults = path.join(dir, 'results-verdicts');
  const seeds = makeResults({ id: 'lenet5-seeds', models: ['lenet5'], seeds: [1, 2, 3, 4, 5] });
  await writeFixtureResults(ownResults, [headline, seeds]);
  const referenceDir = path.join(dir, 'reference');
  const lenet = headline.runs.find((run) => run.key === 'lenet5')!;
  await writeFixtureReference(
    referenceDir,
    makeReference({ lenet5: lenet.trials.map((t) => t.test.correct + 1), mlp5: [9600, 9610, 9620] }),
  );
  const front = `${GOOD_FRONT_MATTER}\nclaims:\n  - reproduction.lenet5.welchP > 0.05\n  - reproduction.lenet5.pytorchSeeds == 3`;
  const body =
    'Welch gives p {% reproduction "lenet5" "welchP" %} over {% reproduction "lenet5" "pytorchSeeds" %} PyTorch seeds: {% reproduction "lenet5" "reproduced" %}.\n\n{% seedDistributions "lenet5" %}\n\n{% reproductionTable %}\n';
  const content = await contentWith('verdicts', `---\n${front}\n---\n${body}`);
  const output = path.join(dir, 'out9');
  await buildSite({
    resultsDir: ownResults,
    referenceDir,
    contentDir: content,
    outputDir: output,
    quiet: true,
  });
  const html = await readFile(path.join(output, '2025/01/01/bad.html'), 'utf8');
  assert.match(html, /<span class="seeds">from ‘Fixture lenet5-seeds’<\/span>/);
  assert.match(html, /Welch gives p (0\.\d+|1) over 3 PyTorch seeds: (reproduced|differs)\./);
  assert.match(html, /<svg[^>]+id="chart-reproduction-lenet5"/);
  assert.match(html, /<table class="verdicts">/);
  assert.equal(html.match(/class="verdict verdict-/g)?.length, 2);
});

test('a claim or shortcode about a verdict fails the build when there is no PyTorch reference', async () => {
  const referenceDir = path.join(dir, 'no-reference');
  const front = `${GOOD_FRONT_MATTER}\nclaims:\n  - reproduction.lenet5.reproduced`;
  const content = await contentWith('no-reference', `---\n${front}\n---\nBody.\n`);
  await assert.rejects(
    buildSite({
      resultsDir,
      referenceDir,
      contentDir: content,
      outputDir: path.join(dir, 'out10'),
      quiet: true,
    }),
    {
      name: 'ClaimError',
      message: `${content}/posts/bad.md:7: claim 'reproduction.lenet5.reproduced' cannot be evaluated: no PyTorch reference to compare 'lenet5' with (experiments/reference/pytorch.json is missing)`,
    },
  );
  const chart = await contentWith(
    'no-reference-chart',
    `---\n${GOOD_FRONT_MATTER}\n---\nText.\n\n{% seedDistributions "lenet5" %}\n`,
  );
  await assert.rejects(
    buildSite({
      resultsDir,
      referenceDir,
      contentDir: chart,
      outputDir: path.join(dir, 'out11'),
      quiet: true,
    }),
    {
      message: `${chart}/posts/bad.md:9: no PyTorch reference to compare 'lenet5' with (experiments/reference/pytorch.json is missing)`,
    },
  );
});
