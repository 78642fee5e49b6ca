import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DatasetError } from '../../experiments/lib/contract/errors.ts';
import { readIdx } from '../../experiments/lib/engine/idx.ts';
import { idxBytes, tempDir } from '../helpers/idx-files.ts';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir, cleanup } = await tempDir('idx-test')));
after(() => cleanup());

async function write(name: string, bytes: Uint8Array): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return file;
}

/** Asserts that reading `file` fails with a DatasetError for that file whose message matches every pattern. */
async function assertRejects(file: string, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(readIdx(file), (error: unknown) => {
    assert.ok(error instanceof DatasetError, `expected a DatasetError, got ${String(error)}`);
    assert.equal(error.path, file);
    assert.ok(error.message.startsWith(`${file}: `), error.message);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

const images = Array.from({ length: 2 * 3 * 3 }, (_, i) => i * 10);

describe('readIdx', () => {
  it('reads the dimensions and payload of a 3-dimensional unsigned-byte file', async () => {
    const bytes = idxBytes([2, 3, 3], images);
    const file = await write('images-idx3-ubyte', bytes);
    const idx = await readIdx(file);
    assert.equal(idx.path, file);
    assert.deepEqual(idx.dims, [2, 3, 3]);
    assert.ok(idx.data instanceof Uint8Array);
    assert.deepEqual(Array.from(idx.data), images);
    assert.equal(idx.sha256, createHash('sha256').update(bytes).digest('hex'));
  });

  it('reads a 1-dimensional file such as a label list', async () => {
    const file = await write('labels-idx1-ubyte', idxBytes([4], [7, 2, 1, 0]));
    const idx = await readIdx(file);
    assert.deepEqual(idx.dims, [4]);
    assert.deepEqual(Array.from(idx.data), [7, 2, 1, 0]);
  });

  it('reads a gzipped file, recognised by its magic bytes even without a .gz name', async () => {
    const compressed = gzipSync(idxBytes([2, 3, 3], images));
    for (const name of ['gzipped-images.gz', 'gzipped-images-without-suffix']) {
      const idx = await readIdx(await write(name, compressed));
      assert.deepEqual(idx.dims, [2, 3, 3]);
      assert.deepEqual(Array.from(idx.data), images);
      assert.equal(
        idx.sha256,
        createHash('sha256').update(compressed).digest('hex'),
        'hash of the stored bytes',
      );
    }
  });

  it('rejects a truncated file, giving the expected and actual byte counts', async () => {
    const bytes = idxBytes([2, 3, 3], images).subarray(0, 16 + 17);
    await assertRejects(await write('truncated', bytes), /truncated/, /needs 34 bytes/, /has 33\b/);
  });

  it('rejects a truncated gzipped file by its decompressed length', async () => {
    const bytes = gzipSync(idxBytes([2, 3, 3], images.slice(0, 10)));
    await assertRejects(
      await write('truncated.gz', bytes),
      /truncated/,
      /needs 34 bytes/,
      /decompressed file has 26\b/,
    );
  });

  it('rejects trailing bytes after the payload, giving the expected and actual byte counts', async () => {
    const bytes = Buffer.concat([idxBytes([4], [1, 2, 3, 4]), Buffer.from([0, 0])]);
    await assertRejects(await write('trailing', bytes), /trailing bytes/, /needs 12 bytes/, /has 14\b/);
  });

  it('rejects a wrong magic number, showing it in hex', async () => {
    const bytes = Buffer.from([0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0]);
    await assertRejects(
      await write('wrong-magic', bytes),
      /wrong magic number 0x12345678/,
      /expected 0x00000801 or 0x00000803/,
    );
  });

  it('rejects an unknown data type code as a wrong magic number', async () => {
    await assertRejects(
      await write('unknown-type', idxBytes([1], [0], 0x07)),
      /wrong magic number 0x00000701/,
    );
  });

  it('rejects IDX types other than unsigned byte, naming the type', async () => {
    await assertRejects(
      await write('float-idx', idxBytes([1], [0, 0, 0, 0], 0x0d)),
      /unsupported IDX data type 0x0d \(float32\)/,
      /only unsigned byte \(0x08\)/,
    );
  });

  it('rejects zero or more than four dimensions', async () => {
    await assertRejects(
      await write('zero-dims', Buffer.from([0, 0, 8, 0])),
      /declares 0 dimensions/,
      /1 to 4/,
    );
    await assertRejects(
      await write('five-dims', idxBytes([1, 1, 1, 1, 1], [9])),
      /0x00000805 declares 5 dimensions/,
    );
  });

  it('rejects a file too short for its header', async () => {
    await assertRejects(
      await write('two-bytes', Buffer.from([0, 0])),
      /file is 2 bytes/,
      /magic number \(4 bytes\)/,
    );
    await assertRejects(
      await write('short-header', Buffer.from([0, 0, 8, 3, 0, 0, 0, 2])),
      /truncated header/,
      /16 header bytes/,
      /has 8\b/,
    );
  });

  it('rejects a file that starts like gzip but is not', async () => {
    await assertRejects(
      await write('bad-gzip', Buffer.from([0x1f, 0x8b, 1, 2, 3])),
      /cannot be decompressed/,
    );
  });

  it('rejects a missing file', async () => {
    await assertRejects(path.join(dir, 'no-such-file'), /cannot read file/, /ENOENT/);
  });
});
