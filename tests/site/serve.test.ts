import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { BuilderMessage } from '../../site/serve/builder.ts';
import { serveSite, type RunningServer } from '../../site/serve/serve.ts';
import { makeResults, writeFixtureResults } from '../fixtures/results-fixture.ts';
import { browserSkipReason, launchChromium } from '../helpers/browser.ts';

const FIXTURE_CONTENT = 'tests/fixtures/site/content';
const POST_URL = '/2025/02/06/small-comparison.html';
let dir: string;
let post: string;
let server: RunningServer;
let browser: Browser | undefined;
const builds: BuilderMessage[] = [];
const lines: string[] = [];
let waiters: ((message: BuilderMessage) => void)[] = [];

/** The next build's report after `action`. */
async function nextBuild(action: () => Promise<void> = async () => {}): Promise<BuilderMessage> {
  const built = new Promise<BuilderMessage>((resolve) => waiters.push(resolve));
  await action();
  return built;
}

/** GET with the path sent byte for byte (fetch and URL would normalise `..` away). */
function rawGet(origin: string, rawPath: string): Promise<number> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const request = http.get({ hostname, port, path: rawPath }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
  });
}

before(async () => {
  await mkdir('tests/artifacts', { recursive: true });
  dir = path.relative(process.cwd(), await mkdtemp(path.join('tests/artifacts', 'serve-')));
  const content = path.join(dir, 'content');
  await cp(FIXTURE_CONTENT, content, { recursive: true });
  post = path.join(content, 'posts', 'small-comparison.md');
  const resultsDir = path.join(dir, 'results');
  await writeFixtureResults(resultsDir, [
    makeResults({ id: 'mlp-vs-lenet' }),
    makeResults({ id: 'batch-size', seeds: [1, 2] }),
  ]);
  // A sibling of the output folder whose name starts with the output's (11ty/dev-server#152).
  await mkdir(path.join(dir, '_site-other'), { recursive: true });
  await writeFile(path.join(dir, '_site-other', 'secret.txt'), 'not to be served');
  const firstBuild = nextBuild();
  server = await serveSite({
    contentDir: content,
    resultsDir,
    outputDir: path.join(dir, '_site'),
    port: 0,
    log: (line) => lines.push(line),
    onBuild: (message) => {
      builds.push(message);
      const pending = waiters;
      waiters = [];
      for (const resolve of pending) resolve(message);
    },
  });
  const first = await firstBuild;
  assert.equal(first.type, 'built', first.type === 'failed' ? first.message : '');
});

after(async () => {
  await browser?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

test('the server listens on 127.0.0.1 by default and serves the built pages', async () => {
  assert.match(server.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
  const response = await fetch(server.origin + POST_URL);
  assert.equal(response.status, 200);
  const html = await response.text();
  assert.match(html, /A small comparison/);
  assert.match(html, /<script type="module" src="\/__live\/client\.js"><\/script><\/body>/);
});

test('requests that try to leave the output folder get a 400 or 404 and the server stays up', async () => {
  for (const rawPath of [
    '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/%',
    '/../_site-other/secret.txt',
    '/%2e%2e%2f_site-other%2fsecret.txt',
    '/..%2f_site-other%2fsecret.txt',
    '/%2e%2e/_site-other/secret.txt',
  ]) {
    const status = await rawGet(server.origin, rawPath);
    assert.ok(status === 400 || status === 404, `${rawPath}: ${status}`);
  }
  assert.equal((await fetch(server.origin + POST_URL)).status, 200);
});

test('a prose edit reloads the page, a false claim replaces it with the error, the fix brings it back', async (t) => {
  const skip = browserSkipReason();
  if (skip) return t.skip(skip);
  browser = await launchChromium();
  const page = await browser.newPage();
  await page.goto(server.origin + POST_URL);
  await page.waitForFunction(() => document.body.textContent?.includes('LeNet-5 reached'));
  // Let the page's event stream connect before the edit.
  await page.waitForTimeout(300);

  const original = await readFile(post, 'utf8');
  const edited = original.replace('LeNet-5 reached', 'In this run LeNet-5 reached');
  const started = performance.now();
  await writeFile(post, edited);
  await page.waitForFunction(() => document.body.textContent?.includes('In this run LeNet-5 reached'), null, {
    timeout: 15_000,
  });
  const reloadMs = Math.round(performance.now() - started);
  t.diagnostic(`prose edit to reloaded page: ${reloadMs} ms (build ${builds.at(-1)?.ms} ms)`);

  const broken = edited.replace('lenet5.accuracy > mlp5.accuracy', 'lenet5.accuracy < mlp5.accuracy');
  const failed = await nextBuild(() => writeFile(post, broken));
  assert.equal(failed.type, 'failed');
  const expected = `${post}:8: claim 'lenet5.accuracy < mlp5.accuracy' is false`;
  assert.ok(failed.type === 'failed' && failed.message.startsWith(expected), failed.type);
  const overlay = page.locator('#live-build-error');
  await overlay.waitFor({ timeout: 15_000 });
  assert.ok((await overlay.textContent())?.includes(expected));
  assert.equal(await page.locator('article').count(), 0, 'the stale page is gone');
  assert.ok(
    lines.some((line) => line.startsWith(`serve: ${expected}`)),
    'the terminal shows the same line',
  );
  assert.ok(!lines.some((line) => /\n\s+at /.test(line)), 'no stack without --debug');
  // A page opened while the build is broken shows the error too.
  const second = await browser.newPage();
  const response = await second.goto(server.origin + POST_URL);
  assert.equal(response?.status(), 500);
  assert.ok((await second.locator('#live-build-error').textContent())?.includes(expected));

  await writeFile(post, edited);
  await page.waitForFunction(() => document.body.textContent?.includes('In this run LeNet-5 reached'), null, {
    timeout: 15_000,
  });
  assert.equal(await page.locator('#live-build-error').count(), 0);
  await nextBuild(() => writeFile(post, original));
});

test('a changed results file rebuilds; a changed folder data module restarts the builder, which builds again', async () => {
  const resultsFile = path.join(dir, 'results', 'mlp-vs-lenet.json');
  const results = JSON.parse(await readFile(resultsFile, 'utf8')) as {
    runs: { key: string; label: string }[];
  };
  results.runs.find((run) => run.key === 'lenet5')!.label = 'LeNet-5 (relabelled)';
  const rebuilt = await nextBuild(() => writeFile(resultsFile, JSON.stringify(results)));
  assert.equal(rebuilt.type, 'built');
  assert.deepEqual(rebuilt.changed, [resultsFile]);
  assert.match(await (await fetch(server.origin + POST_URL)).text(), /LeNet-5 \(relabelled\)/);

  const data = path.join(dir, 'content', 'posts', 'posts.11tydata.js');
  const restarted = await nextBuild(async () => writeFile(data, `${await readFile(data, 'utf8')}\n`));
  assert.equal(restarted.type, 'built');
  assert.deepEqual(restarted.changed, [], 'a first build of a new builder process');
  assert.ok(lines.some((line) => line.includes('posts.11tydata.js changed: restarting the builder')));
  assert.equal((await fetch(server.origin + POST_URL)).status, 200);
});
