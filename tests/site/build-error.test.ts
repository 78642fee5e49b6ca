import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { describeBuildError, describeBuildErrorInFull } from '../../site/build-error.ts';
import { buildSite } from '../../site/build.ts';
import { ContentError } from '../../site/errors.ts';
import { makeResults, writeFixtureResults } from '../fixtures/results-fixture.ts';

let dir: string;
let resultsDir: string;

before(async () => {
  await mkdir('tests/artifacts', { recursive: true });
  dir = path.relative(process.cwd(), await mkdtemp(path.join('tests/artifacts', 'build-error-')));
  resultsDir = path.join(dir, 'results');
  await writeFixtureResults(resultsDir, [makeResults({ id: 'mlp-vs-lenet' })]);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The one-line description of the build of a content folder whose one post is `text`. */
async function failureOf(name: string, text: string): Promise<{ line: string; post: string; full: string }> {
  const content = path.join(dir, name);
  await mkdir(path.join(content, 'posts'), { recursive: true });
  await cp(
    'tests/fixtures/site/content/posts/posts.11tydata.js',
    path.join(content, 'posts', 'posts.11tydata.js'),
  );
  const post = path.join(content, 'posts', 'bad.md');
  await writeFile(post, text);
  try {
    await buildSite({ resultsDir, contentDir: content, outputDir: path.join(content, 'out'), silent: true });
  } catch (error) {
    return { line: describeBuildError(error), post, full: describeBuildErrorInFull(error) };
  }
  throw new Error(`${name}: the build did not fail`);
}

const FRONT = '---\ntitle: T\ndescription: D\ndate: 2025-01-01\nexperiment: mlp-vs-lenet\n---\n';

test('invalid YAML in the front matter is told as the post and the line of the mistake', async () => {
  const { line, post } = await failureOf(
    'yaml',
    '---\ntitle: T\ndescription: [D\ndate: 2025-01-01\n---\nBody.\n',
  );
  assert.match(line, new RegExp(`^${post}:4(:\\d+)?: front matter is not valid YAML: missed comma`));
});

test('a Liquid error is told with the line in the file, not in the body', async () => {
  const { line, post, full } = await failureOf('liquid', `${FRONT}Body.\n\nMore {% metrik "a" %} x\n`);
  assert.equal(line, `${post}:9: tag "metrik" not found`);
  assert.match(full, /caused by: /, 'the whole chain is kept for --debug');
});

test("the site's own errors are told as they are, and keep their cause", () => {
  const cause = new Error('inner');
  const error = new ContentError('content/posts/x.md', 3, 'unknown run', { cause });
  assert.equal(
    describeBuildError(Object.assign(new Error('Having trouble'), { originalError: error })),
    'content/posts/x.md:3: unknown run',
  );
  assert.equal(error.cause, cause);
  assert.match(describeBuildErrorInFull(error), /caused by: Error: inner/);
});
