import { loadBlas, type Blas } from '../../experiments/lib/backend/blas/openblas.ts';

const loaded = loadBlas();

/**
 * The system's OpenBLAS for the tests that exercise it, or undefined where it is not installed. CI
 * installs it and sets REQUIRE_OPENBLAS=1, under which a missing library fails the tests that need it
 * instead of skipping them.
 */
export const testBlas: Blas | undefined = loaded instanceof Error ? undefined : loaded;

/** `skip` option for tests that need OpenBLAS: false to run them, or the reason they are skipped. */
export const skipWithoutBlas: false | string =
  testBlas !== undefined || process.env.REQUIRE_OPENBLAS === '1'
    ? false
    : `OpenBLAS not installed (${(loaded as Error).message})`;

/** The loaded BLAS; throws (failing the test) where it is missing. */
export function requireBlas(): Blas {
  if (testBlas === undefined) throw loaded as Error;
  return testBlas;
}
