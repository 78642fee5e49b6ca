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
 */
import { copyFile, cp, mkdir, readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { ContentError } from '../errors.ts';

/** Folder of the demo's assets inside the output folder. */
export const DEMO_ASSETS = 'assets/demo';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Bundles the browser entry points (demo.ts, tooltips.ts) into `<outputDir>/assets/demo/`. */
export async function bundleBrowserCode(outputDir: string): Promise<void> {
  await esbuild.build({
    entryPoints: [path.join(HERE, 'browser/demo.ts'), path.join(HERE, 'browser/tooltips.ts')],
    outdir: path.join(outputDir, DEMO_ASSETS),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'linked',
    logLevel: 'silent',
  });
  await copyFile(path.join(HERE, 'demo.css'), path.join(outputDir, DEMO_ASSETS, 'demo.css'));
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
