/**
 * A trained model's batch-1 inference as a chain of BLAS calls (./dense-chain.ts), when it is a
 * Sequential stack of an optional centre crop, a flatten and dense layers (every MLP here) and
 * OpenBLAS is loaded; undefined otherwise (LeNet-5's convolutions, the tensorflow and cpu backends),
 * and the latency is then timed through tfjs. The engine's latency measurement (engine/latency.ts)
 * takes the chain from its caller (the runner's worker, the bench), so the engine imports nothing of
 * the backend; the runner hashes this file with the measuring code (runner/code-key.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import { denseChain, type ChainStep, type DenseActivation, type DenseChain } from './dense-chain.ts';
import { nativeProducts } from './openblas.ts';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../../contract/image.ts';

/** The fields of tfjs-layers' Cropping2D and Dense (4.22) read here; not in its public typings. */
interface ChainLayer {
  cropping?: [[number, number], [number, number]];
  activation?: { getClassName(): string };
}

const ACTIVATIONS = new Set<string>(['linear', 'relu', 'tanh']);

/** The chain's steps for `model`, with its weights copied out, or undefined if it is not such a stack. */
export function chainSteps(model: tf.LayersModel): ChainStep[] | undefined {
  if (model.getClassName() !== 'Sequential') return undefined;
  const steps: ChainStep[] = [];
  let flat = false;
  for (const layer of model.layers) {
    const fields = layer as unknown as ChainLayer;
    switch (layer.getClassName()) {
      case 'Cropping2D': {
        const [[top, bottom], [left, right]] = fields.cropping!;
        if (flat || steps.length > 0 || top !== bottom || left !== right || top !== left) return undefined;
        steps.push({ kind: 'crop', size: IMAGE_SIZE - 2 * top, from: IMAGE_SIZE });
        break;
      }
      case 'Flatten':
        // Channels-last with one channel: the flat order is the image's row-major order.
        flat = true;
        break;
      case 'Dense': {
        const activation = fields.activation!.getClassName();
        if (!flat || !ACTIVATIONS.has(activation)) return undefined;
        const [kernel, bias] = layer.getWeights();
        steps.push({
          kind: 'dense',
          kernel: new Float32Array(kernel!.dataSync()),
          bias: bias === undefined ? null : new Float32Array(bias.dataSync()),
          inputs: kernel!.shape[0]!,
          units: kernel!.shape[1]!,
          activation: activation as DenseActivation,
        });
        break;
      }
      default:
        return undefined;
    }
  }
  return steps.some((s) => s.kind === 'dense') ? steps : undefined;
}

/** The model's chain on the loaded OpenBLAS, or undefined (see the module comment). */
export function inferenceChain(model: tf.LayersModel): DenseChain | undefined {
  const blas = nativeProducts.blas;
  if (blas === undefined) return undefined;
  const steps = chainSteps(model);
  return steps === undefined ? undefined : denseChain(blas, steps, IMAGE_PIXELS);
}
