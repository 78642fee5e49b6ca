/**
 * Eleventy plugin of the in-browser demo:
 * - `{% digitDemo %}` (or `{% digitDemo "<experiment id>" %}`; default: the page's `experiment`
 *   front matter) renders the draw-a-digit demo for the experiment's saved models;
 * - pages with an inline SVG get the small chart-tooltip script (progressive enhancement);
 * - after each build, writes the bundled browser code, the WebAssembly binaries and the models the
 *   pages use into the output (see ./bundle.ts).
 *
 * Register with `eleventyConfig.addPlugin(demoPlugin, { resultsDir })`; `resultsDir` is the folder the
 * results (and their saved models) are read from, as given to `loadResults`.
 */
import { DEFAULT_RESULTS_DIR, type ResultsData } from '../results.ts';
import { DEMO_ASSETS, bundleBrowserCode, copyModels, copyWasmBinaries } from './bundle.ts';
import { demoRuns, renderDigitDemo } from './render.ts';
import { ContentError } from '../errors.ts';

export interface DemoPluginOptions {
  /** Results folder, relative to the working directory or absolute. Default `experiments/results`. */
  resultsDir?: string;
}

/** The parts of Eleventy's configuration API this plugin uses (Eleventy ships no types). */
interface EleventyConfig {
  addShortcode(name: string, fn: (this: ShortcodeContext, ...args: unknown[]) => string): void;
  addTransform(name: string, fn: (this: { page: { outputPath: string | false } }, content: string) => string): void;
  getFilter(name: string): (url: string) => string;
  on(event: 'eleventy.after', fn: (args: { dir: { output: string } }) => Promise<void>): void;
}

interface ShortcodeContext {
  page: { inputPath: string };
  ctx: { get(path: string[]): unknown };
}

/** A script tag that loads the tooltip enhancement, added to pages that hold charts. */
function tooltipScript(url: (path: string) => string): string {
  return `<script type="module" src="${url(`/${DEMO_ASSETS}/tooltips.js`)}"></script>`;
}

export default function demoPlugin(eleventyConfig: EleventyConfig, options: DemoPluginOptions = {}): void {
  const resultsDir = options.resultsDir ?? DEFAULT_RESULTS_DIR;
  /** Saved model folders (relative to resultsDir) that the built pages use. */
  const savedModels = new Set<string>();
  const url = (path: string) => eleventyConfig.getFilter('url')(path);

  eleventyConfig.addShortcode('digitDemo', function (this: ShortcodeContext, ...args: unknown[]): string {
    const file = this.page.inputPath.replace(/^\.\//, '');
    const id = args[0] ?? this.ctx.get(['experiment']);
    if (typeof id !== 'string') {
      throw new ContentError(
        file,
        null,
        'digitDemo: give an experiment id ({% digitDemo "mlp-vs-lenet" %}) or set `experiment` in the front matter',
      );
    }
    const results = (this.ctx.get(['results']) ?? {}) as ResultsData;
    const html = renderDigitDemo(
      results,
      id,
      { file, line: null },
      {
        script: url(`/${DEMO_ASSETS}/demo.js`),
        stylesheet: url(`/${DEMO_ASSETS}/demo.css`),
      },
    );
    for (const run of demoRuns(results[id]!)) savedModels.add(run.savedModel!);
    return html;
  });

  eleventyConfig.addTransform('chart-tooltips', function (content: string): string {
    const output = this.page.outputPath;
    if (typeof output !== 'string' || !output.endsWith('.html') || !content.includes('<svg')) return content;
    return content.replace(/<\/body>/i, `${tooltipScript(url)}\n</body>`);
  });

  eleventyConfig.on('eleventy.after', async ({ dir }) => {
    await bundleBrowserCode(dir.output);
    await copyWasmBinaries(dir.output);
    await copyModels(resultsDir, dir.output, savedModels);
  });
}
