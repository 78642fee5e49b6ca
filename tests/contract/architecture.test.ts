import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  ARCHITECTURES_DIR,
  parseArchitecture,
  planLayers,
  readArchitecture,
  readArchitectures,
} from '../../experiments/lib/contract/architecture.ts';
import { ArchitectureError } from '../../experiments/lib/contract/errors.ts';

const FILE = 'experiments/architectures/x.json';
const logits = { kind: 'dense', units: 10, activation: 'linear' };
const conv = (kernel: number, extra: object = {}) => ({
  kind: 'conv',
  filters: 2,
  kernel,
  activation: 'tanh',
  ...extra,
});

function rejects(layers: unknown[], message: string, extra: object = {}) {
  assert.throws(
    () => parseArchitecture({ label: 'X', layers, ...extra }, FILE),
    (error: unknown) => {
      assert.ok(error instanceof ArchitectureError, String(error));
      assert.equal(error.message, `${FILE}: ${message}`);
      return true;
    },
  );
}

describe('architecture specs', () => {
  it('reads every shipped architecture, id = file name, each ending in 10 logits', async () => {
    const files = (await readdir(ARCHITECTURES_DIR)).filter((f) => f.endsWith('.json')).sort();
    const specs = await readArchitectures();
    assert.deepEqual(
      [...specs.keys()],
      files.map((f) => path.basename(f, '.json')),
    );
    for (const spec of specs.values()) {
      assert.ok(spec.label.length > 0);
      assert.equal(spec.file, path.join(ARCHITECTURES_DIR, `${spec.id}.json`));
      assert.deepEqual(planLayers(spec.layers).at(-1)!.outputShape, [10]);
    }
  });

  it('infers every shape and name, and fills in defaults', () => {
    const spec = parseArchitecture(
      {
        label: 'L',
        layers: [
          { kind: 'crop', size: 24 },
          conv(5),
          { kind: 'maxpool' },
          conv(3, { stride: 2, padding: 'same' }),
          { kind: 'avgpool', size: 2, stride: 1 },
          { kind: 'flatten' },
          { kind: 'dense', units: 7, activation: 'relu' },
          logits,
        ],
      },
      FILE,
    );
    assert.equal(spec.id, 'x');
    assert.deepEqual(spec.layers[1], { ...conv(5), stride: 1, padding: 'valid' });
    assert.deepEqual(spec.layers[2], { kind: 'maxpool', size: 2, stride: 2 });
    assert.deepEqual(
      planLayers(spec.layers).map((p) => [p.name, p.inputShape, p.outputShape]),
      [
        ['crop', [28, 28, 1], [24, 24, 1]],
        ['conv1', [24, 24, 1], [20, 20, 2]],
        ['pool1', [20, 20, 2], [10, 10, 2]],
        ['conv2', [10, 10, 2], [5, 5, 2]],
        ['pool2', [5, 5, 2], [4, 4, 2]],
        ['flatten', [4, 4, 2], [32]],
        ['fc1', [32], [7]],
        ['fc2', [7], [10]],
      ],
    );
  });

  it('rejects windows larger than their input, naming the layer and the field', () => {
    rejects(
      [conv(5), { kind: 'avgpool' }, { kind: 'avgpool', size: 3 }, conv(7), { kind: 'flatten' }, logits],
      'layers[3].kernel: 7 exceeds the 4×4 input',
    );
    rejects(
      [{ kind: 'crop', size: 30 }, { kind: 'flatten' }, logits],
      'layers[0].size: 30 exceeds the 28×28 input',
    );
    rejects(
      [conv(27), { kind: 'maxpool', size: 3 }, { kind: 'flatten' }, logits],
      'layers[1].size: 3 exceeds the 2×2 input',
    );
  });

  it('rejects a crop that cannot be centred and pooling that does not divide its input', () => {
    rejects(
      [{ kind: 'crop', size: 21 }, { kind: 'flatten' }, logits],
      'layers[0].size: a centred 21×21 crop of 28×28 needs even margins',
    );
    rejects(
      [conv(4), { kind: 'avgpool' }, { kind: 'flatten' }, logits],
      'layers[1].size: 2×2 pooling at stride 2 does not divide the 25×25 input',
    );
  });

  it('rejects layers in an order the shapes do not allow', () => {
    rejects(
      [{ kind: 'dense', units: 5, activation: 'relu' }, logits],
      'layers[0].kind: a dense layer needs a flat input, got 28×28×1 (add {"kind": "flatten"} before it)',
    );
    rejects(
      [{ kind: 'flatten' }, conv(3), logits],
      'layers[1].kind: a conv layer needs an image input, got a flat 784 (put it before the flatten)',
    );
    rejects(
      [{ kind: 'flatten' }, { kind: 'maxpool' }, logits],
      'layers[1].kind: pooling needs an image input, got a flat 784 (put it before the flatten)',
    );
    rejects(
      [{ kind: 'flatten' }, { kind: 'flatten' }, logits],
      'layers[1].kind: the input is already flat (784)',
    );
  });

  it('requires the last layer to give the 10 logits', () => {
    rejects(
      [{ kind: 'flatten' }, { kind: 'dense', units: 12, activation: 'linear' }],
      'layers[1].units: the last layer must have 10 units, one per class, got 12',
    );
    rejects(
      [{ kind: 'flatten' }, { kind: 'dense', units: 10, activation: 'relu' }],
      "layers[1].activation: the last layer gives logits, so it must be 'linear', got 'relu'",
    );
    rejects(
      [{ kind: 'flatten' }],
      'layers[0].kind: the last layer must be a dense layer of 10 units, got flatten',
    );
    rejects([], 'layers: Too small: expected array to have >=1 items');
  });

  it('names unknown kinds, unknown and missing fields, and bad values', () => {
    rejects(
      [{ kind: 'lstm' }, logits],
      'layers[0].kind: unknown kind "lstm" (expected flatten, crop, dense, conv, avgpool, maxpool)',
    );
    rejects(
      [{ units: 3 }, logits],
      'layers[0].kind: missing (expected flatten, crop, dense, conv, avgpool, maxpool)',
    );
    rejects(
      [{ ...conv(3), kernal: 3 }, { kind: 'flatten' }, logits],
      'layers[0].kernal: unknown field for a conv layer (expected kind, filters, kernel, stride, padding, activation)',
    );
    rejects(
      [{ kind: 'flatten' }, logits],
      'colour: unknown field for an architecture (expected label, description, source, layers)',
      { colour: 'red' },
    );
    rejects(
      [{ kind: 'conv', filters: 2, kernel: 3 }, { kind: 'flatten' }, logits],
      'layers[0].activation: Invalid option: expected one of "linear"|"relu"|"relu6"|"tanh"|"sigmoid"|"elu"|"selu"|"softplus"|"softsign"',
    );
    rejects(
      [conv(3, { padding: 'full' }), { kind: 'flatten' }, logits],
      'layers[0].padding: Invalid option: expected one of "valid"|"same"',
    );
    rejects(
      [{ kind: 'flatten' }, { kind: 'dense', units: 2.5, activation: 'relu' }, logits],
      'layers[1].units: Invalid input: expected int, received number',
    );
  });

  it('names a file that is not JSON and a file name that is not an id', async () => {
    assert.throws(
      () =>
        parseArchitecture({ label: 'X', layers: [{ kind: 'flatten' }, logits] }, 'architectures/My Net.json'),
      /architectures\/My Net.json: \(file name\): id 'My Net' must be lowercase/,
    );
    const dir = await mkdtemp(path.join(os.tmpdir(), 'arch-spec-'));
    try {
      const file = path.join(dir, 'broken.json');
      await writeFile(file, '{"label": "B", "layers": [');
      await assert.rejects(
        readArchitecture(file),
        (error: unknown) =>
          error instanceof ArchitectureError && error.message.startsWith(`${file}: (file): `),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
