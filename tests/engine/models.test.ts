/**
 * Models built from the architecture files are the models the engine built before architectures
 * became data: same model name, layer names, layer configs and initial weights, bit for bit. The
 * reference is a frozen copy of the PLANS-based builder of experiments/lib/engine/models.ts as of
 * commit 2106070 (only renamed), kept here so the comparison needs nothing but this file.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ArchitectureError } from '../../experiments/lib/contract/errors.ts';
import { planLayers } from '../../experiments/lib/contract/architecture.ts';
import { buildModel } from '../../experiments/lib/engine/models.ts';
import { architecture } from '../helpers/architectures.ts';

// ---- frozen copy of the builder at 2106070 (do not edit) ----
type FrozenId =
  | 'mlp1'
  | 'mlp2'
  | 'mlp5'
  | 'lenet5'
  | 'mlp-128'
  | 'mlp-256'
  | 'mlp-512'
  | 'mlp-1024'
  | 'mlp-512x2'
  | 'mlp-512x3';

const FROZEN_LABELS: Record<FrozenId, string> = {
  mlp1: 'MLP-1',
  mlp2: 'MLP-2',
  mlp5: 'MLP-5',
  lenet5: 'LeNet-5',
  'mlp-128': 'MLP 128',
  'mlp-256': 'MLP 256',
  'mlp-512': 'MLP 512',
  'mlp-1024': 'MLP 1024',
  'mlp-512x2': 'MLP 512×2',
  'mlp-512x3': 'MLP 512×3',
};

type Layer =
  | { kind: 'dense'; units: number; activation: 'relu' | 'tanh' | 'linear' }
  | {
      kind: 'conv';
      filters: number;
      kernel: number;
      activation: 'tanh';
    }
  | { kind: 'avgpool' }
  | { kind: 'flatten' }
  | { kind: 'crop'; size: number };

const dense = (units: number, activation: 'relu' | 'tanh' | 'linear' = 'relu'): Layer => ({
  kind: 'dense',
  units,
  activation,
});
const mlp = (...hidden: number[]): Layer[] => [
  { kind: 'flatten' },
  ...hidden.map((h) => dense(h)),
  dense(10, 'linear'),
];

const PLANS: Record<FrozenId, Layer[]> = {
  mlp1: mlp(1024),
  mlp2: [{ kind: 'crop', size: 20 }, ...mlp(1024, 1024)],
  mlp5: mlp(512, 256, 120, 84),
  lenet5: [
    { kind: 'conv', filters: 6, kernel: 5, activation: 'tanh' },
    { kind: 'avgpool' },
    { kind: 'conv', filters: 16, kernel: 5, activation: 'tanh' },
    { kind: 'avgpool' },
    { kind: 'flatten' },
    dense(120, 'tanh'),
    dense(84, 'tanh'),
    dense(10, 'linear'),
  ],
  'mlp-128': mlp(128),
  'mlp-256': mlp(256),
  'mlp-512': mlp(512),
  'mlp-1024': mlp(1024),
  'mlp-512x2': mlp(512, 512),
  'mlp-512x3': mlp(512, 512, 512),
};

/**
 * PyTorch's default initialisation of a layer with `fanIn` inputs per output: kernel and bias uniform
 * in ±1/√fan_in (kaiming_uniform_ with a = √5 for the kernel, the same bound for the bias), seeded.
 */
function pytorchInit(
  fanIn: number,
  seed: number,
): Record<'kernel' | 'bias', ReturnType<typeof tf.initializers.randomUniform>> {
  const bound = 1 / Math.sqrt(fanIn);
  return {
    kernel: tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed }),
    bias: tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: seed + 1 }),
  };
}

function frozenBuildModel(id: FrozenId, seed: number): tf.LayersModel {
  const model = tf.sequential({ name: id.replace(/[^a-z0-9]/g, '_') });
  let shape: number[] = [28, 28, 1];
  let first = true;
  const counts: Record<string, number> = {};
  /** Readable layer names for the summary table: conv1, pool1, fc1, … */
  const name = (prefix: string) => `${prefix}${(counts[prefix] = (counts[prefix] ?? 0) + 1)}`;
  const input = (prefix: string) => ({
    name: prefix === 'flatten' || prefix === 'crop' ? prefix : name(prefix),
    ...(first ? { inputShape: [28, 28, 1] } : {}),
  });
  PLANS[id].forEach((layer, index) => {
    const layerSeed = seed * 1000 + index * 2;
    switch (layer.kind) {
      case 'crop': {
        const cut = (shape[0]! - layer.size) / 2;
        model.add(
          tf.layers.cropping2D({
            cropping: [
              [cut, cut],
              [cut, cut],
            ],
            ...input('crop'),
          }),
        );
        shape = [layer.size, layer.size, shape[2]!];
        break;
      }
      case 'flatten':
        model.add(tf.layers.flatten(input('flatten')));
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'conv': {
        const init = pytorchInit(shape[2]! * layer.kernel * layer.kernel, layerSeed);
        model.add(
          tf.layers.conv2d({
            filters: layer.filters,
            kernelSize: layer.kernel,
            strides: 1,
            padding: 'valid',
            activation: layer.activation,
            kernelInitializer: init.kernel,
            biasInitializer: init.bias,
            ...input('conv'),
          }),
        );
        shape = [shape[0]! - layer.kernel + 1, shape[1]! - layer.kernel + 1, layer.filters];
        break;
      }
      case 'avgpool':
        model.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 2, ...input('pool') }));
        shape = [shape[0]! / 2, shape[1]! / 2, shape[2]!];
        break;
      case 'dense': {
        const init = pytorchInit(shape[0]!, layerSeed);
        model.add(
          tf.layers.dense({
            units: layer.units,
            activation: layer.activation,
            kernelInitializer: init.kernel,
            biasInitializer: init.bias,
            ...input('fc'),
          }),
        );
        shape = [layer.units];
        break;
      }
    }
    first = false;
  });
  return model;
}
// ---- end of the frozen copy ----

/** Every fact of a built model the engine and the results depend on, weights as raw bytes. */
function facts(model: tf.LayersModel) {
  const values = model.getWeights();
  return {
    name: model.name,
    layers: model.layers.map((l) => ({
      name: l.name,
      className: l.getClassName(),
      config: l.getConfig(),
      outputShape: l.outputShape,
    })),
    // tfjs suffixes a variable name already used in the process (fc1/kernel_1), so the name
    // compared is the one the layer gave.
    weights: model.weights.map((w, i) => ({
      name: w.originalName,
      shape: w.shape,
      bytes: Buffer.from(values[i]!.dataSync().buffer).toString('base64'),
    })),
  };
}

describe('models built from architecture specs', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const id of Object.keys(PLANS) as FrozenId[]) {
    it(`${id}: the same model, names and initial weights as the coded builder`, () => {
      const spec = architecture(id);
      assert.equal(spec.label, FROZEN_LABELS[id]);
      for (const seed of [0, 1, 7]) {
        const expected = frozenBuildModel(id, seed);
        const actual = buildModel(spec, seed);
        assert.deepEqual(facts(actual), facts(expected));
        expected.dispose();
        actual.dispose();
      }
    });
  }

  it('builds strided, same-padded convolutions and max pooling to the shapes the spec infers', () => {
    const layers = [
      { kind: 'conv', filters: 4, kernel: 3, stride: 2, padding: 'same', activation: 'relu' },
      { kind: 'maxpool', size: 2, stride: 2 },
      { kind: 'conv', filters: 8, kernel: 3, stride: 1, padding: 'valid', activation: 'elu' },
      { kind: 'avgpool', size: 3, stride: 1 },
      { kind: 'flatten' },
      { kind: 'dense', units: 10, activation: 'linear' },
    ] as const;
    const model = buildModel({ id: 'small-cnn', layers: [...layers] }, 2);
    assert.equal(model.name, 'small_cnn');
    assert.deepEqual(
      model.layers.map((l) => [l.name, (l.outputShape as number[]).slice(1)]),
      planLayers([...layers]).map((p) => [p.name, p.outputShape]),
    );
    // 28 → 14 (3×3 at stride 2, same) → 7 (2×2 pool) → 5 (3×3 valid) → 3 (3×3 pool at stride 1)
    assert.deepEqual(planLayers([...layers]).at(-2)!.outputShape, [3 * 3 * 8]);
    model.dispose();
  });

  it('gives different initial weights for different seeds', () => {
    const a = facts(buildModel(architecture('lenet5'), 1)).weights;
    const b = facts(buildModel(architecture('lenet5'), 2)).weights;
    assert.notDeepEqual(a[0]!.bytes, b[0]!.bytes);
  });

  it('refuses a layer list that does not fit, naming the layer', () => {
    assert.throws(
      () => buildModel({ id: 'bad', layers: [{ kind: 'dense', units: 10, activation: 'linear' }] }, 1),
      (error: unknown) =>
        error instanceof ArchitectureError &&
        /layers\[0\]\.kind: a dense layer needs a flat input/.test(error.message),
    );
  });
});
