/**
 * Chooses the TensorFlow.js backend experiments run on, on the one tfjs instance
 * (`@tensorflow/tfjs`) that every other module imports.
 *
 * 'auto' takes the fastest that loads: the native 'tensorflow' backend of `@tensorflow/tfjs-node`
 * (an optional dependency whose install downloads libtensorflow, so it is often absent), then
 * 'wasm' from `@tensorflow/tfjs-backend-wasm` with the kernels of ./wasm/register-kernels.ts added and
 * its matrix products on the system's OpenBLAS when that is installed (./blas/openblas.ts), then the
 * plain JavaScript 'cpu' backend, the slowest (LeNet-5 trains about 100 times slower than on wasm).
 */
import * as tf from '@tensorflow/tfjs';
import { type Blas, loadBlas, nativeProducts } from './blas/openblas.ts';
import { firstLine, UsageError } from '../contract/errors.ts';
import { registerMissingWasmKernels, registerWasmKernels } from './wasm/register-kernels.ts';
import { getThreadsCount, registerWasm } from './wasm/threads.ts';

import { BACKEND_PACKAGES as PACKAGES, packageVersion, type BackendName } from './packages.ts';

export type { BackendName };

export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** The backend in use. e.g. `{ name: 'wasm', version: '4.22.0', tfjs: '4.22.0', threads: 1, blas: null }` */
export interface BackendInfo {
  name: BackendName;
  /** Version of the npm package that provides the backend, from its package.json. */
  version: string;
  /** Version of `@tensorflow/tfjs`, from its package.json. */
  tfjs: string;
  /**
   * Threads computing kernels: on wasm, 1 (tfjs's build for Node) or the count asked for with the
   * threaded build (./wasm/threads.ts); on cpu, 1; on tensorflow, those libtensorflow chooses (0 here).
   */
  threads: number;
  /**
   * On wasm, the native BLAS its float32 matrix products run on (./blas/openblas.ts), e.g.
   * 'OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64' (one thread); null
   * when they run on XNNPACK (no OpenBLAS installed, `blas: false`, or another backend).
   */
  blas: string | null;
}

export interface BackendOptions {
  /** Threads for the wasm backend (default 1, the single-threaded build); ignored by the others. */
  threads?: number;
  /** On wasm, run matrix products on the system's OpenBLAS when it loads (default true). */
  blas?: boolean;
  /**
   * On wasm, register only the kernel wasm lacks for convolutional training (Conv2DBackpropFilter),
   * none of this backend's faster ones, and no OpenBLAS: the path before them, which
   * `npm run bench -- --plain` compares against (default false). Once the faster kernels are
   * registered in a process they stay, so this holds only for a process's first wasm selection.
   */
  plain?: boolean;
}

/** The threaded wasm build sizes XNNPACK's pool to at most 4 threads (see ./wasm/threads.ts). */
export const MAX_THREADS = 4;

/**
 * Makes `requested` the active tfjs backend and describes it. 'auto' tries tensorflow, wasm and
 * cpu in that order. A named backend that cannot be loaded, or an unknown name (the value may come
 * straight from the command line), throws a `UsageError` whose message is one line.
 * Calling it again, with the same or another name, is fine.
 */
export async function selectBackend(
  requested: BackendName | 'auto' = 'auto',
  options: BackendOptions = {},
): Promise<BackendInfo> {
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new UsageError(
      `threads: expected an integer from 1 to ${MAX_THREADS}, got ${String(options.threads)}`,
    );
  }
  if (requested === 'auto') {
    for (const name of BACKEND_NAMES) {
      try {
        return await activate(name, threads, options);
      } catch {
        continue;
      }
    }
    throw new UsageError(`no TensorFlow.js backend could be loaded (tried ${BACKEND_NAMES.join(', ')})`);
  }
  if (!BACKEND_NAMES.includes(requested)) {
    throw new UsageError(`unknown backend '${String(requested)}' (known: auto, ${BACKEND_NAMES.join(', ')})`);
  }
  try {
    return await activate(requested, threads, options);
  } catch (error) {
    throw new UsageError(`backend '${requested}' cannot be loaded: ${firstLine(error)}`, { cause: error });
  }
}

async function activate(name: BackendName, threads: number, options: BackendOptions): Promise<BackendInfo> {
  if (name !== 'cpu') {
    // Importing the package registers its backend; tfjs itself bundles cpu. A specifier held in a
    // variable also keeps the type checker from requiring the optional tfjs-node to be installed.
    await import(PACKAGES[name]);
  }
  let blas: Blas | undefined;
  if (name === 'wasm') {
    registerWasm(threads);
    if (options.plain) registerMissingWasmKernels();
    else registerWasmKernels();
    const loaded = (options.blas ?? true) && !options.plain ? loadBlas() : undefined;
    blas = loaded instanceof Error ? undefined : loaded;
  }
  nativeProducts.blas = blas;
  // tfjs's setBackend logs and returns false, rather than throwing, when a backend fails to start.
  if (!(await tf.setBackend(name))) {
    throw new Error(`tf.setBackend('${name}') failed`);
  }
  await tf.ready();
  return {
    name,
    version: packageVersion(PACKAGES[name]),
    tfjs: packageVersion('@tensorflow/tfjs'),
    threads: name === 'wasm' ? getThreadsCount() : name === 'cpu' ? 1 : 0,
    blas: blas?.description ?? null,
  };
}
