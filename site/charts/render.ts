/**
 * Renders a Chart to an accessible, self-contained SVG string at build time: Vega-Lite compiles
 * the spec, vega lays it out (text measured with the shipped font) and writes SVG. The page needs
 * no JavaScript to show it.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FONTS_DIR, FONT_FILES } from './fonts.ts';
import type { Chart } from './specs.ts';

/**
 * vega, vega-lite and the font measurer load only when a chart must really be rendered: with every
 * SVG in the disk cache a build never pays the second or so their import takes.
 */
const loadVega = () => Promise.all([import('vega'), import('vega-lite'), import('./text-metrics.ts')]);

/** `CO2e` written with its subscript two, as the prose has it: `CO₂e` (for titles, descriptions, captions). */
export function co2Text(text: string): string {
  return text.replace(/CO2e/g, 'CO\u2082e');
}

/**
 * Draws `CO2e` in the SVG's text elements as CO, a lowered smaller 2 and e. The shipped Latin
 * subset of the font has no ₂ (U+2082), so charts measure and write a plain 2 (specs.ts
 * plainDigits) and this turns it into a subscript in the same font; the text then takes slightly
 * less room than measured, never more.
 */
export function subscriptCo2(svg: string): string {
  return svg.replace(
    /(<text\b[^>]*>)([^<]*)(<\/text>)/g,
    (_, open: string, content: string, close: string) =>
      content.includes('CO2e')
        ? open + content.replace(/CO2e/g, 'CO<tspan baseline-shift="sub" font-size="75%">2</tspan>e') + close
        : open + content + close,
  );
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Makes vega's SVG an accessible chart that scales: named by its <title>, described by its <desc>
 * (which gives every value), a viewBox, width 100% (up to its natural width) and height following
 * the aspect ratio.
 * e.g. `<svg class="marks" width="420" height="180" viewBox="0 0 420 180" …>` becomes
 * `<svg class="chart" role="graphics-document" aria-roledescription="chart" aria-labelledby="c-title"
 * aria-describedby="c-desc" viewBox="0 0 420 180" width="100%" …><title id="c-title">…`
 *
 * The role is graphics-document (WAI-ARIA Graphics Module; vega writes the same for its own SVG
 * root), not img: img has presentational children in WAI-ARIA 1.2, so the data marks'
 * graphics-symbol roles and exact-value labels inside it would be dropped by screen readers that
 * follow the spec, while Chromium exposes them anyway (checked in its accessibility tree), so the
 * result would depend on the reader. A graphics-document is meant to hold graphics-symbol parts:
 * the chart keeps its name and description and a reader can also step through the data marks.
 * Axes, legends, lines and text labels carry aria-hidden (specs.ts), so the marks are the only
 * parts. The description is referenced by aria-describedby, not also by aria-labelledby, so it
 * is not read twice.
 */
export function accessibleSvg(svg: string, chart: Pick<Chart, 'id' | 'title' | 'description'>): string {
  const open = /^<svg\b[^>]*>/.exec(svg);
  if (open === null) throw new Error(`chart ${chart.id}: vega did not return an SVG document`);
  const width = Number(/\swidth="([\d.]+)"/.exec(open[0])?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(open[0])?.[1]);
  if (!(width > 0 && height > 0)) throw new Error(`chart ${chart.id}: SVG has no width and height`);
  const elementId = `chart-${chart.id.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const titleId = `${elementId}-title`;
  const descId = `${elementId}-desc`;
  const root =
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="${elementId}" role="graphics-document" ` +
    `aria-roledescription="chart" aria-labelledby="${titleId}" aria-describedby="${descId}" ` +
    `viewBox="0 0 ${width} ${height}" width="100%" ` +
    `style="max-width:${width}px;height:auto;display:block">` +
    `<title id="${titleId}">${escapeXml(co2Text(chart.title))}</title><desc id="${descId}">${escapeXml(co2Text(chart.description))}</desc>`;
  return root + subscriptCo2(svg.slice(open[0].length));
}

export type ChartRenderer = (chart: Chart) => Promise<string>;

/** Default disk cache of rendered SVGs, relative to the repository root: node_modules/.cache/charts. */
export const DEFAULT_CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/charts', import.meta.url));

/**
 * What besides the chart itself decides its SVG: the vega and vega-lite versions, this module and
 * the text measurer, and the font files. A change to any of them invalidates the disk cache.
 */
async function hashPipeline(): Promise<string> {
  const hash = createHash('sha256').update(
    `vega ${await packageVersion('vega')} vega-lite ${await packageVersion('vega-lite')}`,
  );
  const files = [
    fileURLToPath(import.meta.url),
    fileURLToPath(new URL('./text-metrics.ts', import.meta.url)),
    fileURLToPath(new URL('./font-measure.ts', import.meta.url)),
    ...Object.values(FONT_FILES).map((file) => path.join(FONTS_DIR, file)),
  ];
  for (const file of files) hash.update(await readFile(file));
  return hash.digest('hex');
}

/** A dependency's version from its package.json, found beside its entry module without importing it. */
async function packageVersion(name: string): Promise<string> {
  let dir = path.dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    try {
      const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === name && manifest.version) return manifest.version;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package.json of ${name}`);
    dir = parent;
  }
}

let pipelineHash: Promise<string> | undefined;

/**
 * The pipeline hash of the code this process runs, read once, when the first renderer is created
 * (just after this module is imported, and never again in a watch rebuild, which keeps the loaded
 * module). Read at the first render instead, a build that loaded the old code before an edit
 * would file SVGs of the old code under the new code's hash, and later builds would serve them.
 */
function loadedPipelineHash(): Promise<string> {
  pipelineHash ??= hashPipeline();
  return pipelineHash;
}

export interface ChartRendererOptions {
  /** Folder for rendered SVGs kept between builds (absolute, or relative to the working directory); null for none. */
  cacheDir?: string | null;
}

/**
 * A renderer that memoises by the chart's content, in memory (a page that repeats a chart, watch
 * rebuilds) and on disk (the next build), because vega takes a tenth of a second or more per chart.
 * The font measurer is installed into vega on the first real render.
 */
export function createChartRenderer(options: ChartRendererOptions = {}): ChartRenderer {
  const cacheDir = options.cacheDir === undefined ? DEFAULT_CACHE_DIR : options.cacheDir;
  const memory = new Map<string, Promise<string>>();
  const pipeline = cacheDir === null ? null : loadedPipelineHash();
  let measurerInstalled = false;
  const renderFresh = async (chart: Chart): Promise<string> => {
    if (!measurerInstalled) {
      const [, , { createTextMeasurer, installTextMeasurer }] = await loadVega();
      installTextMeasurer(createTextMeasurer());
      measurerInstalled = true;
    }
    return renderSvg(chart);
  };
  const renderCached = async (chart: Chart, key: string): Promise<string> => {
    if (cacheDir === null || pipeline === null) return renderFresh(chart);
    const file = path.join(
      cacheDir,
      `${createHash('sha256')
        .update(await pipeline)
        .update(key)
        .digest('hex')}.svg`,
    );
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const svg = await renderFresh(chart);
    await mkdir(cacheDir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, svg);
    await rename(temporary, file);
    return svg;
  };
  return (chart) => {
    const key = JSON.stringify(chart);
    let svg = memory.get(key);
    if (svg === undefined) {
      svg = renderCached(chart, key);
      memory.set(key, svg);
      svg.catch(() => memory.delete(key));
    }
    return svg;
  };
}

/** Renders without caching; call installTextMeasurer first, or text widths are vega's guesses. */
export async function renderSvg(chart: Chart): Promise<string> {
  const [{ View, parse }, { compile }] = await loadVega();
  const vegaSpec = compile(chart.spec).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    return accessibleSvg(await view.toSVG(), chart);
  } finally {
    view.finalize();
  }
}
