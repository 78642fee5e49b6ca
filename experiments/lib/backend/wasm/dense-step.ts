/**
 * The training step of a stack of dense layers at batch 1, fused: no tfjs kernel dispatch, and each
 * layer's weight gradient, the outer product of its input and output gradient, computed inside the
 * Adam update (the SIMD module's `adamRank1`) instead of being written out and read back. At batch 1
 * a step is memory bound, and through tfjs it was about 30 kernel calls and two passes over every
 * weight more than this one (MLP-1 2.0 ms a step, two thirds of it Adam).
 *
 * The values are those of the engine's step (engine/train.ts `trainStep`) bit for bit: the products
 * are the very OpenBLAS calls the wasm products make for these shapes (../blas/products.ts: `sgemv`
 * for a one-row product, the bias first where tfjs fuses it, added after where it does not), the
 * weight gradient x·dyᵀ is one float32 product per element as `sgemm` with k = 1 computes it, the
 * relu and bias operations round as wasm's, the loss is ./softmax-loss.ts, and Adam is
 * ./kernels/AdamUpdate.ts's order of operations (tests/backend/wasm/dense-step.test.ts compares
 * every weight and moment after many steps). Weights and moments are the tfjs variables' own
 * memory, updated in place, so the model and the optimizer state stay tfjs's.
 *
 * Taken for a Sequential model of an optional centre crop, a flatten and dense layers with relu or
 * linear activations (every MLP here) on the wasm backend with OpenBLAS loaded, the SIMD module
 * built, Adam and batch size 1; otherwise undefined and the engine's step runs.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { AdamSlot, AdamSlots, FusedStepFactory, FusedTrainingStep } from '../../engine/kernel-names.ts';
import { IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES } from '../../contract/image.ts';
import { nativeProducts, type Blas } from '../blas/openblas.ts';
import { BACKEND } from './kernel.ts';
import { adamConstants, adamRank1Bounds } from './adam-constants.ts';
import { forgetPackedCopies } from './heap.ts';
import { simdModule, type SimdFunctions } from './simd/functions.ts';
import { softmaxLoss } from './softmax-loss.ts';

/** A dense layer of the stack: its slots (kernel, then bias if any) and shape. */
interface DenseLayer {
  kernel: AdamSlot;
  bias: AdamSlot | undefined;
  inputs: number;
  units: number;
  /** relu layers run unfused under gradients (matMul, add, relu); linear ones as one fused matMul. */
  relu: boolean;
}

/** The fields of tfjs-layers' Cropping2D and Dense (4.22) read here; not in its public typings. */
interface LayerFields {
  cropping?: [[number, number], [number, number]];
  activation?: { getClassName(): string };
  kernel?: { val: tf.Variable } | null;
  bias?: { val: tf.Variable } | null;
}

/** The crop (its margin, 0 for none) and dense layers of `model`, or undefined if it is not such a stack. */
function denseStack(
  model: tf.LayersModel,
  adam: AdamSlots,
): { margin: number; layers: DenseLayer[] } | undefined {
  if (model.getClassName() !== 'Sequential') return undefined;
  const slotOf = new Map(adam.slots.map((slot) => [slot.variable, slot]));
  let margin = 0;
  let flat = false;
  let size = IMAGE_PIXELS;
  const layers: DenseLayer[] = [];
  for (const layer of model.layers) {
    const fields = layer as unknown as LayerFields;
    const className = layer.getClassName();
    if (className === 'Cropping2D') {
      const [[top, bottom], [left, right]] = fields.cropping!;
      if (flat || layers.length > 0 || margin > 0 || top !== bottom || left !== right || top !== left)
        return undefined;
      margin = top;
      size = (IMAGE_SIZE - 2 * margin) ** 2;
    } else if (className === 'Flatten') {
      flat = true;
    } else if (className === 'Dense') {
      const activation = fields.activation!.getClassName();
      const kernel = fields.kernel ? slotOf.get(fields.kernel.val) : undefined;
      const bias = fields.bias ? slotOf.get(fields.bias.val) : undefined;
      if (!flat || (activation !== 'relu' && activation !== 'linear') || kernel === undefined)
        return undefined;
      if ((fields.bias != null) !== (bias !== undefined) || kernel.variable.shape[0] !== size)
        return undefined;
      const units = kernel.variable.shape[1]!;
      layers.push({ kernel, bias, inputs: size, units, relu: activation === 'relu' });
      size = units;
    } else {
      return undefined;
    }
  }
  const counted = layers.reduce((n, layer) => n + (layer.bias === undefined ? 1 : 2), 0);
  if (layers.length === 0 || size !== NUM_CLASSES || counted !== adam.slots.length) return undefined;
  return { margin, layers };
}

/** The fused batch-1 step of `model`, or undefined (see the module comment). */
export const denseTrainingStep: FusedStepFactory = (model, adam, batchSize) => {
  const blas = nativeProducts.blas;
  if (batchSize !== 1 || blas === undefined || tf.getBackend() !== BACKEND) return undefined;
  const backend = tf.backend() as BackendWasm;
  const simd = simdModule(backend);
  const stack = simd === undefined ? undefined : denseStack(model, adam);
  if (simd === undefined || stack === undefined) return undefined;
  return fusedStep(backend, blas, simd, adam, stack.margin, stack.layers);
};

function fusedStep(
  backend: BackendWasm,
  blas: Blas,
  simd: SimdFunctions,
  adam: AdamSlots,
  margin: number,
  layers: DenseLayer[],
): FusedTrainingStep {
  // One scratch tensor on the wasm heap (the SIMD module reads its operands there): a one (the
  // "input" of a bias), the network's input, and per layer its pre-activation, output and the
  // gradients of both.
  const sizes = [1, layers[0]!.inputs, ...layers.map((layer) => 4 * layer.units)];
  const scratch = backend.makeOutput([sizes.reduce((a, b) => a + b, 0)], 'float32');
  const loss = softmaxLoss(backend, NUM_CLASSES);
  const side = IMAGE_SIZE - 2 * margin;
  const f = Math.fround;
  const bounds = adamRank1Bounds(adam.attrs);
  const variables = adam.slots.flatMap((slot) => [slot.variable, slot.firstMoment, slot.secondMoment]);
  const dataIds = variables.map((variable) => variable.dataId);

  return {
    run(images, labels, size) {
      // In place only where nothing else holds the data, and only on the data seen at the start.
      if (size !== 1 || variables.some((v, i) => v.dataId !== dataIds[i] || backend.refCount(v.dataId) !== 1))
        return undefined;
      const heap = backend.typedArrayFromHeap(scratch) as Float32Array;
      let offset = 0;
      const take = (length: number) => heap.subarray(offset, (offset += length));
      const one = take(1);
      one[0] = 1;
      const input = take(layers[0]!.inputs);
      const buffers = layers.map((layer) => ({
        pre: take(layer.units),
        out: take(layer.units),
        dOut: take(layer.units),
        dPre: take(layer.units),
      }));
      const values = (slot: AdamSlot) => backend.typedArrayFromHeap(slot.variable) as Float32Array;

      for (let row = 0; row < side; row++) {
        const start = (row + margin) * IMAGE_SIZE + margin;
        input.set(images.subarray(start, start + side), row * side);
      }
      // Forward, as the wasm products compute a one-row product (../blas/products.ts).
      let x = input;
      layers.forEach((layer, l) => {
        const { pre, out } = buffers[l]!;
        const kernel = values(layer.kernel);
        const bias = layer.bias === undefined ? undefined : values(layer.bias);
        if (layer.relu) {
          blas.sgemv(true, layer.inputs, layer.units, 1, kernel, layer.units, x, 0, pre);
          if (bias !== undefined) for (let j = 0; j < layer.units; j++) pre[j] = f(pre[j]! + bias[j]!);
          for (let j = 0; j < layer.units; j++) out[j] = pre[j]! > 0 ? pre[j]! : 0;
        } else {
          if (bias === undefined) out.fill(0);
          else out.set(bias);
          blas.sgemv(
            true,
            layer.inputs,
            layer.units,
            1,
            kernel,
            layer.units,
            x,
            bias === undefined ? 0 : 1,
            out,
          );
        }
        x = out;
      });
      const last = buffers[layers.length - 1]!;
      const { loss: value, predicted } = loss.run(last.out, labels[0]!, last.dOut);

      // Backward from the last layer, each layer's weights updated once its input gradient is computed.
      const accBeta1 = (backend.typedArrayFromHeap(adam.accBeta1) as Float32Array)[0]!;
      const accBeta2 = (backend.typedArrayFromHeap(adam.accBeta2) as Float32Array)[0]!;
      const constants = [...adamConstants(adam.attrs, accBeta1, accBeta2), ...bounds];
      for (let l = layers.length - 1; l >= 0; l--) {
        const layer = layers[l]!;
        const { pre, dOut, dPre } = buffers[l]!;
        if (layer.relu) {
          // relu's gradient: dy · step(pre), step 1 above zero and 0 elsewhere.
          for (let j = 0; j < layer.units; j++) dPre[j] = pre[j]! > 0 ? dOut[j]! : f(dOut[j]! * 0);
        } else {
          dPre.set(dOut);
        }
        const layerInput = l === 0 ? input : buffers[l - 1]!.out;
        if (l > 0) {
          // The input gradient dy·Wᵀ, from the weights before their update.
          const kernel = values(layer.kernel);
          blas.sgemv(false, layer.inputs, layer.units, 1, kernel, layer.units, dPre, 0, buffers[l - 1]!.dOut);
        }
        update(layer.kernel, layerInput, layer.inputs, dPre, layer.units);
        if (layer.bias !== undefined) update(layer.bias, one, 1, dPre, layer.units);
      }
      adam.advance();
      return { loss: value, correct: predicted === labels[0] ? 1 : 0 };

      function update(slot: AdamSlot, x: Float32Array, rows: number, dy: Float32Array, columns: number) {
        const offsetOf = (variable: tf.Variable) =>
          (backend.typedArrayFromHeap(variable) as Float32Array).byteOffset;
        simd.adamRank1(
          offsetOf(slot.variable),
          offsetOf(slot.firstMoment),
          offsetOf(slot.secondMoment),
          x.byteOffset,
          rows,
          dy.byteOffset,
          columns,
          ...constants,
        );
        forgetPackedCopies(backend, slot.variable);
      }
    },
    dispose() {
      loss.dispose();
      backend.disposeData(scratch.dataId);
    },
  };
}
