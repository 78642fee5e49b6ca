/**
 * Analytic FLOPs per sample, layer by layer, by the series' convention: a multiply-add is 2 FLOPs, so
 * dense = 2·in·out and conv = 2·k²·Cin·Hout·Wout·Cout on the layer's true output size (the original's
 * counter used conv2's input size instead, which gave LeNet-5 2,176,080 rather than 563,280: published
 * figures, see site/original.ts). Pooling (k² operations per output element) and activations (one
 * per element) are counted separately and never added to the headline figure.
 *
 * The same table comes from an architecture spec alone (`specLayerShapes`, pure) or from a built
 * tfjs model (`layerShapes`); tests/engine/flops.test.ts holds the two equal.
 */
import type * as tf from '@tensorflow/tfjs';
import { planLayers, type Layer, type PlannedLayer } from '../contract/architecture.ts';
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

/** The tfjs-layers class each layer kind builds to (../engine/models.ts). */
const LAYER_TYPES: Record<Layer['kind'], string> = {
  flatten: 'Flatten',
  crop: 'Cropping2D',
  dense: 'Dense',
  conv: 'Conv2D',
  avgpool: 'AveragePooling2D',
  maxpool: 'MaxPooling2D',
};

/** Trainable parameters of one planned layer: weights plus one bias per output unit or filter. */
function layerParams({ layer, inputShape }: PlannedLayer): number {
  switch (layer.kind) {
    case 'dense':
      return (inputShape[0]! + 1) * layer.units;
    case 'conv':
      return (layer.kernel * layer.kernel * inputShape[2]! + 1) * layer.filters;
    default:
      return 0;
  }
}

/**
 * The shape facts of an architecture's layers, from its spec alone (no tfjs): what `layerShapes`
 * reads off the built model. Throws an ArchitectureError for a layer list that does not fit.
 */
export function specLayerShapes(layers: readonly Layer[]): LayerShape[] {
  return planLayers(layers).map((planned) => {
    const { layer } = planned;
    const size =
      layer.kind === 'conv'
        ? layer.kernel
        : layer.kind === 'avgpool' || layer.kind === 'maxpool'
          ? layer.size
          : undefined;
    return {
      name: planned.name,
      type: LAYER_TYPES[layer.kind],
      inputShape: planned.inputShape,
      outputShape: planned.outputShape,
      params: layerParams(planned),
      activation: 'activation' in layer ? layer.activation : null,
      ...(size === undefined ? {} : { kernel: size }),
    };
  });
}

/** The per-layer table (shapes, parameters, FLOPs) of an architecture, from its spec alone. */
export function architectureSummary(layers: readonly Layer[]): LayerSummary[] {
  return summariseLayers(specLayerShapes(layers));
}

/** Trainable parameters of an architecture, from its spec alone. */
export function countParams(layers: readonly Layer[]): number {
  return specLayerShapes(layers).reduce((n, l) => n + l.params, 0);
}
