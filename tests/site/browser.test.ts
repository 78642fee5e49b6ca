/**
 * The built site in a real headless browser: builds the site into a temporary folder (from the
 * committed results in experiments/results, and fixture results for experiments without), serves it
 * on 127.0.0.1, opens every page at desktop and phone widths and checks what a reader would see.
 * Full-page screenshots go to tests/artifacts/screenshots/ for a person to look at.
 *
 * Needs Chromium at /usr/bin/chromium; without it the suite is skipped on a developer's machine
 * and fails in CI (CI set).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { Results } from '../../experiments/lib/contract/results.ts';
import { buildSite } from '../../site/build.ts';
import { formatMetric } from '../../site/format.ts';
import { loadResults } from '../../site/results.ts';
import { makeResults, writeFixtureResults } from '../fixtures/results-fixture.ts';
import { CHROMIUM, browserSkipReason, launchChromiumContext, serve } from '../helpers/browser.ts';

const SCREENSHOTS_DIR = 'tests/artifacts/screenshots';
const COMMITTED_RESULTS = 'experiments/results';
const FIXTURE_EXPERIMENTS = [
  'evaluating-models',
  'mlp-vs-lenet',
  'mlp1-vs-mlp2',
  'batch-size',
  'depth-and-width',
];
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

/**
 * Smallest rendered chart and diagram text, px. 11 px at 1280 is the issue's floor. On a phone
 * the same 11 px, not less: the narrow drawings are made for that width and draw 13 px text
 * unscaled, so anything smaller means a desktop SVG was shrunk, the failure this checks for (the
 * brief allowed 9 px; 11 px also keeps the confusion matrices' counts readable without zooming).
 */
const MIN_TEXT_PX = { desktop: 11, phone: 11 } as const;

/**
 * A page per experiment that uses every chart shortcode (for the first and last run), added to a
 * copy of the content so that each kind of chart is checked in the browser whether or not the
 * posts use it yet. e.g. /chart-check/batch-size/
 */
function chartCheckPage(results: Results): string {
  const runs = [...new Set([results.runs[0]!.key, results.runs.at(-1)!.key])];
  return [
    '---',
    'layout: layouts/page.liquid',
    `title: Every chart of ${results.experiment.id}`,
    'description: A test page of the browser tests.',
    `experiment: ${results.experiment.id}`,
    `permalink: /chart-check/${results.experiment.id}/`,
    '---',
    '{% chart "accuracy" %}',
    '{% chart "sizeBytes" %}',
    '{% chart "params" %}',
    '{% chart "carbonPerInferenceG" %}',
    '{% trainingCurves %}',
    '{% learningCurves %}',
    '{% tradeoffChart %}',
    ...runs.flatMap((key) => [`{% confusionMatrix "${key}" %}`, `{% misclassifiedGallery "${key}" %}`]),
    '',
  ].join('\n');
}

/**
 * Every .html file under `dir`, as site paths: `index.html` → `/`, `about/index.html` → `/about/`.
 * Pages at the original blog's addresses only send the reader on (site/redirects.ts, tested in
 * real-site.test.ts), so they are left out.
 */
async function htmlPaths(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { recursive: true })).filter((entry) => entry.endsWith('.html'));
  const isRedirect = await Promise.all(
    entries.map(async (entry) =>
      (await readFile(path.join(dir, entry), 'utf8')).includes('http-equiv="refresh"'),
    ),
  );
  return entries
    .filter((_entry, i) => !isRedirect[i])
    .map((entry) => `/${entry.split(path.sep).join('/')}`.replace(/(^|\/)index\.html$/, '$1'))
    .sort();
}

/** A layout problem inside one chart, found in the page. */
interface LayoutReport {
  charts: number;
  problems: string[];
}

/**
 * Runs in the page: every chart SVG has marks, is a graphic named by its title and described by
 * its description, and its axis labels and titles lie inside the SVG and do not overlap each other
 * (measured as drawn, in the real font).
 */
function checkChartLayout(): LayoutReport {
  const problems: string[] = [];
  const charts = Array.from(document.querySelectorAll<SVGSVGElement>('svg.chart'));
  const TOLERANCE_PX = 0.5;
  charts.forEach((svg, i) => {
    const name = svg.id || `chart ${i + 1}`;
    const marks = svg.querySelectorAll('g.role-mark > *, g[class*="role-mark"] > *').length;
    if (marks === 0) problems.push(`${name}: no marks`);
    const labelled = (svg.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean);
    const described = (svg.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    if (svg.getAttribute('role') !== 'graphics-document' || labelled.length !== 1 || described.length !== 1)
      problems.push(
        `${name}: not an accessible graphic (role ${svg.getAttribute('role')}, ` +
          `labelled by '${labelled.join(' ')}', described by '${described.join(' ')}')`,
      );
    for (const id of [...labelled, ...described]) {
      if (!document.getElementById(id)?.textContent?.trim())
        problems.push(`${name}: #${id} is missing or empty`);
    }
    const box = svg.getBoundingClientRect();
    const texts = Array.from(
      svg.querySelectorAll<SVGTextElement>('.role-axis-label text, .role-axis-title text'),
    );
    const rects = texts
      .filter((text) => text.textContent !== '' && text.getAttribute('opacity') !== '0')
      .map((text) => ({
        text: text.textContent ?? '',
        rect: text.getBoundingClientRect(),
        group: text.parentElement,
      }));
    for (const { text, rect } of rects) {
      if (
        rect.left < box.left - TOLERANCE_PX ||
        rect.right > box.right + TOLERANCE_PX ||
        rect.top < box.top - TOLERANCE_PX ||
        rect.bottom > box.bottom + TOLERANCE_PX
      ) {
        problems.push(`${name}: label '${text}' lies outside the chart`);
      }
    }
    for (let a = 0; a < rects.length; a++) {
      for (let b = a + 1; b < rects.length; b++) {
        const p = rects[a]!;
        const q = rects[b]!;
        if (p.group !== q.group) continue;
        const width = Math.min(p.rect.right, q.rect.right) - Math.max(p.rect.left, q.rect.left);
        const height = Math.min(p.rect.bottom, q.rect.bottom) - Math.max(p.rect.top, q.rect.top);
        if (width > TOLERANCE_PX && height > TOLERANCE_PX) {
          problems.push(`${name}: labels '${p.text}' and '${q.text}' overlap`);
        }
      }
    }
  });
  return { charts: charts.length, problems };
}

/** What a reader sees of a page's width, charts and diagrams at one viewport, measured in the page. */
interface ReadabilityReport {
  problems: string[];
  /** Smallest rendered size of chart and diagram text on the page, px (Infinity with none). */
  smallestTextPx: number;
  /** Architecture diagrams on the page, by model id. */
  diagrams: string[];
}

/**
 * Runs in the page: the page is no wider than the viewport, and a table wider than its column
 * scrolls in its own box; every visible chart and architecture
 * diagram draws its text at `minTextPx` or more (font size × the SVG's scale on screen; a
 * subscript tspan is left out); every visible chart but a confusion matrix gives its plots at
 * least 60% of its width (measured as the span of its horizontal axis lines).
 */
function checkReadability(minTextPx: number): ReadabilityReport {
  const problems: string[] = [];
  const viewport = document.documentElement.clientWidth;
  const pageWidth = document.documentElement.scrollWidth;
  if (pageWidth > viewport) problems.push(`page is ${pageWidth} px wide in a ${viewport} px viewport`);
  // No named inner functions here or in checkPrint: tsx wraps them in a `__name` helper that the
  // page does not have.
  let smallestTextPx = Infinity;
  const svgs = Array.from(document.querySelectorAll<SVGSVGElement>('svg.chart, svg.architecture-svg')).filter(
    (element) => element.getClientRects().length > 0,
  );
  for (const svg of svgs) {
    const name = svg.id || svg.getAttribute('class') || 'svg';
    const box = svg.getBoundingClientRect();
    if (box.right > viewport + 0.5)
      problems.push(`${name}: reaches ${Math.round(box.right)} px, past the viewport`);
    for (const text of Array.from(svg.querySelectorAll<SVGTextElement>('text'))) {
      if ((text.textContent ?? '').trim() === '' || text.getClientRects().length === 0) continue;
      // The CTM's scale, whatever its rotation (a y-axis title is turned by 90°).
      const ctm = text.getScreenCTM();
      const scale = ctm === null ? 1 : Math.hypot(ctm.a, ctm.b);
      const px = parseFloat(getComputedStyle(text).fontSize) * scale;
      smallestTextPx = Math.min(smallestTextPx, px);
      if (px < minTextPx - 0.05)
        problems.push(
          `${name}: text '${text.textContent}' drawn at ${px.toFixed(1)} px (at least ${minTextPx})`,
        );
    }
    if (svg.classList.contains('chart') && !svg.id.includes('-confusion-')) {
      const lines = Array.from(svg.querySelectorAll('.role-axis-domain line, .role-axis-domain path'))
        .map((line) => line.getBoundingClientRect())
        .filter((rect) => rect.height < 1 && rect.width > 0);
      const left = Math.min(...lines.map((rect) => rect.left));
      const right = Math.max(...lines.map((rect) => rect.right));
      const share = lines.length === 0 ? 0 : (right - left) / box.width;
      if (share < 0.6)
        problems.push(`${name}: plots take ${Math.round(100 * share)}% of its width (at least 60%)`);
    }
  }
  // A table wider than its column must scroll inside its own box, not be cut off or widen the page.
  for (const table of Array.from(document.querySelectorAll('table'))) {
    const box = table.parentElement!;
    if (table.getClientRects().length === 0 || table.offsetWidth <= box.clientWidth + 0.5) continue;
    const overflow = getComputedStyle(box).overflowX;
    if (!box.classList.contains('table-scroll') || (overflow !== 'auto' && overflow !== 'scroll'))
      problems.push(
        `table '${table.caption?.textContent ?? ''}' is ${table.offsetWidth} px in a ${box.clientWidth} px box that does not scroll`,
      );
    else if (box.scrollWidth <= box.clientWidth)
      problems.push(`table '${table.caption?.textContent ?? ''}' does not scroll in its box`);
  }
  const diagrams = Array.from(document.querySelectorAll<HTMLElement>('figure.architecture'))
    .filter((element) => element.getClientRects().length > 0)
    .flatMap((figure) => (figure.dataset.model ?? figure.dataset.models ?? '').split(' '));
  return { problems, smallestTextPx, diagrams };
}

/** Runs in the page (print emulation): what should not be on paper, and what must not break across pages. */
function checkPrint(): { interactive: string[]; breakable: string[]; narrowShown: number } {
  const interactive = Array.from(document.querySelectorAll('canvas, input[type="file"]'))
    .filter((element) => element.getClientRects().length > 0)
    .map((element) => element.outerHTML.slice(0, 80));
  const breakable = Array.from(document.querySelectorAll('figure, table'))
    .filter(
      (element) => element.getClientRects().length > 0 && getComputedStyle(element).breakInside !== 'avoid',
    )
    .map((element) => `${element.tagName.toLowerCase()}.${element.className}`);
  const narrowShown = Array.from(document.querySelectorAll('.chart-narrow, .architecture-narrow')).filter(
    (element) => element.getClientRects().length > 0,
  ).length;
  return { interactive, breakable, narrowShown };
}

const skip = browserSkipReason();
if (skip) {
  console.log(`# browser tests skipped: ${skip} (in CI, with CI set, they fail instead)`);
}

describe('the built site in a headless browser', { skip }, () => {
  let workDir = '';
  let site = '';
  let resultsDir = '';
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  let context: BrowserContext | undefined;
  const problems = {
    console: [] as string[],
    failedRequests: [] as string[],
    outsideRequests: [] as string[],
    layout: [] as string[],
    images: [] as string[],
    links: [] as string[],
    readability: [] as string[],
    diagrams: [] as string[],
  };
  /** Smallest chart or diagram text seen at each viewport, px. */
  const smallestTextPx: Record<string, number> = { desktop: Infinity, phone: Infinity };
  let chartCount = 0;
  const pagesVisited = new Set<string>();

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium is required in CI but missing at ${CHROMIUM}`);
    // Inside the repository (ignored by git as .tmp-*): Eleventy 3 does not apply a content copy's
    // folder data files (posts.11tydata.js) when the content folder lies outside the working directory.
    workDir = await mkdtemp('.tmp-browser-');
    // The committed results (with their saved models), and fixture results for any experiment of
    // the series that has none yet, so every post builds.
    resultsDir = path.join(workDir, 'results');
    if (existsSync(COMMITTED_RESULTS)) await cp(COMMITTED_RESULTS, resultsDir, { recursive: true });
    const committed = existsSync(resultsDir) ? await readdir(resultsDir) : [];
    const missing = FIXTURE_EXPERIMENTS.filter((id) => !committed.includes(`${id}.json`));
    await writeFixtureResults(
      resultsDir,
      missing.map((id) => makeResults({ id })),
    );
    const contentDir = path.join(workDir, 'content');
    await cp('content', contentDir, { recursive: true });
    for (const results of (await loadResults(resultsDir)).values()) {
      await writeFile(
        path.join(contentDir, `chart-check-${results.experiment.id}.md`),
        chartCheckPage(results),
      );
    }
    site = path.join(workDir, '_site');
    await buildSite({ resultsDir, contentDir, outputDir: site, quiet: true });
    server = await serve(site);
    context = await launchChromiumContext(path.join(workDir, 'profile'), {
      headless: true,
    });
    await mkdir(SCREENSHOTS_DIR, { recursive: true });
  });

  after(async () => {
    await context?.close();
    await server?.close();
    if (workDir !== '') await rm(workDir, { recursive: true, force: true });
  });

  /** Post pages found by the crawl (their article names an experiment), site path → experiment id. */
  const posts = new Map<string, string>();

  /** The models whose architecture a post on `results` must draw: every model of its experiment. */
  function expectedDiagrams(results: Results): string[] {
    return [...new Set(results.runs.map((run) => run.model))];
  }

  /** Records a post whose architecture diagrams are missing or name a model of another experiment. */
  async function checkDiagrams(sitePath: string, diagrams: string[], page: Page): Promise<void> {
    const experiment = await page.evaluate(
      () => document.querySelector<HTMLElement>('article.post')?.dataset.experiment ?? null,
    );
    if (experiment === null) return;
    posts.set(sitePath, experiment);
    const results = (await loadResults(resultsDir)).get(experiment);
    if (results === undefined)
      return void problems.diagrams.push(`${sitePath}: no results for '${experiment}'`);
    const models = new Set(results.runs.map((run) => run.model));
    const missing = expectedDiagrams(results).filter((model) => !diagrams.includes(model));
    const foreign = diagrams.filter((model) => !models.has(model));
    if (missing.length > 0)
      problems.diagrams.push(`${sitePath}: no architecture diagram of ${missing.join(', ')}`);
    if (foreign.length > 0)
      problems.diagrams.push(`${sitePath}: diagram of ${foreign.join(', ')}, not in '${experiment}'`);
  }

  /** Opens one page at one width, records every problem, and returns the internal links on it. */
  async function visit(
    page: Page,
    sitePath: string,
    viewport: (typeof VIEWPORTS)[number],
  ): Promise<string[]> {
    const origin = server!.origin;
    const where = `${sitePath} (${viewport.name})`;
    const onConsole = (message: { type(): string; text(): string }) => {
      if (message.type() === 'error') problems.console.push(`${where}: ${message.text()}`);
    };
    const onPageError = (error: Error) => problems.console.push(`${where}: uncaught ${error.message}`);
    const errorStatus = new Set<string>();
    const onFailed = (request: { url(): string; failure(): { errorText: string } | null }) => {
      // A 404 also ends as a failed request (net::ERR_ABORTED); report it once, with its status.
      if (errorStatus.has(request.url())) return;
      problems.failedRequests.push(`${where}: ${request.url()} ${request.failure()?.errorText ?? ''}`);
    };
    const onResponse = (response: { url(): string; status(): number }) => {
      if (response.status() < 400) return;
      errorStatus.add(response.url());
      problems.failedRequests.push(`${where}: ${response.url()} ${response.status()}`);
    };
    page.on('console', onConsole);
    page.on('pageerror', onPageError);
    page.on('requestfailed', onFailed);
    page.on('response', onResponse);
    try {
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      await page.goto(origin + sitePath, { waitUntil: 'load' });
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
      const report = await page.evaluate(checkChartLayout);
      chartCount += viewport.name === 'desktop' ? report.charts : 0;
      problems.layout.push(...report.problems.map((p) => `${where}: ${p}`));
      const readable = await page.evaluate(checkReadability, MIN_TEXT_PX[viewport.name]);
      problems.readability.push(...readable.problems.map((p) => `${where}: ${p}`));
      smallestTextPx[viewport.name] = Math.min(smallestTextPx[viewport.name]!, readable.smallestTextPx);
      if (viewport.name === 'desktop') await checkDiagrams(sitePath, readable.diagrams, page);
      const broken = await page.evaluate(() =>
        Array.from(document.images)
          .filter((image) => !image.complete || image.naturalWidth === 0)
          .map((image) => image.alt || image.src.slice(0, 80)),
      );
      problems.images.push(...broken.map((image) => `${where}: image '${image}' did not load`));
      const slug = sitePath === '/' ? 'index' : sitePath.replace(/^\/|\/$|\.html$/g, '').replaceAll('/', '_');
      await page.screenshot({
        path: path.join(SCREENSHOTS_DIR, `${slug}-${viewport.name}.png`),
        fullPage: true,
      });
      // Let what the page started (e.g. the demo loading its models once scrolled into view by the
      // full-page screenshot) finish here, so its errors are counted against this page.
      await page.waitForLoadState('networkidle');
      const hrefs = await page.evaluate(() =>
        Array.from(document.querySelectorAll('a[href]')).map((a) => (a as HTMLAnchorElement).href),
      );
      return hrefs
        .filter((href) => href.startsWith(origin))
        .map((href) => href.slice(origin.length).replace(/#.*$/, ''));
    } finally {
      page.off('console', onConsole);
      page.off('pageerror', onPageError);
      page.off('requestfailed', onFailed);
      page.off('response', onResponse);
    }
  }

  it('opens every page, crawled from / and listed in the output folder, at desktop and phone widths', async () => {
    const origin = server!.origin;
    await context!.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`) || url.startsWith('data:')) return route.continue();
      problems.outsideRequests.push(url);
      return route.abort('blockedbyclient');
    });
    const page = await context!.newPage();
    const queue = ['/', ...(await htmlPaths(site))];
    const links = new Set<string>();
    while (queue.length > 0) {
      const sitePath = queue.shift()!;
      if (pagesVisited.has(sitePath)) continue;
      pagesVisited.add(sitePath);
      for (const viewport of VIEWPORTS) {
        for (const link of await visit(page, sitePath, viewport)) {
          links.add(link);
          const isPage = !/\.[a-z0-9]+$/i.test(link.replace(/\?.*$/, '')) || link.endsWith('.html');
          if (isPage && !pagesVisited.has(link)) queue.push(link);
        }
      }
    }
    for (const link of links) {
      const response = await fetch(origin + link);
      if (response.status !== 200) problems.links.push(`${link}: ${response.status}`);
    }
    await page.close();
    assert.ok(
      pagesVisited.size >= 5,
      `only ${pagesVisited.size} pages found: ${[...pagesVisited].join(', ')}`,
    );
    assert.ok(chartCount > 0, 'no chart on any page');
  });

  it('logs no console errors', () => {
    assert.deepEqual(problems.console, []);
  });

  it('has no failed requests', () => {
    assert.deepEqual(problems.failedRequests, []);
  });

  it('makes no request that leaves 127.0.0.1', () => {
    assert.deepEqual(problems.outsideRequests, []);
  });

  it('draws every chart with marks, and axis labels inside it that do not overlap', () => {
    assert.deepEqual(problems.layout, []);
  });

  it('is no wider than the viewport and draws chart and diagram text at 11 px or more, plots at 60% of a chart or more', () => {
    assert.deepEqual(problems.readability, []);
    assert.ok(
      smallestTextPx.desktop! >= MIN_TEXT_PX.desktop && smallestTextPx.desktop! < Infinity,
      'no chart text measured',
    );
    assert.ok(
      smallestTextPx.phone! >= MIN_TEXT_PX.phone && smallestTextPx.phone! < Infinity,
      'no chart text measured',
    );
  });

  it('shows the architecture diagrams of each post’s models', () => {
    assert.ok(posts.size >= 4, `only ${posts.size} posts found: ${[...posts.keys()].join(', ')}`);
    assert.deepEqual(problems.diagrams, []);
  });

  /** Each post in print emulation (A4 width), screenshot to tests/artifacts/screenshots/<slug>-print.png. */
  async function printEachPost(
    check: (sitePath: string, report: ReturnType<typeof checkPrint>) => void,
  ): Promise<void> {
    assert.ok(posts.size > 0, 'no posts crawled');
    const page = await context!.newPage();
    try {
      await page.emulateMedia({ media: 'print' });
      await page.setViewportSize({ width: 794, height: 1123 });
      for (const sitePath of posts.keys()) {
        await page.goto(server!.origin + sitePath, { waitUntil: 'load' });
        await page.evaluate(() => document.fonts.ready.then(() => undefined));
        const slug = sitePath.replace(/^\/|\/$|\.html$/g, '').replaceAll('/', '_');
        await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${slug}-print.png`), fullPage: true });
        check(sitePath, await page.evaluate(checkPrint));
      }
    } finally {
      await page.close();
    }
  }

  it('prints every post with figures and tables kept whole and the drawings made for the page’s width', async () => {
    const found: string[] = [];
    await printEachPost((sitePath, report) => {
      found.push(...report.breakable.map((element) => `${sitePath}: ${element} may break across pages`));
      if (report.narrowShown > 0) found.push(`${sitePath}: ${report.narrowShown} phone drawings printed`);
    });
    assert.deepEqual(found, []);
  });

  it('prints no canvas or file input on any post', async () => {
    const found: string[] = [];
    await printEachPost((sitePath, report) =>
      found.push(...report.interactive.map((html) => `${sitePath}: ${html}`)),
    );
    assert.deepEqual(found, []);
  });

  it('loads every image', () => {
    assert.deepEqual(problems.images, []);
  });

  it('resolves every internal link', () => {
    assert.deepEqual(problems.links, []);
  });

  /** The mlp-vs-lenet post (its results, committed or fixture) opened in a new page. */
  async function openComparisonPost(): Promise<{ page: Page; results: Results }> {
    const results = (await loadResults(resultsDir)).get('mlp-vs-lenet');
    const post = (await htmlPaths(site)).find((sitePath) => sitePath.endsWith('/mlp-vs-lenet.html'));
    assert.ok(results && post, 'no mlp-vs-lenet post');
    const page = await context!.newPage();
    await page.goto(server!.origin + post, { waitUntil: 'load' });
    return { page, results };
  }

  it('shows a bar’s exact value in a tooltip under the pointer, on a post page', async () => {
    const { page, results } = await openComparisonPost();
    try {
      const bars = page.locator(
        '#chart-mlp-vs-lenet-sizeBytes [role="graphics-symbol"][aria-roledescription="bar"]',
      );
      assert.equal(await bars.count(), results.runs.length);
      const tooltip = page.locator('.chart-tooltip');
      // The tooltip hides on scroll, so let the page settle (fonts, the demo's layout) with the chart in
      // view before pointing at a bar.
      await bars.first().scrollIntoViewIfNeeded();
      await page.evaluate(
        () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
      );
      for (const [i, run] of results.runs.entries()) {
        await bars.nth(i).hover();
        await tooltip.waitFor({ state: 'visible', timeout: 5000 });
        assert.equal(
          await tooltip.textContent(),
          `${run.label}: ${formatMetric('sizeBytes', run.metrics.sizeBytes)}`,
        );
      }
      await page.mouse.move(0, 0);
      await tooltip.waitFor({ state: 'hidden', timeout: 5000 });
    } finally {
      await page.close();
    }
  });

  it('gives screen readers a chart as one named, described graphic whose only parts are its data marks', async () => {
    const { page, results } = await openComparisonPost();
    try {
      const cdp = await context!.newCDPSession(page);
      const { nodes } = await cdp.send('Accessibility.getFullAXTree');
      const byId = new Map(nodes.map((node) => [node.nodeId, node]));
      const chart = nodes.find(
        (node) =>
          node.role?.value === 'graphics-document' && String(node.name?.value).startsWith('Model size:'),
      );
      assert.ok(chart, 'no graphics-document named after the model size chart');
      assert.match(String(chart.description?.value), /^Model size per run \(lower is better/);
      const parts: { role: string; name: string }[] = [];
      const walk = (ids: string[] = []) => {
        for (const node of ids.map((id) => byId.get(id)!)) {
          if (!node.ignored)
            parts.push({ role: String(node.role?.value), name: String(node.name?.value ?? '') });
          walk(node.childIds);
        }
      };
      walk(chart.childIds);
      assert.deepEqual(
        parts.filter((part) => part.role === 'graphics-symbol').map((part) => part.name),
        results.runs.map((run) => `${run.label}: ${formatMetric('sizeBytes', run.metrics.sizeBytes)}`),
      );
      assert.deepEqual(
        parts.filter((part) => part.role !== 'graphics-symbol' && part.role !== 'graphics-object'),
        [],
        'axis, value label or other text exposed inside the chart',
      );
    } finally {
      await page.close();
    }
  });

  it('flags clipped and overlapping axis labels in a chart (the check itself)', async () => {
    const page = await context!.newPage();
    await page.setContent(
      `<svg class="chart" id="bad" role="graphics-document" aria-labelledby="t" aria-describedby="d" viewBox="0 0 100 50" width="100" height="50">` +
        `<title id="t">T</title><desc id="d">D</desc>` +
        `<g class="mark-rect role-mark"><rect width="10" height="10"/></g>` +
        `<g class="mark-text role-axis-label"><text x="10" y="20" font-size="12">overlapping</text>` +
        `<text x="14" y="20" font-size="12">labels</text><text x="90" y="45" font-size="12">clipped</text></g></svg>`,
    );
    const report = await page.evaluate(checkChartLayout);
    await page.close();
    assert.equal(report.charts, 1);
    assert.ok(
      report.problems.includes("bad: labels 'overlapping' and 'labels' overlap"),
      report.problems.join('\n'),
    );
    assert.ok(
      report.problems.includes("bad: label 'clipped' lies outside the chart"),
      report.problems.join('\n'),
    );
  });
});
