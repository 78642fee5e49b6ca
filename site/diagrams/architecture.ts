/**
 * A model's architecture as the diagrams draw it, read from the results file's per-layer table
 * (`runs[].layers`: the same spec the engine trained): the input image, then one stage per
 * layer with its output shape, the operation that produced it and its parameter count.
 *
 * The table gives output shapes and parameter counts, not kernel sizes, so a convolution's kernel
 * and a pooling window are worked out from the shapes (valid padding, stride 1 for convolutions;
 * non-overlapping windows for pooling) and checked against the parameter count: a layer the
 * table does not explain is an error naming it, never a guessed picture.
 */
import type { LayerSummary, Run } from '../../experiments/lib/contract/results.ts';
import { MNIST_SIZE } from '../demo/preprocess.ts';

/** What a stage holds: feature maps (height × width × channels) or a flat vector of values. */
export type Tensor = { kind: 'maps'; size: number; channels: number } | { kind: 'vector'; length: number };

export interface Stage {
  /** The layer's name in the table (`conv1`, `fc2`), `input` for the image. */
  name: string;
  kind: 'input' | 'crop' | 'conv' | 'pool' | 'flatten' | 'dense';
  output: Tensor;
  /** Side of a convolution's kernel or a pooling window, px; null for other stages. */
  window: number | null;
  /** The layer's activation as readers know it (`ReLU`, `tanh`), null for none or linear. */
  activation: string | null;
  params: number;
  /** True for the network's last layer (its outputs are the class scores). */
  last: boolean;
}

export interface Architecture {
  model: string;
  label: string;
  stages: Stage[];
  /** Sum of the layers' parameters, e.g. 44426 for LeNet-5. */
  params: number;
}

/** The image every model of the series reads: one channel of MNIST_SIZE × MNIST_SIZE. */
const INPUT: Tensor = { kind: 'maps', size: MNIST_SIZE, channels: 1 };

const ACTIVATIONS: Record<string, string | null> = {
  relu: 'ReLU',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  linear: null,
};

function values(tensor: Tensor): number {
  return tensor.kind === 'maps' ? tensor.size * tensor.size * tensor.channels : tensor.length;
}

/** The layer's output as a Tensor: [h, w, c] square maps or [n]. */
function outputOf(layer: LayerSummary, fail: (reason: string) => never): Tensor {
  const shape = layer.outputShape;
  if (shape.length === 1) return { kind: 'vector', length: shape[0]! };
  if (shape.length === 3 && shape[0] === shape[1])
    return { kind: 'maps', size: shape[0]!, channels: shape[2]! };
  return fail(`output shape [${shape.join(', ')}] is neither a vector nor square feature maps`);
}

/** The stages of a run's model. Throws, naming the run and layer, on a table it cannot explain. */
export function architectureOf(run: Run): Architecture {
  const stages: Stage[] = [
    { name: 'input', kind: 'input', output: INPUT, window: null, activation: null, params: 0, last: false },
  ];
  let previous = INPUT;
  run.layers.forEach((layer, i) => {
    const fail = (reason: string): never => {
      throw new Error(`run '${run.key}': layers[${i}] (${layer.name}, ${layer.type}): ${reason}`);
    };
    const output = outputOf(layer, fail);
    const activation =
      layer.activation === null
        ? null
        : Object.hasOwn(ACTIVATIONS, layer.activation)
          ? (ACTIVATIONS[layer.activation] ?? null)
          : layer.activation;
    const stage = (kind: Stage['kind'], window: number | null = null): Stage => ({
      name: layer.name,
      kind,
      output,
      window,
      activation,
      params: layer.params,
      last: i === run.layers.length - 1,
    });
    const maps = (tensor: Tensor) =>
      tensor.kind === 'maps' ? tensor : fail('expects feature maps as input');
    switch (layer.type) {
      case 'Conv2D': {
        const [from, to] = [maps(previous), maps(output)];
        const kernel = from.size - to.size + 1;
        if ((kernel * kernel * from.channels + 1) * to.channels !== layer.params)
          fail(
            `${layer.params} parameters do not match a ${kernel}×${kernel} kernel from ${from.channels} channels`,
          );
        stages.push(stage('conv', kernel));
        break;
      }
      case 'AveragePooling2D':
      case 'MaxPooling2D': {
        const [from, to] = [maps(previous), maps(output)];
        if (from.size % to.size !== 0 || from.channels !== to.channels)
          fail(
            `${from.size}×${from.size}×${from.channels} does not pool to ${to.size}×${to.size}×${to.channels}`,
          );
        stages.push(stage('pool', from.size / to.size));
        break;
      }
      case 'Cropping2D':
        if (maps(output).size > maps(previous).size) fail('a crop cannot grow the image');
        stages.push(stage('crop'));
        break;
      case 'Flatten':
        if (output.kind !== 'vector' || output.length !== values(previous))
          fail(`flattening ${values(previous)} values cannot give [${layer.outputShape.join(', ')}]`);
        stages.push(stage('flatten'));
        break;
      case 'Dense': {
        if (previous.kind !== 'vector' || output.kind !== 'vector') fail('expects a vector in and out');
        const inputs = values(previous);
        const units = values(output);
        if ((inputs + 1) * units !== layer.params)
          fail(`${layer.params} parameters do not match ${inputs} inputs to ${units} units with biases`);
        stages.push(stage('dense'));
        break;
      }
      default:
        fail(
          'no diagram for this layer type (known: Conv2D, AveragePooling2D, MaxPooling2D, Cropping2D, Flatten, Dense)',
        );
    }
    previous = output;
  });
  return {
    model: run.model,
    label: run.label,
    stages,
    params: run.layers.reduce((sum, layer) => sum + layer.params, 0),
  };
}

/** Whether the model has convolutions (drawn as a feature-map picture) rather than only dense layers. */
export function isConvolutional(architecture: Architecture): boolean {
  return architecture.stages.some((stage) => stage.kind === 'conv');
}
