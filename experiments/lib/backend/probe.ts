/**
 * The backend `selectBackend` (./select.ts) would start, described without starting it. Importing
 * TensorFlow.js and starting wasm take about half a second, and a build whose trials are all cached
 * needs only the backend's description, to key them. `undefined` where only starting it can tell:
 * tfjs-node installed (its native library may still fail to load), or the threaded wasm build (the
 * pool it starts may differ from the count asked for). Workers, which do start the backend, check
 * that what they start is what was probed (../runner/worker.ts).
 */
import type { BackendInfo, BackendOptions } from './select.ts';
import { loadBlas } from './blas/openblas.ts';
import { BACKEND_PACKAGES as PACKAGES, installed, packageVersion, type BackendName } from './packages.ts';

/** What `selectBackend(requested, options)` would return, or undefined when only starting it can tell. */
export function probeBackend(
  requested: BackendName | 'auto',
  options: Pick<BackendOptions, 'threads' | 'blas'> = {},
): BackendInfo | undefined {
  if ((options.threads ?? 1) !== 1) return undefined;
  if (requested === 'tensorflow' || (requested === 'auto' && installed(PACKAGES.tensorflow)))
    return undefined;
  const name: BackendName = requested === 'auto' ? (installed(PACKAGES.wasm) ? 'wasm' : 'cpu') : requested;
  if (!installed(PACKAGES[name])) return undefined;
  const blas = name === 'wasm' && (options.blas ?? true) ? loadBlas() : undefined;
  return {
    name,
    version: packageVersion(PACKAGES[name]),
    tfjs: packageVersion('@tensorflow/tfjs'),
    threads: 1,
    blas: blas === undefined || blas instanceof Error ? null : blas.description,
  };
}
