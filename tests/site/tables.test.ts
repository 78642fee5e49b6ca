import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hardwareTable, provenanceBox } from '../../site/tables.ts';
import { makeResults } from '../fixtures/results-fixture.ts';

const OPENBLAS = 'OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64';

test('the provenance box and hardware table name the BLAS that ran the products, when one did', () => {
  const xnnpack = makeResults({ id: 'mlp-vs-lenet' });
  const openblas = makeResults({ id: 'mlp-vs-lenet' });
  openblas.provenance = { ...openblas.provenance, backend: 'wasm', blas: OPENBLAS };
  assert.match(provenanceBox(openblas), /wasm 4\.22\.0, matrix products on OpenBLAS 0\.3\.21</);
  assert.match(
    hardwareTable([openblas]),
    /wasm 4\.22\.0, matrix products on OpenBLAS 0\.3\.21, TensorFlow\.js/,
  );
  assert.doesNotMatch(provenanceBox(xnnpack) + hardwareTable([xnnpack]), /OpenBLAS|matrix products/);
});
