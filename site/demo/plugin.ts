/**
 * Eleventy plugin of the in-browser demo:
 * - `{% digitDemo %}` (or `{% digitDemo "<experiment id>" %}`; default: the page's `experiment`
 *   front matter) renders the draw-a-digit demo for the experiment's saved models, with on-device
 *   fine-tuning when the results hold the parity-check samples;
 * - pages with an inline SVG get the small chart-tooltip script (progressive enhancement);
 * - after each build, writes the bundled browser code, the WebAssembly binaries and the models the
 *   pages use into the output, with the digits fine-tuning needs (see ./bundle.ts).
 *
 * Register with `eleventyConfig.addPlugin(demoPlugin, { resultsDir })`; `resultsDir` is the folder the
 * results (and their saved models) are read from, as given to `loadResults`.
 */
import type { EleventyConfig } from '../eleventy.ts';
import { ContentError } from '../errors.ts';
import { pageResults, pageValue, pageWhere, type ShortcodeThis } from '../page.ts';
import { DEFAULT_RESULTS_DIR } from '../results.ts';
import type { Results } from '../../experiments/lib/contract/results.ts';
import { DEMO_ASSETS, bundleBrowserCode, copyModels, copyWasmBinaries, writeFineTuneData } from './bundle.ts';
import { demoRuns, renderDigitDemo } from './render.ts';

export interface DemoPluginOptions {
  /** Results folder, relative to the working directory or absolute. Default `experiments/results`. */
  resultsDir?: string;
}

/** The configuration API of ../eleventy.ts plus the two calls only this plugin needs. */
type DemoConfig = EleventyConfig & {
  addTransform(
    name: string,
    transform: (this: { page: { outputPath: string | false } }, content: string) => string,
  ): void;
  getFilter(name: 'url'): (url: string) => string;
};

export default function demoPlugin(eleventyConfig: DemoConfig, options: DemoPluginOptions = {}): void {
  const resultsDir = options.resultsDir ?? DEFAULT_RESULTS_DIR;
  /** Saved model folders (relative to resultsDir) that the built pages use. */
  const savedModels = new Set<string>();
  /** Experiments whose demo the built pages show, by id: their fine-tuning digits are written too. */
  const experiments = new Map<string, Results>();
  const url = (path: string) => eleventyConfig.getFilter('url')(path);

  eleventyConfig.addShortcode('digitDemo', function (this: ShortcodeThis, experiment?: unknown): string {
    const where = pageWhere(this);
    const id = experiment ?? pageValue(this, 'experiment');
    if (typeof id !== 'string') {
      throw new ContentError(
        where.file,
        null,
        'digitDemo: give an experiment id ({% digitDemo "mlp-vs-lenet" %}) or set `experiment` in the front matter',
      );
    }
    const results = pageResults(this);
    const html = renderDigitDemo(results, id, where, {
      script: url(`/${DEMO_ASSETS}/demo.js`),
      stylesheet: url(`/${DEMO_ASSETS}/demo.css`),
    });
    for (const run of demoRuns(results[id]!)) savedModels.add(run.savedModel!);
    if (demoRuns(results[id]!).length > 0) experiments.set(id, results[id]!);
    return html;
  });

  eleventyConfig.addTransform('chart-tooltips', function (content: string): string {
    const output = this.page.outputPath;
    if (typeof output !== 'string' || !output.endsWith('.html') || !content.includes('<svg')) return content;
    const script = `<script type="module" src="${url(`/${DEMO_ASSETS}/tooltips.js`)}"></script>`;
    // The end tag of body is optional in HTML, and the site's layout may leave it out.
    return /<\/body>/i.test(content)
      ? content.replace(/<\/body>/i, `${script}\n</body>`)
      : `${content}\n${script}\n`;
  });

  // `directories` is the normalised folders of this build (`dir` holds the config file's defaults).
  eleventyConfig.on(
    'eleventy.after',
    async ({ directories, outputMode }: { directories: { output: string }; outputMode: string }) => {
      if (outputMode !== 'fs') return;
      await bundleBrowserCode(directories.output);
      await copyWasmBinaries(directories.output);
      await copyModels(resultsDir, directories.output, savedModels);
      await writeFineTuneData(resultsDir, directories.output, experiments);
    },
  );
}
