/**
 * The series' architectures, built by functions: `buildModel(id, seed)` returns a fresh, uncompiled
 * tfjs-layers model whose input is a 28×28×1 image normalised to [-1, 1] and whose output is 10 logits.
 *
 * Initial weights are PyTorch's defaults, as in the original (PyTorch 2.5): kernel and bias both
 * U(−1/√fan_in, 1/√fan_in), fan_in = inputs per output (Cin·k² for a convolution), seeded per layer
 * so a seed fixes every starting weight. The Keras / TensorFlow.js default (Glorot-uniform kernels,
 * zero biases) trains LeNet-5 to a lower accuracy: PyTorch on this machine, 10 seeds each, gave
 * LeNet-5 97.72 ± 0.21% with its default and 97.57 ± 0.16% with Glorot, MLP-5 95.78 ± 0.48% and
 * 95.85 ± 0.26% (scripts/reference/results-2026-11-26.jsonl).
 */
import * as tf from '@tensorflow/tfjs';

export const MODEL_IDS = [
  'mlp1',
  'mlp2',
  'mlp5',
  'lenet5',
  'mlp-128',
  'mlp-256',
  'mlp-512',
  'mlp-1024',
  'mlp-512x2',
  'mlp-512x3',
] as const;
export type ModelId = (typeof MODEL_IDS)[number];

/** Display names used in tables, charts and posts. */
export const MODEL_LABELS: Record<ModelId, string> = {
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

export const IMAGE_SIZE = 28;
export const NUM_CLASSES = 10;

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

/** Layer plans of each architecture, exactly as ../shared/SERIES.md gives them. */
const PLANS: Record<ModelId, Layer[]> = {
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

export function isModelId(id: string): id is ModelId {
  return (MODEL_IDS as readonly string[]).includes(id);
}

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

/** Builds a fresh model. The same id and seed always give the same initial weights. */
export function buildModel(id: ModelId, seed: number): tf.LayersModel {
  const model = tf.sequential({ name: id.replace(/[^a-z0-9]/g, '_') });
  let shape: number[] = [IMAGE_SIZE, IMAGE_SIZE, 1];
  let first = true;
  const counts: Record<string, number> = {};
  /** Readable layer names for the summary table: conv1, pool1, fc1, … */
  const name = (prefix: string) => `${prefix}${(counts[prefix] = (counts[prefix] ?? 0) + 1)}`;
  const input = (prefix: string) => ({
    name: prefix === 'flatten' || prefix === 'crop' ? prefix : name(prefix),
    ...(first ? { inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1] } : {}),
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
