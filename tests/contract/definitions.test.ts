import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalHash,
  parseDefinition,
  readDefinitions,
} from '../../experiments/lib/contract/definitions.ts';
import { DefinitionError } from '../../experiments/lib/contract/errors.ts';

const valid = {
  title: 'T',
  description: 'D',
  dataset: 'mnist',
  models: ['mlp5', 'lenet5'],
  batchSizes: [64],
  epochs: 2,
  optimizer: 'adam',
  learningRate: 0.001,
  seeds: [1, 2, 3],
};

function rejects(json: unknown, message: string) {
  assert.throws(
    () => parseDefinition(json, 'experiments/definitions/x.json'),
    (error: unknown) => error instanceof DefinitionError && error.message === message,
  );
}

describe('experiment definitions', () => {
  it('reads the four shipped definitions with the series set-up', async () => {
    const definitions = await readDefinitions();
    assert.deepEqual(
      definitions.map((d) => d.id),
      ['batch-size', 'depth-and-width', 'mlp-vs-lenet', 'mlp1-vs-mlp2'],
    );
    const headline = definitions.find((d) => d.id === 'mlp-vs-lenet')!;
    assert.deepEqual(headline.models, ['mlp5', 'lenet5']);
    assert.deepEqual(headline.batchSizes, [64]);
    assert.equal(headline.epochs, 2);
    assert.equal(headline.seeds.length, 3);
    assert.equal(headline.saveModels, true);
    assert.deepEqual(definitions.find((d) => d.id === 'batch-size')!.batchSizes, [1, 16, 64, 128]);
  });

  it('fills defaults and hashes the canonical form', () => {
    const d = parseDefinition(valid, 'experiments/definitions/x.json');
    assert.equal(d.id, 'x');
    assert.equal(d.validationSize, 6000);
    assert.equal(d.saveModels, false);
    const reordered = Object.fromEntries(Object.entries(valid).reverse());
    assert.equal(parseDefinition(reordered, 'experiments/definitions/x.json').hash, d.hash);
    assert.notEqual(canonicalHash({ ...valid, epochs: 3 }), canonicalHash(valid));
  });

  it('names the file and the field of an unknown model', () => {
    rejects(
      { ...valid, models: ['mlp5', 'lenet6'] },
      "experiments/definitions/x.json: models[1]: unknown model 'lenet6' (known: mlp1, mlp2, mlp5, lenet5, mlp-128, mlp-256, mlp-512, mlp-1024, mlp-512x2, mlp-512x3)",
    );
  });

  it('names a missing field', () => {
    const { epochs: _epochs, ...rest } = valid;
    rejects(
      rest,
      'experiments/definitions/x.json: epochs: Invalid input: expected number, received undefined',
    );
  });

  it('rejects a non-positive batch size and a misspelt field', () => {
    rejects(
      { ...valid, batchSizes: [0] },
      'experiments/definitions/x.json: batchSizes[0]: Too small: expected number to be >0',
    );
    rejects({ ...valid, seed: [1] }, 'experiments/definitions/x.json: (root): Unrecognized key: "seed"');
  });

  it('rejects a file name that is not a usable id', () => {
    assert.throws(
      () => parseDefinition(valid, 'experiments/definitions/My Exp.json'),
      /\(file name\): id 'My Exp'/,
    );
  });
});
