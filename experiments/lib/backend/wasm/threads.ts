/**
 * The multi-threaded build of the wasm backend, in Node.
 *
 * `@tensorflow/tfjs-backend-wasm` ships a threaded SIMD binary (XNNPACK with a pthread pool of
 * Web Workers) but never uses it in Node: its WASM_HAS_MULTITHREAD_SUPPORT flag is false there
 * (tfjs#3830), because its loader hands Emscripten's worker script and main script over as Blob
 * URLs, which Node's worker_threads cannot start. This module registers the 'wasm' backend again
 * with the same BackendWasm class and the same binary, started the way Emscripten's Node support
 * expects: the worker script as a file and the main script as a path. Hand-written because no
 * package does this; it is small and leaves every kernel as tfjs ships it.
 *
 * The thread count: the binary sizes XNNPACK's pool once, when it starts, as half the logical CPU
 * count (clamped to 1–4) — on a 2-core machine, one thread. `os.cpus()` is widened for that moment
 * so the pool gets the requested count; it is restored before anything else runs.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';

export { getThreadsCount };

const require = createRequire(import.meta.url);
const PACKAGE_DIR = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
const MAIN_SCRIPT = join(PACKAGE_DIR, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
/** Same priority as the package's own registration. */
const WASM_PRIORITY = 2;

/** The Emscripten module the threaded factory resolves to, as far as this file and BackendWasm use it. */
interface ThreadedModule {
  cwrap: (name: string, returnType: string | null, argumentTypes: string[]) => (...args: number[]) => number;
  tfjs?: Record<string, unknown>;
  PThread: { runningWorkers: { unref(): void }[] };
}

/** The package's own 'wasm' registration (single-threaded), kept to go back to. */
let singleThreaded: ReturnType<typeof tf.findBackendFactory> | undefined;
let registeredThreads = 1;

/**
 * Registers the 'wasm' backend with `threads` threads (main thread included): 1 is the package's
 * own single-threaded build, 2 or more the threaded build. A no-op when that count is already
 * registered; otherwise the current 'wasm' backend, if started, is disposed, and the next
 * `tf.setBackend('wasm')` starts the new one. The package must have been imported.
 */
export function registerWasm(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`threads must be a positive integer, got ${threads}`);
  singleThreaded ??= tf.findBackendFactory('wasm');
  if (singleThreaded === null)
    throw new Error("the 'wasm' backend is not registered; import @tensorflow/tfjs-backend-wasm first");
  if (threads === registeredThreads) return;
  tf.removeBackend('wasm');
  registeredThreads = threads;
  if (threads === 1) {
    tf.registerBackend('wasm', singleThreaded, WASM_PRIORITY);
    return;
  }
  const factory = require(MAIN_SCRIPT) as (config: object) => Promise<ThreadedModule>;
  const workerScript = writeWorkerScript();
  tf.registerBackend(
    'wasm',
    async () => {
      const realCpus = os.cpus;
      // XNNPACK's pool takes max(1, min(4, ⌊logical CPUs / 2⌋)) threads at start-up (see above).
      os.cpus = () => Array.from({ length: threads * 2 }, (_, i) => realCpus()[i % realCpus().length]!);
      let module: ThreadedModule;
      try {
        module = await factory({
          locateFile: (path: string, prefix: string) =>
            path.endsWith('.worker.js')
              ? workerScript
              : path.endsWith('.wasm')
                ? join(PACKAGE_DIR, 'wasm-out', path)
                : prefix + path,
          mainScriptUrlOrBlob: MAIN_SCRIPT,
        });
      } finally {
        os.cpus = realCpus;
      }
      // The same C entry points the package's own loader wraps (backend_wasm.ts, init()).
      module.tfjs = {
        init: module.cwrap('init', null, []),
        initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: module.cwrap('get_threads_count', 'number', []),
        registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: module.cwrap('dispose_data', null, ['number']),
        dispose: module.cwrap('dispose', null, []),
      };
      const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
      if (getThreadsCount() !== threads) {
        backend.dispose();
        throw new Error(`the threaded wasm backend started ${getThreadsCount()} threads, not ${threads}`);
      }
      // XNNPACK's pool threads run for good, and Emscripten keeps a running worker referenced, which
      // would keep Node from exiting when the work is done. The main thread drives every kernel
      // synchronously, so nothing is lost by letting the process end without them.
      for (const worker of module.PThread.runningWorkers) worker.unref();
      return backend;
    },
    WASM_PRIORITY,
  );
}

/**
 * Writes Emscripten's pthread worker script, which the package keeps as a string, to a file named by
 * its hash under node_modules/.cache (atomically, so concurrent processes never see half a file).
 */
function writeWorkerScript(): string {
  const { wasmWorkerContents } = require(
    join(PACKAGE_DIR, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js'),
  ) as {
    wasmWorkerContents: string;
  };
  // As the package's loader does before making its Blob: the string holds raw newlines inside
  // JavaScript string literals, which must stay escaped.
  const source = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const directory = join(PACKAGE_DIR, '..', '..', '.cache', 'tfjs-wasm-threads');
  const file = join(directory, `worker-${hash}.cjs`);
  try {
    if (readFileSync(file, 'utf8') === source) return file;
  } catch {
    // Not written yet.
  }
  mkdirSync(directory, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, source);
  renameSync(temporary, file);
  return file;
}
