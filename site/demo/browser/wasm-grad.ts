/**
 * The filter gradient of a 2-D convolution for TensorFlow.js's wasm backend, which has none
 * (tfjs-backend-wasm 4.22 registers no `Conv2DBackpropFilter`, so fine-tuning LeNet-5 there throws
 * "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'"). The experiments add a faster
 * one in experiments/lib/backend/wasm/kernels.ts, which the site may not import (it is Node-only
 * engine code); this is the plain loop of tfjs-backend-cpu's kernel over the wasm heap, NHWC only.
 * For the demo's batches of 32 on LeNet-5 it is about 12 million multiply-adds per step.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

function conv2dBackpropFilter({
  inputs,
  backend,
  attrs,
}: {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  if (attrs.dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter (demo, wasm): only NHWC is supported, got ${attrs.dataFormat}`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const xs = backend.typedArrayFromHeap(x) as Float32Array;
  const dys = backend.typedArrayFromHeap(dy) as Float32Array;
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dw = new Float32Array(filterHeight * filterWidth * inChannels * outChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let yr = 0; yr < outHeight; yr++) {
      for (let yc = 0; yc < outWidth; yc++) {
        const dyOffset = ((b * outHeight + yr) * outWidth + yc) * outChannels;
        for (let wr = 0; wr < filterHeight; wr++) {
          const xr = yr * strideHeight + wr - top;
          if (xr < 0 || xr >= inHeight) continue;
          for (let wc = 0; wc < filterWidth; wc++) {
            const xc = yc * strideWidth + wc - left;
            if (xc < 0 || xc >= inWidth) continue;
            const xOffset = ((b * inHeight + xr) * inWidth + xc) * inChannels;
            const wOffset = (wr * filterWidth + wc) * inChannels;
            for (let d1 = 0; d1 < inChannels; d1++) {
              const xv = xs[xOffset + d1]!;
              if (xv === 0) continue;
              const row = (wOffset + d1) * outChannels;
              for (let d2 = 0; d2 < outChannels; d2++) dw[row + d2]! += xv * dys[dyOffset + d2]!;
            }
          }
        }
      }
    }
  }
  const out = backend.makeOutput(attrs.filterShape, 'float32');
  (backend.typedArrayFromHeap(out) as Float32Array).set(dw);
  return out;
}

/** Registers the kernel on wasm unless one is there already. Safe to call more than once. */
export function registerWasmConvFilterGradient(): void {
  if (tf.getKernel(tf.Conv2DBackpropFilter, 'wasm') !== undefined) return;
  tf.registerKernel({
    kernelName: tf.Conv2DBackpropFilter,
    backendName: 'wasm',
    kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
  });
}
