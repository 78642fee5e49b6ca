/**
 * The npm package behind each tfjs backend and how its version is read (its package.json, without
 * importing it), shared by ./select.ts, which starts a backend, and ./probe.ts, which only describes it.
 */
import { createRequire } from 'node:module';

/** tfjs's own backend names; 'tensorflow' is the native backend of `@tensorflow/tfjs-node`. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export const BACKEND_PACKAGES: Record<BackendName, string> = {
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

const require = createRequire(import.meta.url);

/** Whether the package can be found from here. */
export function installed(packageName: string): boolean {
  try {
    require.resolve(`${packageName}/package.json`);
    return true;
  } catch {
    return false;
  }
}

/** The version in the package's package.json. e.g. '4.22.0' */
export function packageVersion(packageName: string): string {
  return (require(`${packageName}/package.json`) as { version: string }).version;
}
