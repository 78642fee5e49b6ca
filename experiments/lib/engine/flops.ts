/**
 * Analytic FLOPs per sample, layer by layer, by the series' convention: a multiply-add is 2 FLOPs, so
 * dense = 2·in·out and conv = 2·k²·Cin·Hout·Wout·Cout on the layer's true output size (the original's
 * counter used conv2's input size instead, see SERIES.md). Pooling (k² operations per output element) and
 * activations (one per element) are counted separately and never added to the headline figure.
 */
import type * as tf from '@tensorflow/tfjs';
import type { LayerSummary } from '../contract/results.ts';

/** The shape facts FLOPs depend on; shapes exclude the batch dimension. e.g. { type: 'Dense', inputShape: [784], outputShape: [512] } */
export interface LayerShape {
  name: string;
  type: string;
  inputShape: number[];
  outputShape: number[];
  params: number;
  activation: string | null;
  /** Conv kernel or pooling window side, when the layer has one. */
  kernel?: number;
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** FLOPs of one layer per sample. Throws for a layer type it does not know how to count. */
export function layerFlops(
  layer: LayerShape,
): Pick<LayerSummary, 'flops' | 'poolingFlops' | 'activationFlops'> {
  const outputs = product(layer.outputShape);
  const activationFlops = layer.activation && layer.activation !== 'linear' ? outputs : 0;
  switch (layer.type) {
    case 'Dense':
      return { flops: 2 * product(layer.inputShape) * outputs, poolingFlops: 0, activationFlops };
    case 'Conv2D': {
      const k = layer.kernel ?? 1;
      const cin = layer.inputShape[2]!;
      return { flops: 2 * k * k * cin * outputs, poolingFlops: 0, activationFlops };
    }
    case 'AveragePooling2D':
    case 'MaxPooling2D': {
      const k = layer.kernel ?? 1;
      return { flops: 0, poolingFlops: k * k * outputs, activationFlops: 0 };
    }
    case 'Flatten':
    case 'Cropping2D':
    case 'InputLayer':
      return { flops: 0, poolingFlops: 0, activationFlops: 0 };
    default:
      throw new Error(`cannot count FLOPs of layer '${layer.name}' of type ${layer.type}`);
  }
}

/** Per-layer summary of a model: shapes, parameters and FLOPs (the model summary table). */
export function summariseLayers(layers: readonly LayerShape[]): LayerSummary[] {
  return layers.map((layer) => ({
    name: layer.name,
    type: layer.type,
    outputShape: layer.outputShape,
    params: layer.params,
    activation: layer.activation,
    ...layerFlops(layer),
  }));
}

export function totalFlops(layers: readonly LayerSummary[]): {
  flops: number;
  poolingFlops: number;
  activationFlops: number;
} {
  return layers.reduce(
    (sum, l) => ({
      flops: sum.flops + l.flops,
      poolingFlops: sum.poolingFlops + l.poolingFlops,
      activationFlops: sum.activationFlops + l.activationFlops,
    }),
    { flops: 0, poolingFlops: 0, activationFlops: 0 },
  );
}

/** Reads the shape facts off a built tfjs-layers model. */
export function layerShapes(model: tf.LayersModel): LayerShape[] {
  return model.layers.map((layer) => {
    const config = layer.getConfig() as {
      activation?: string;
      kernelSize?: number | number[];
      poolSize?: number | number[];
    };
    const size = config.kernelSize ?? config.poolSize;
    const inShape = (Array.isArray(layer.input) ? layer.input[0]! : layer.input).shape;
    const outShape = (Array.isArray(layer.output) ? layer.output[0]! : layer.output).shape;
    return {
      name: layer.name,
      type: layer.getClassName(),
      inputShape: inShape.slice(1) as number[],
      outputShape: outShape.slice(1) as number[],
      params: layer.countParams(),
      activation: config.activation ?? null,
      ...(size === undefined ? {} : { kernel: Array.isArray(size) ? size[0]! : size }),
    };
  });
}
