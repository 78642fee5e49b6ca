/**
 * Writes the demo's browser assets into the built site, all served from the site itself (no CDN):
 * the esbuild bundles of ./browser/ (TensorFlow.js from node_modules, split so it loads lazily),
 * the stylesheet, the TensorFlow.js WebAssembly binaries, and the saved models.
 *
 * Output layout, relative to the output folder:
 *   assets/demo/demo.js, tooltips.js, chunk-*.js   bundles (ES modules)
 *   assets/demo/demo.css
 *   assets/demo/wasm/tfjs-backend-wasm*.wasm
 *   assets/demo/models/<savedModel>/model.json, *.bin   e.g. models/mlp-vs-lenet/models/lenet5/model.json
 *   assets/demo/data/<experiment>.json   digits for on-device fine-tuning (./finetune-data.ts)
 */
import { createHash } from 'node:crypto';
import { copyFile, cp, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { Results } from '../../experiments/lib/contract/results.ts';
import { ContentError } from '../errors.ts';
import { fineTuneData } from './finetune-data.ts';

/** Folder of the demo's assets inside the output folder. */
export const DEMO_ASSETS = 'assets/demo';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Where finished bundles are kept between builds, keyed by everything that goes into them. */
const BUNDLE_CACHE = path.resolve('node_modules/.cache/demo-bundle');

/** Sources outside site/demo that the browser code imports (the image constants). */
const SHARED_SOURCES = [path.resolve(HERE, '../../experiments/lib/contract/image.ts')];

/**
 * SHA-256 over the demo's own sources (every .ts file under site/demo, and demo.css), the shared
 * sources it imports and the versions of the packages bundled with them: the same key always gives
 * the same bundle.
 */
async function bundleKey(): Promise<string> {
  const require = createRequire(import.meta.url);
  const hash = createHash('sha256');
  const files = (await readdir(HERE, { recursive: true }))
    .filter((f) => f.endsWith('.ts') || f.endsWith('.css'))
    .sort();
  for (const file of files)
    hash
      .update(file)
      .update('\0')
      .update(await readFile(path.join(HERE, file)));
  for (const file of SHARED_SOURCES)
    hash
      .update(path.relative(HERE, file))
      .update('\0')
      .update(await readFile(file));
  for (const name of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'esbuild']) {
    const manifest = require(`${name}/package.json`) as { version: string };
    hash.update(`${name}@${manifest.version}\0`);
  }
  return hash.digest('hex').slice(0, 24);
}

/**
 * Bundles the browser entry points (demo.ts, tooltips.ts) into `<outputDir>/assets/demo/`. Bundling
 * TensorFlow.js takes seconds, so a finished bundle is cached and copied when nothing that goes into
 * it changed.
 */
export async function bundleBrowserCode(outputDir: string): Promise<void> {
  const target = path.join(outputDir, DEMO_ASSETS);
  const cached = path.join(BUNDLE_CACHE, await bundleKey());
  if (
    !(await stat(cached).then(
      () => true,
      () => false,
    ))
  ) {
    const fresh = `${cached}.tmp-${process.pid}`;
    await bundleInto(fresh);
    await rm(cached, { recursive: true, force: true });
    await rename(fresh, cached);
  }
  await mkdir(target, { recursive: true });
  await cp(cached, target, { recursive: true });
}

async function bundleInto(dir: string): Promise<void> {
  await esbuild.build({
    entryPoints: [path.join(HERE, 'browser/demo.ts'), path.join(HERE, 'browser/tooltips.ts')],
    outdir: dir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'linked',
    logLevel: 'silent',
  });
  await copyFile(path.join(HERE, 'demo.css'), path.join(dir, 'demo.css'));
}

/** Copies the TensorFlow.js WebAssembly binaries (plain, SIMD, threaded SIMD) for `setWasmPaths`. */
export async function copyWasmBinaries(outputDir: string): Promise<void> {
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  const target = path.join(outputDir, DEMO_ASSETS, 'wasm');
  await mkdir(target, { recursive: true });
  for (const name of (await readdir(dist)).filter((n) => n.endsWith('.wasm'))) {
    await copyFile(path.join(dist, name), path.join(target, name));
  }
}

/**
 * Copies saved models (folders relative to `resultsDir`, as in a run's `savedModel`) into the
 * output. A missing model.json is a ContentError naming the results file that refers to it.
 */
export async function copyModels(
  resultsDir: string,
  outputDir: string,
  savedModels: Iterable<string>,
): Promise<void> {
  for (const saved of savedModels) {
    const from = path.join(resultsDir, saved);
    const exists = await stat(path.join(from, 'model.json')).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!exists) {
      throw new ContentError(
        path.join(resultsDir, `${saved.split('/')[0]}.json`),
        null,
        `savedModel '${saved}': no model.json in ${from} (run the experiment again to save its models)`,
      );
    }
    await cp(from, path.join(outputDir, DEMO_ASSETS, 'models', saved), { recursive: true });
  }
}

/**
 * Writes `assets/demo/data/<id>.json` (replay and evaluation digits) for each experiment with
 * parity-check samples; experiments without them get no file and the page offers no fine-tuning.
 */
export async function writeFineTuneData(
  resultsDir: string,
  outputDir: string,
  experiments: ReadonlyMap<string, Results>,
): Promise<void> {
  const target = path.join(outputDir, DEMO_ASSETS, 'data');
  for (const [id, results] of experiments) {
    const data = await fineTuneData(results, path.join(resultsDir, `${id}.json`));
    if (!data) continue;
    await mkdir(target, { recursive: true });
    await writeFile(path.join(target, `${id}.json`), JSON.stringify(data));
  }
}
