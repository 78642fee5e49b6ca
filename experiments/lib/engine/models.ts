/**
 * Models built from architecture specs (experiments/architectures/*.json, see
 * ../contract/architecture.ts): `buildModel(spec, seed)` returns a fresh, uncompiled tfjs-layers model
 * whose input is a 28×28×1 image normalised to [-1, 1] and whose output is 10 logits.
 *
 * Initial weights are PyTorch's defaults, as in the original (PyTorch 2.5): kernel and bias both
 * U(−1/√fan_in, 1/√fan_in), fan_in = inputs per output (Cin·k² for a convolution), seeded per layer
 * (seed·1000 + 2·position in the layer list) so a seed fixes every starting weight. The Keras /
 * TensorFlow.js default (Glorot-uniform kernels, zero biases) trains LeNet-5 to a lower accuracy:
 * PyTorch on this machine, 10 seeds each, gave LeNet-5 97.72 ± 0.21% with its default and
 * 97.57 ± 0.16% with Glorot, MLP-5 95.78 ± 0.48% and 95.85 ± 0.26%
 * (scripts/reference/results-2026-11-26.jsonl).
 */
import * as tf from '@tensorflow/tfjs';
import { planLayers, type ArchitectureSpec } from '../contract/architecture.ts';
import { INPUT_SHAPE } from '../contract/image.ts';

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

/**
 * Builds a fresh model of `spec` (its id names the model, its layers are validated again here). The
 * same layers and seed always give the same initial weights; the layers are named as in the spec's
 * per-layer table (conv1, pool1, fc1, flatten, crop).
 */
export function buildModel(spec: Pick<ArchitectureSpec, 'id' | 'layers'>, seed: number): tf.LayersModel {
  const model = tf.sequential({ name: spec.id.replace(/[^a-z0-9]/g, '_') });
  for (const { layer, index, name, inputShape } of planLayers(spec.layers)) {
    const layerSeed = seed * 1000 + index * 2;
    const common = { name, ...(index === 0 ? { inputShape: [...INPUT_SHAPE] } : {}) };
    switch (layer.kind) {
      case 'crop': {
        const [h, w] = inputShape as [number, number, number];
        const rows = (h - layer.size) / 2;
        const columns = (w - layer.size) / 2;
        model.add(
          tf.layers.cropping2D({
            cropping: [
              [rows, rows],
              [columns, columns],
            ],
            ...common,
          }),
        );
        break;
      }
      case 'flatten':
        model.add(tf.layers.flatten(common));
        break;
      case 'conv': {
        const init = pytorchInit(inputShape[2]! * layer.kernel * layer.kernel, layerSeed);
        model.add(
          tf.layers.conv2d({
            filters: layer.filters,
            kernelSize: layer.kernel,
            strides: layer.stride,
            padding: layer.padding,
            activation: layer.activation,
            kernelInitializer: init.kernel,
            biasInitializer: init.bias,
            ...common,
          }),
        );
        break;
      }
      case 'avgpool':
      case 'maxpool': {
        const pool = layer.kind === 'avgpool' ? tf.layers.averagePooling2d : tf.layers.maxPooling2d;
        model.add(pool({ poolSize: layer.size, strides: layer.stride, ...common }));
        break;
      }
      case 'dense': {
        const init = pytorchInit(inputShape[0]!, layerSeed);
        model.add(
          tf.layers.dense({
            units: layer.units,
            activation: layer.activation,
            kernelInitializer: init.kernel,
            biasInitializer: init.bias,
            ...common,
          }),
        );
        break;
      }
    }
  }
  return model;
}
