import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { buildSite } from '../../site/build.ts';
import { countWord } from '../../site/filters.ts';
import { parsePostFrontMatter } from '../../site/frontmatter.ts';
import { browserSkipReason, launchChromium, serve } from '../helpers/browser.ts';

/** The five posts of the original series: where the original had each, and which post here is it. */
const ORIGINAL_URLS = [
  { url: '/2024/12/13/evaluating-ml-models.html', post: 'evaluating-models' },
  { url: '/2024/12/25/effects-of-model-depth-and-width-on-accuracy.html', post: 'depth-and-width' },
  { url: '/2024/12/25/effects-of-batch-size.html', post: 'batch-size' },
  { url: '/2025/02/01/comparing-ml-models.html', post: 'mlp1-vs-mlp2' },
  { url: '/2025/02/06/mlp-vs-lenet-for-digit-recognition.html', post: 'mlp-vs-lenet' },
];

let dir: string;
let site: string;

before(async () => {
  await mkdir('tests/artifacts', { recursive: true });
  dir = path.relative(process.cwd(), await mkdtemp(path.join('tests/artifacts', 'redirects-')));
  site = path.join(dir, '_site');
  // The real posts and the committed results.
  await buildSite({ outputDir: site, quiet: true });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The post's own URL: the folder data's /YYYY/MM/DD/<slug>.html from its date. */
function canonicalUrl(date: Date, slug: string): string {
  return `/${date.toISOString().slice(0, 10).replaceAll('-', '/')}/${slug}.html`;
}

for (const { url, post } of ORIGINAL_URLS) {
  test(`${url} sends the reader on to the ${post} post, with no JavaScript`, async (t) => {
    const file = `content/posts/${post}.md`;
    if (!existsSync(file)) return t.skip(`${file} is not written yet`);
    const frontMatter = parsePostFrontMatter(await readFile(file, 'utf8'), file);
    assert.equal(frontMatter.originalUrl, url, `${file}: originalUrl`);
    const target = canonicalUrl(frontMatter.date, post);
    assert.ok(existsSync(path.join(site, target)), `${target} is built`);
    const html = await readFile(path.join(site, url), 'utf8');
    assert.ok(html.includes(`<meta http-equiv="refresh" content="0; url=${target}">`), html);
    assert.match(
      html,
      new RegExp(`<link rel="canonical" href="https?://[^"]+${target.replaceAll('.', '\\.')}">`),
    );
    assert.ok(html.includes(`<a href="${target}">`), 'a link for readers whose browser does not refresh');
    assert.ok(!html.includes('<script'), 'no JavaScript');
  });
}

test('the feed and the home page link each post at its one canonical URL, never an original one', async () => {
  for (const page of ['feed.xml', 'index.html']) {
    const text = await readFile(path.join(site, page), 'utf8');
    for (const { url } of ORIGINAL_URLS) assert.ok(!text.includes(url), `${page} links ${url}`);
  }
  const feed = await readFile(path.join(site, 'feed.xml'), 'utf8');
  assert.ok(feed.includes('/2025/02/06/mlp-vs-lenet.html'));
});

test('a browser opening an original URL ends on the post', async (t) => {
  const skip = browserSkipReason();
  if (skip) return t.skip(skip);
  const server = await serve(path.resolve(site));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/2025/02/06/mlp-vs-lenet-for-digit-recognition.html`);
    await page.waitForURL(`${server.origin}/2025/02/06/mlp-vs-lenet.html`);
    assert.match((await page.locator('h1').first().textContent()) ?? '', /MLP-5 vs LeNet-5/);
  } finally {
    await browser.close();
    await server.close();
  }
});

test('the home page counts the posts it lists', async () => {
  const posts = (await readdir('content/posts')).filter((file) => file.endsWith('.md')).length;
  const home = await readFile(path.join(site, 'index.html'), 'utf8');
  assert.ok(home.includes(`<p>${countWord(posts)} articles revisit`), `expected ${posts} in words`);
  assert.equal(countWord(5), 'Five');
  assert.equal(countWord(13), '13');
});

test('footnote marks of one table heading are separated, so notes 2 and 3 do not read 23', async () => {
  const html = await readFile(path.join(site, '2025/02/06/mlp-vs-lenet.html'), 'utf8');
  assert.doesNotMatch(html, /<\/sup><sup>/);
  assert.match(html, /<sup><a href="#repro-note-\d+"[^>]*>\d+<\/a>, <a href="#repro-note-\d+"/);
});
