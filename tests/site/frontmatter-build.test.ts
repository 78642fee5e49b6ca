import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { buildSite } from '../../site/build.ts';
import { makeResults, writeFixtureResults } from '../fixtures/results-fixture.ts';

let dir: string;
let resultsDir: string;

before(async () => {
  await mkdir('tests/artifacts', { recursive: true });
  dir = path.relative(process.cwd(), await mkdtemp(path.join('tests/artifacts', 'frontmatter-build-')));
  resultsDir = path.join(dir, 'results');
  await writeFixtureResults(resultsDir, [makeResults({ id: 'mlp-vs-lenet' })]);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A content folder with the fixture's folder data and the post `posts/bad.md` holding `text`. */
async function contentWith(name: string, text: string, page?: string): Promise<string> {
  const content = path.join(dir, name);
  await cp(
    'tests/fixtures/site/content/posts/posts.11tydata.js',
    path.join(content, 'posts', 'posts.11tydata.js'),
  );
  await writeFile(path.join(content, 'posts', 'bad.md'), text);
  if (page !== undefined) await writeFile(path.join(content, 'page.md'), page);
  return content;
}

const build = (content: string) =>
  buildSite({
    resultsDir,
    contentDir: content,
    outputDir: path.join(dir, `${path.basename(content)}-out`),
    quiet: true,
  });

test('a post dated 2025-13-45 fails the build instead of moving to 2026-02-14', async () => {
  const content = await contentWith(
    'bad-date',
    '---\ntitle: T\ndescription: D\ndate: 2025-13-45\nexperiment: mlp-vs-lenet\n---\nBody.\n',
  );
  await assert.rejects(build(content), {
    name: 'ContentError',
    message: `${content}/posts/bad.md:4: front matter: date: '2025-13-45' is not a calendar date (expected YYYY-MM-DD, e.g. 2025-02-06)`,
  });
});

test('a tab in a post’s front matter is one line with file, line and column, not Eleventy’s report', async () => {
  const content = await contentWith(
    'tab',
    '---\ntitle: T\ndescription: D\ndate: 2025-01-01\nexperiment: mlp-vs-lenet\ntags:\n\t- a\n---\nBody.\n',
  );
  await assert.rejects(build(content), {
    name: 'ContentError',
    message: `${content}/posts/bad.md:7:1: front matter is not valid YAML: tab characters must not be used in indentation`,
  });
});

test('bad YAML in a page that is not a post is reported the same way', async () => {
  const content = await contentWith(
    'page-yaml',
    '---\ntitle: T\ndescription: D\ndate: 2025-01-01\nexperiment: mlp-vs-lenet\n---\nBody.\n',
    '---\ntitle: About\n  permalink: /about/\n---\nText.\n',
  );
  await assert.rejects(build(content), {
    name: 'ContentError',
    message: `${content}/page.md:3:12: front matter is not valid YAML: bad indentation of a mapping entry`,
  });
});

test('an unknown key in a post names the known ones', async () => {
  const content = await contentWith(
    'unknown-key',
    '---\ntitle: T\ndescription: D\ndate: 2025-01-01\nexperiment: mlp-vs-lenet\nsummary: S\n---\nBody.\n',
  );
  await assert.rejects(build(content), {
    name: 'ContentError',
    message: `${content}/posts/bad.md:6: front matter: summary: unknown key (allowed: title, description, date, experiment, tags, originalUrl, claims)`,
  });
});
