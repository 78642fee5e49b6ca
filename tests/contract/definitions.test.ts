import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  ARCHITECTURES_DIR,
  parseArchitecture,
  readArchitectures,
  type ArchitectureSpec,
} from '../../experiments/lib/contract/architecture.ts';
import {
  DEFINITIONS_DIR,
  canonicalHash,
  parseDefinition,
  readDefinitions,
} from '../../experiments/lib/contract/definitions.ts';
import { ArchitectureError, DefinitionError } from '../../experiments/lib/contract/errors.ts';

const FILE = 'experiments/definitions/x.json';

/** Two small architectures standing in for the folder, so messages do not depend on what it holds. */
const known = new Map<string, ArchitectureSpec>(
  [
    ['experiments/architectures/mlp5.json', 'MLP-5'],
    ['experiments/architectures/lenet5.json', 'LeNet-5'],
  ].map(([file, label]) => {
    const spec = parseArchitecture(
      {
        label,
        layers: [{ kind: 'flatten' }, { kind: 'dense', units: 10, activation: 'linear' }],
      },
      file!,
    );
    return [spec.id, spec];
  }),
);

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

const lecun = {
  id: 'lecun-300-100',
  label: 'LeCun 300-100',
  layers: [
    { kind: 'flatten' },
    { kind: 'dense', units: 300, activation: 'tanh' },
    { kind: 'dense', units: 100, activation: 'tanh' },
    { kind: 'dense', units: 10, activation: 'linear' },
  ],
};

function rejects(json: unknown, message: string) {
  assert.throws(
    () => parseDefinition(json, FILE, known),
    (error: unknown) => {
      assert.ok(error instanceof DefinitionError, String(error));
      assert.equal(error.message, message);
      return true;
    },
  );
}

describe('experiment definitions', () => {
  it('reads the shipped definitions with the series set-up', async () => {
    const definitions = await readDefinitions();
    assert.deepEqual(
      definitions.map((d) => d.id),
      ['batch-size', 'depth-and-width', 'evaluating-models', 'mlp-vs-lenet', 'mlp1-seeds', 'mlp1-vs-mlp2'],
    );
    const headline = definitions.find((d) => d.id === 'mlp-vs-lenet')!;
    assert.deepEqual(headline.models, ['mlp5', 'lenet5']);
    assert.deepEqual(
      Object.values(headline.architectures).map((a) => [a.id, a.label, a.file]),
      [
        ['mlp5', 'MLP-5', path.join(ARCHITECTURES_DIR, 'mlp5.json')],
        ['lenet5', 'LeNet-5', path.join(ARCHITECTURES_DIR, 'lenet5.json')],
      ],
    );
    assert.deepEqual(headline.batchSizes, [64]);
    assert.equal(headline.epochs, 2);
    assert.equal(headline.seeds.length, 10, 'every published mean of a comparison rests on ten seeds');
    assert.equal(headline.saveModels, true);
    assert.equal(definitions.find((d) => d.id === 'mlp1-vs-mlp2')!.seeds.length, 10);
    assert.equal(definitions.find((d) => d.id === 'mlp1-seeds')!.seeds.length, 30);
    assert.deepEqual(definitions.find((d) => d.id === 'batch-size')!.batchSizes, [1, 16, 64, 128]);
    const fifth = definitions.find((d) => d.id === 'evaluating-models')!;
    assert.deepEqual([fifth.models, fifth.batchSizes, fifth.epochs], [['lenet5', 'mlp-512'], [128], 10]);
  });

  it('fills defaults and hashes the canonical form as written', () => {
    const d = parseDefinition(valid, FILE, known);
    assert.equal(d.id, 'x');
    assert.equal(d.validationSize, 6000);
    assert.equal(d.saveModels, false);
    const reordered = Object.fromEntries(Object.entries(valid).reverse());
    assert.equal(parseDefinition(reordered, FILE, known).hash, d.hash);
    assert.notEqual(canonicalHash({ ...valid, epochs: 3 }), canonicalHash(valid));
    // A definition that lists ids hashes as it did before architectures were data.
    assert.equal(d.hash, canonicalHash({ ...valid, validationSize: 6000, saveModels: false }));
  });

  it('names the file and the field of an unknown architecture, listing the known ones', () => {
    rejects(
      { ...valid, models: ['mlp5', 'lenet6'] },
      `${FILE}: models[1]: unknown architecture 'lenet6' (known: mlp5, lenet5; or write the spec inline)`,
    );
  });

  it('rejects a model, batch size or seed listed twice', () => {
    rejects(
      { ...valid, models: ['mlp5', 'lenet5', 'mlp5'] },
      `${FILE}: models[2]: "mlp5" is listed twice (also models[0]); each must be listed once`,
    );
    rejects(
      { ...valid, batchSizes: [16, 64, 16] },
      `${FILE}: batchSizes[2]: 16 is listed twice (also batchSizes[0]); each must be listed once`,
    );
    rejects(
      { ...valid, seeds: [1, 1] },
      `${FILE}: seeds[1]: 1 is listed twice (also seeds[0]); each must be listed once`,
    );
    rejects(
      { ...valid, models: [lecun, { ...lecun, label: 'again' }] },
      `${FILE}: models[1]: "lecun-300-100" is listed twice (also models[0]); each must be listed once`,
    );
  });

  it('takes an inline architecture, keeping its id in models and its spec in architectures', () => {
    const d = parseDefinition({ ...valid, models: ['mlp5', lecun] }, FILE, known);
    assert.deepEqual(d.models, ['mlp5', 'lecun-300-100']);
    const spec = d.architectures['lecun-300-100']!;
    assert.equal(spec.label, 'LeCun 300-100');
    assert.equal(spec.file, FILE);
    assert.deepEqual(spec.layers, lecun.layers);
    assert.equal(d.architectures.mlp5, known.get('mlp5'));
    // The hash covers the inline layers, with defaults filled in.
    const wider = { ...lecun, layers: lecun.layers.map((l) => (l.units === 300 ? { ...l, units: 301 } : l)) };
    assert.notEqual(parseDefinition({ ...valid, models: ['mlp5', wider] }, FILE, known).hash, d.hash);
    const conv = (extra: object) => ({
      id: 'c',
      label: 'C',
      layers: [
        { kind: 'conv', filters: 2, kernel: 5, activation: 'relu', ...extra },
        { kind: 'flatten' },
        { kind: 'dense', units: 10, activation: 'linear' },
      ],
    });
    assert.equal(
      parseDefinition({ ...valid, models: [conv({})] }, FILE, known).hash,
      parseDefinition({ ...valid, models: [conv({ stride: 1, padding: 'valid' })] }, FILE, known).hash,
    );
  });

  it('names the definition, the model and the layer of a bad inline architecture', () => {
    const bad = { ...lecun, layers: [{ kind: 'dense', units: 10, activation: 'linear' }] };
    assert.throws(
      () => parseDefinition({ ...valid, models: ['mlp5', bad] }, FILE, known),
      (error: unknown) =>
        error instanceof DefinitionError &&
        error.cause instanceof ArchitectureError &&
        error.message ===
          `${FILE}: models[1].layers[0].kind: a dense layer needs a flat input, got 28×28×1 (add {"kind": "flatten"} before it)`,
    );
    rejects(
      { ...valid, models: [{ ...lecun, layers: [{ kind: 'flatten', size: 2 }] }] },
      `${FILE}: models[0].layers[0].size: unknown field for a flatten layer (expected kind)`,
    );
    rejects(
      { ...valid, models: [{ label: 'L', layers: lecun.layers }] },
      `${FILE}: models[0].id: Invalid input: expected string, received undefined`,
    );
    rejects(
      { ...valid, models: [{ ...lecun, id: 'mlp5' }] },
      `${FILE}: models[0].id: 'mlp5' is already the architecture in experiments/architectures/mlp5.json; give the inline spec another id`,
    );
    rejects(
      { ...valid, models: [5] },
      `${FILE}: models[0]: expected an architecture id or an inline architecture { "id", "label", "layers" }`,
    );
  });

  it('names a missing field', () => {
    const { epochs: _epochs, ...rest } = valid;
    rejects(rest, `${FILE}: epochs: Invalid input: expected number, received undefined`);
  });

  it('rejects a non-positive batch size and a misspelt field', () => {
    rejects({ ...valid, batchSizes: [0] }, `${FILE}: batchSizes[0]: Too small: expected number to be >0`);
    rejects({ ...valid, seed: [1] }, `${FILE}: (root): Unrecognized key: "seed"`);
  });

  it('rejects a file name that is not a usable id', () => {
    assert.throws(
      () => parseDefinition(valid, 'experiments/definitions/My Exp.json', known),
      /\(file name\): id 'My Exp'/,
    );
  });

  it('adds an architecture with a JSON file alone, leaving the other definitions as they were', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'arch-definitions-'));
    try {
      const architecturesDir = path.join(dir, 'architectures');
      const definitionsDir = path.join(dir, 'definitions');
      await cp(ARCHITECTURES_DIR, architecturesDir, { recursive: true });
      await cp(DEFINITIONS_DIR, definitionsDir, { recursive: true });
      const { id: _id, ...file } = lecun;
      await writeFile(path.join(architecturesDir, 'lecun-300-100.json'), JSON.stringify(file));
      const small = {
        id: 'small-cnn',
        label: 'Small CNN',
        layers: [
          { kind: 'conv', filters: 4, kernel: 3, stride: 2, padding: 'same', activation: 'relu' },
          { kind: 'maxpool' },
          { kind: 'flatten' },
          { kind: 'dense', units: 10, activation: 'linear' },
        ],
      };
      await writeFile(
        path.join(definitionsDir, 'lecun.json'),
        JSON.stringify({ ...valid, title: 'LeCun', models: ['lecun-300-100', small, 'mlp5'] }),
      );

      const before = await readDefinitions();
      const after = await readDefinitions(definitionsDir, architecturesDir);
      const added = after.find((d) => d.id === 'lecun')!;
      assert.deepEqual(added.models, ['lecun-300-100', 'small-cnn', 'mlp5']);
      assert.equal(added.architectures['lecun-300-100']!.label, 'LeCun 300-100');
      assert.deepEqual(added.architectures['small-cnn']!.layers[1], { kind: 'maxpool', size: 2, stride: 2 });
      assert.deepEqual(
        after.filter((d) => d.id !== 'lecun').map((d) => [d.id, d.hash]),
        before.map((d) => [d.id, d.hash]),
      );
      assert.ok((await readArchitectures(architecturesDir)).has('lecun-300-100'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
