/**
 * Reads IDX files, the format MNIST is distributed in (http://yann.lecun.com/exdb/mnist/).
 *
 * Hand-written on purpose: the npm packages that read IDX are unmaintained, untyped, or decode into
 * per-pixel JavaScript arrays, and the format is a 4-byte magic number, one big-endian uint32 per
 * dimension, then the payload. Only the unsigned-byte type (0x08), the one MNIST uses, is supported.
 *
 * Layout: bytes 0–1 are zero, byte 2 is the data type, byte 3 the number of dimensions (1–4 here),
 * then each dimension's size as a big-endian uint32, then the values in row-major order.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { DatasetError } from '../contract/errors.ts';

const gunzipAsync = promisify(gunzip);

const UNSIGNED_BYTE = 0x08;
const MAX_DIMS = 4;

/** The IDX data-type codes, for naming an unsupported one in an error. */
const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

export interface IdxFile {
  /** The path as given to `readIdx`. */
  path: string;
  /** Size of each dimension, outermost first, e.g. [60000, 28, 28] for MNIST's training images. */
  dims: number[];
  /** The payload, row-major, one byte per value: a view of the (decompressed) file, without the header. */
  data: Uint8Array;
  /** SHA-256 (hex) of the file's bytes as stored on disk, i.e. of the compressed bytes for a gzipped file. */
  sha256: string;
}

const hex32 = (value: number) => `0x${value.toString(16).padStart(8, '0')}`;

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads an unsigned-byte IDX file, plain or gzipped (detected by the gzip magic bytes, whatever the
 * file is called). Throws `DatasetError` naming the file if it cannot be read, has a wrong magic
 * number or an unsupported type, or its length does not match its header.
 */
export async function readIdx(path: string): Promise<IdxFile> {
  let stored: Buffer;
  try {
    stored = await readFile(path);
  } catch (error) {
    throw new DatasetError(path, `cannot read file (${(error as Error).message})`, { cause: error });
  }
  const sha256 = createHash('sha256').update(stored).digest('hex');

  let bytes: Buffer = stored;
  if (isGzip(stored)) {
    try {
      bytes = await gunzipAsync(stored);
    } catch (error) {
      throw new DatasetError(
        path,
        `starts like a gzip file but cannot be decompressed (${(error as Error).message})`,
        { cause: error },
      );
    }
  }

  const { dims, headerBytes } = parseHeader(path, bytes);
  // Exact up to 2^53; a header claiming more than that cannot match any real file length anyway.
  const payloadBytes = dims.reduce((product, size) => product * size, 1);
  const expectedBytes = headerBytes + payloadBytes;
  if (bytes.length !== expectedBytes) {
    const problem = bytes.length < expectedBytes ? 'truncated' : 'has trailing bytes';
    throw new DatasetError(
      path,
      `${problem}: header [${dims.join(', ')}] needs ${expectedBytes} bytes ` +
        `(${headerBytes} header + ${payloadBytes} data), but the ${isGzip(stored) ? 'decompressed ' : ''}file has ${bytes.length}`,
    );
  }

  const data = new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, payloadBytes);
  return { path, dims, data, sha256 };
}

/** Validates the magic number and reads the dimensions. */
function parseHeader(path: string, bytes: Uint8Array): { dims: number[]; headerBytes: number } {
  if (bytes.length < 4) {
    throw new DatasetError(
      path,
      `file is ${bytes.length} bytes, too short for an IDX magic number (4 bytes)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = bytes[2]!;
  const dimCount = bytes[3]!;

  if (bytes[0] !== 0 || bytes[1] !== 0 || !(type in TYPE_NAMES)) {
    throw new DatasetError(
      path,
      `wrong magic number ${hex32(magic)} (expected 0x00000801 or 0x00000803 for unsigned-byte IDX, ` +
        `i.e. 0x000008 then the number of dimensions)`,
    );
  }
  if (type !== UNSIGNED_BYTE) {
    throw new DatasetError(
      path,
      `unsupported IDX data type 0x${type.toString(16).padStart(2, '0')} (${TYPE_NAMES[type]}); ` +
        `only unsigned byte (0x08) is supported`,
    );
  }
  if (dimCount < 1 || dimCount > MAX_DIMS) {
    throw new DatasetError(
      path,
      `magic number ${hex32(magic)} declares ${dimCount} dimensions (expected 1 to ${MAX_DIMS})`,
    );
  }

  const headerBytes = 4 + 4 * dimCount;
  if (bytes.length < headerBytes) {
    throw new DatasetError(
      path,
      `truncated header: ${dimCount} dimensions need ${headerBytes} header bytes, but the file has ${bytes.length}`,
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < dimCount; i++) dims.push(view.getUint32(4 + 4 * i));
  return { dims, headerBytes };
}
