/**
 * The forward pass of a training step, built so that backpropagation computes no gradient nobody uses.
 *
 * tfjs's fused matMul and conv2d, which its Dense and Conv2D layers run (except, while gradients are
 * recorded, for relu and elu activations), return the gradient of every input at once, the layer's
 * input included, even when that input is the data and nothing needs its gradient. For LeNet-5 that
 * is conv1's input gradient, a convolution with one output channel that took about a third of a
 * training step on wasm. `applyForTraining` runs such a first layer with a gradient for its weights
 * only, computed by the same kernels in the same order, so the values are tfjs's own bit for bit
 * (tests/forward.test.ts).
 */
import * as tf from '@tensorflow/tfjs';

/** The fields of tfjs-layers' Dense and Conv2D (4.22) read here; not in its public typings. */
interface WeightedLayer {
  kernel: { read(): tf.Tensor } | null;
  bias: { read(): tf.Tensor } | null;
  activation: { apply(x: tf.Tensor): tf.Tensor; getClassName(): string };
}

interface Conv2DLayer extends WeightedLayer {
  strides: [number, number];
  padding: 'valid' | 'same' | 'causal';
  dataFormat: 'channelsFirst' | 'channelsLast';
  dilationRate: [number, number];
}

/** A layer's linear part on a fixed input, and the gradient of its kernel. */
interface LinearPart {
  /** The product, plus the bias when `fusesBias` (and a bias is given). */
  forward(kernel: tf.Tensor, bias?: tf.Tensor): tf.Tensor;
  kernelGradient(x: tf.Tensor, dy: tf.Tensor, kernel: tf.Tensor): tf.Tensor;
  /** Whether tfjs-layers adds the bias inside the fused op; otherwise it is added after, as an op of its own. */
  fusesBias: boolean;
  /** Axes the bias gradient sums the output gradient over, when the bias is fused. */
  biasAxes: number[];
}

/**
 * `model.apply(xs, { training: true })`, layer by layer as a Sequential model runs it, except that the
 * first layer with weights, when every layer before it has none (its input is then a function of the
 * data alone), gets no input gradient if it is a Dense or Conv2D layer that `linearPart` handles. Any
 * other model is applied by `model.apply` unchanged.
 */
export function applyForTraining(model: tf.LayersModel, xs: tf.Tensor): tf.Tensor {
  if (!(model instanceof tf.Sequential)) return model.apply(xs, { training: true }) as tf.Tensor;
  let output = xs;
  let inputIsData = true;
  for (const layer of model.layers) {
    const part = inputIsData && layer.weights.length > 0 ? linearPart(layer, output) : undefined;
    if (layer.weights.length > 0) inputIsData = false;
    output =
      part === undefined
        ? (layer.apply(output, { training: true }) as tf.Tensor)
        : withWeightGradientsOnly(layer as unknown as WeightedLayer, output, part);
  }
  return output;
}

/**
 * The layer's linear part (product plus bias) as tfjs-layers runs it while gradients are recorded, for
 * a Dense layer on a matrix and a Conv2D layer in channels-last order without dilation, whose
 * activation tfjs-core does not fuse; undefined for anything else. tfjs-layers hands relu and elu to
 * the fused op, which then, while recording gradients, runs unfused ops whose gradients are computed
 * only where needed, so those layers need nothing here.
 */
function linearPart(layer: tf.layers.Layer, x: tf.Tensor): LinearPart | undefined {
  const className = layer.getClassName();
  const activation = (layer as unknown as WeightedLayer).activation.getClassName();
  if (activation === 'relu' || activation === 'elu') return undefined;
  if (className === 'Dense' && x.rank === 2) {
    // As tfjs-layers' Dense (K.dot, with the bias fused only for a linear activation, else K.biasAdd
    // after) and the gradient of tfjs-core's fused matMul.
    return {
      forward: (kernel, bias) => tf.fused.matMul({ a: x as tf.Tensor2D, b: kernel as tf.Tensor2D, bias }),
      kernelGradient: (input, dy) => tf.matMul(input, dy, true, false),
      fusesBias: activation === 'linear',
      biasAxes: [0],
    };
  }
  const conv = layer as unknown as Conv2DLayer;
  if (
    className === 'Conv2D' &&
    x.rank === 4 &&
    conv.dataFormat === 'channelsLast' &&
    conv.padding !== 'causal' &&
    conv.dilationRate.every((rate) => rate === 1)
  ) {
    const { strides, padding: pad } = conv;
    // As tfjs-layers' conv2dWithBiasActivation and the gradient of tfjs-core's fused conv2d.
    return {
      forward: (kernel, bias) =>
        tf.fused.conv2d({ x: x as tf.Tensor4D, filter: kernel as tf.Tensor4D, strides, pad, bias }),
      kernelGradient: (input, dy, kernel) =>
        tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: input, dy }, {
          strides,
          pad,
          dataFormat: 'NHWC',
          filterShape: kernel.shape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor,
      fusesBias: true,
      biasAxes: [0, 1, 2],
    };
  }
  return undefined;
}

/**
 * The layer's output on `x` with a custom gradient for its kernel and bias and none for `x`. `x` is
 * saved for the backward pass as tfjs saves kernel inputs: intermediate tensors of the forward pass
 * are disposed before gradients are computed.
 */
function withWeightGradientsOnly(layer: WeightedLayer, x: tf.Tensor, part: LinearPart): tf.Tensor {
  const kernel = layer.kernel!.read();
  const bias = layer.bias?.read();
  const fusedBias = part.fusesBias ? bias : undefined;
  const product =
    fusedBias === undefined
      ? tf.customGrad((k, save) => {
          (save as tf.GradSaveFunc)([x]);
          return {
            value: part.forward(k as tf.Tensor),
            gradFunc: (dy: tf.Tensor, [input]: tf.Tensor[]) => part.kernelGradient(input!, dy, kernel),
          };
        })(kernel)
      : tf.customGrad((k, b, save) => {
          (save as tf.GradSaveFunc)([x]);
          return {
            value: part.forward(k as tf.Tensor, b as tf.Tensor),
            gradFunc: (dy: tf.Tensor, [input]: tf.Tensor[]) => [
              part.kernelGradient(input!, dy, kernel),
              tf.sum(dy, part.biasAxes),
            ],
          };
        })(kernel, fusedBias);
  const linear = bias === undefined || fusedBias !== undefined ? product : tf.add(product, bias);
  return layer.activation.apply(linear);
}
