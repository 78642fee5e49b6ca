/**
 * A post's title, description and tags are data: built into every page that shows them (the post,
 * the home page, the tag pages, the feed, the page head), they must come out as text, never markup.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildSite } from '../../site/build.ts';
import { browserSkipReason, launchChromium, serve } from '../helpers/browser.ts';
import { makeResults, writeFixtureResults } from '../fixtures/results-fixture.ts';

const TITLE = '</title><script>alert("title")</script>';
const DESCRIPTION = "\"><script>alert('description')</script>";
const TAG = '<b>bold</b> & co';

let dir: string;
let output: string;
const pages = new Map<string, string>();

/** Every file under `root`, relative to it. */
async function files(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

before(async () => {
  await mkdir('tests/artifacts', { recursive: true });
  dir = path.relative(process.cwd(), await mkdtemp(path.join('tests/artifacts', 'escaping-')));
  const content = path.join(dir, 'content');
  await mkdir(path.join(content, 'posts'), { recursive: true });
  for (const page of ['index.liquid', 'tag.liquid', 'tags.liquid']) {
    await cp(path.join('content', page), path.join(content, page));
  }
  await cp(
    'tests/fixtures/site/content/posts/posts.11tydata.js',
    path.join(content, 'posts', 'posts.11tydata.js'),
  );
  await writeFile(
    path.join(content, 'posts', 'evil.md'),
    `---\ntitle: ${JSON.stringify(TITLE)}\ndescription: ${JSON.stringify(DESCRIPTION)}\ndate: 2025-02-06\nexperiment: mlp-vs-lenet\ntags: [${JSON.stringify(TAG)}]\n---\nBody.\n`,
  );
  await writeFixtureResults(path.join(dir, 'results'), [makeResults({ id: 'mlp-vs-lenet' })]);
  output = path.join(dir, 'out');
  await buildSite({
    resultsDir: path.join(dir, 'results'),
    contentDir: content,
    outputDir: output,
    quiet: true,
  });
  for (const file of await files(output)) {
    if (/\.(html|xml)$/.test(file)) pages.set(file, await readFile(path.join(output, file), 'utf8'));
  }
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const escaped = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&#34;')
    .replace(/'/g, '&#39;');

describe('titles, descriptions and tags in the built site', () => {
  it('builds the post, the home page, the tag pages and the feed', () => {
    for (const file of ['2025/02/06/evil.html', 'index.html', 'tags/index.html', 'feed.xml']) {
      assert.ok(pages.has(file), `${file} (built: ${[...pages.keys()].join(', ')})`);
    }
    assert.ok(
      [...pages.keys()].some((file) => /^tags\/[^/]+\/index\.html$/.test(file)),
      'a tag page',
    );
  });

  it('injects no markup anywhere: no script element, no bold tag, no early </title>', () => {
    for (const [file, html] of pages) {
      assert.doesNotMatch(html, /<script>alert/, file);
      assert.doesNotMatch(html, /<b>bold<\/b>/, file);
      if (file.endsWith('.html')) assert.equal(html.split('</title>').length, 2, `${file}: one </title>`);
    }
  });

  it('shows the title as text in the post’s head and heading, on the home page and in the feed', () => {
    const post = pages.get('2025/02/06/evil.html')!;
    assert.ok(post.includes(`<title>${escaped(TITLE)} · `), post.slice(0, 400));
    assert.ok(post.includes(`<h1>${escaped(TITLE)}</h1>`));
    assert.ok(post.includes(`<meta name="description" content="${escaped(DESCRIPTION)}">`));
    assert.ok(post.includes(`<p class="description">${escaped(DESCRIPTION)}</p>`));
    assert.ok(post.includes(`>${escaped(TAG)}</a>`));
    const home = pages.get('index.html')!;
    assert.ok(home.includes(`>${escaped(TITLE)}</a></h2>`));
    assert.ok(home.includes(`<p>${escaped(DESCRIPTION)}</p>`));
    assert.ok(pages.get('tags/index.html')!.includes(`>${escaped(TAG)}</a>`));
    const feed = pages.get('feed.xml')!;
    assert.ok(feed.includes(`<title>${escaped(TITLE)}</title>`));
    assert.ok(feed.includes(`<summary>${escaped(DESCRIPTION)}</summary>`));
  });

  it('shows the tag as text in its tag page’s head and heading', () => {
    const [file, html] = [...pages].find(([f]) => /^tags\/[^/]+\/index\.html$/.test(f))!;
    assert.ok(html.includes(`<h1>Tagged “${escaped(TAG)}”</h1>`), file);
    assert.ok(html.includes(`<title>Tagged “${escaped(TAG)}” · `), file);
  });
});

describe('the built post in a real browser', { skip: browserSkipReason() }, () => {
  it('has the title as its document title and heading text, and runs no injected script', async () => {
    const server = await serve(output);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await page.goto(`${server.origin}/2025/02/06/evil.html`);
      assert.equal(await page.title(), `${TITLE} · MNIST, measured`);
      assert.equal(await page.locator('h1').textContent(), TITLE);
      assert.equal(await page.locator('.post-header .description').textContent(), DESCRIPTION);
      assert.equal(await page.locator('script', { hasText: 'alert' }).count(), 0);
      await page.goto(`${server.origin}/`);
      assert.equal(await page.locator('.post-list h2').textContent(), TITLE);
      assert.deepEqual(dialogs, []);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
