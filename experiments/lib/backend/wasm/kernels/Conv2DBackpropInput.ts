/**
 * Conv2DBackpropInput: wasm's own runs a naive loop (about 1.9 GFLOP/s, 40% of a LeNet-5 training
 * step). With stride 1 this is wasm's (XNNPACK) Conv2D of the output gradient with the flipped
 * filter; with larger strides one plain matrix product followed by col2im, the mirror image of the
 * filter gradient (./Conv2DBackpropFilter.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmKernel, WasmKernelConfig } from '../kernel.ts';

/**
 * dx[n, ih, iw, ci] = Σ over the windows covering (ih, iw) of dy[n, oh, ow, co] · w[kh, kw, ci, co].
 * With stride 1 that is the convolution of dy, padded by (filter size − 1 − padding) on each side,
 * with the filter flipped in space and with its channel axes swapped. Otherwise the window
 * contributions form the `[n·oh·ow, kh·kw·ci]` matrix dy · wᵀ (wᵀ made explicitly, it is small),
 * which col2im adds into dx. NCHW data goes to wasm's own kernel (`fallback`).
 */
export function conv2dBackpropInput(
  plainMatMul: WasmKernel,
  transpose: WasmKernel,
  conv2d: WasmKernel,
  fallback: WasmKernel,
): WasmKernel {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
      attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (dataFormat === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32') return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const { batchSize: n, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
    const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
    const { top, left } = info.padInfo;
    const patchSize = filterHeight * filterWidth * inChannels;
    const positions = n * outHeight * outWidth;

    const { bottom, right } = info.padInfo;
    const fullPadding = [
      filterHeight - 1 - top,
      filterHeight - 1 - bottom,
      filterWidth - 1 - left,
      filterWidth - 1 - right,
    ];
    if (strideHeight === 1 && strideWidth === 1 && fullPadding.every((size) => size >= 0)) {
      const flipped = backend.makeOutput([filterHeight, filterWidth, outChannels, inChannels], 'float32');
      try {
        const filterValues = backend.typedArrayFromHeap(filter) as Float32Array;
        const flippedValues = backend.typedArrayFromHeap(flipped) as Float32Array;
        for (let kh = 0; kh < filterHeight; kh++) {
          for (let kw = 0; kw < filterWidth; kw++) {
            const source =
              ((filterHeight - 1 - kh) * filterWidth + (filterWidth - 1 - kw)) * inChannels * outChannels;
            const target = (kh * filterWidth + kw) * outChannels * inChannels;
            for (let ci = 0; ci < inChannels; ci++) {
              for (let co = 0; co < outChannels; co++) {
                flippedValues[target + co * inChannels + ci] = filterValues[source + ci * outChannels + co]!;
              }
            }
          }
        }
        const [padTop, padBottom, padLeft, padRight] = fullPadding as [number, number, number, number];
        return conv2d({
          inputs: { x: dy, filter: flipped },
          backend,
          attrs: {
            strides: 1,
            dilations: 1,
            pad: [
              [0, 0],
              [padTop, padBottom],
              [padLeft, padRight],
              [0, 0],
            ],
            dataFormat: 'NHWC',
          } as unknown as tf.NamedAttrMap,
        });
      } finally {
        backend.disposeData(flipped.dataId);
      }
    }

    const filterT = transpose({
      inputs: { x: { ...filter, shape: [patchSize, outChannels] } },
      backend,
      attrs: { perm: [1, 0] },
    });
    let windows: tf.TensorInfo | undefined;
    try {
      windows = plainMatMul({
        inputs: { a: { ...dy, shape: [positions, outChannels] }, b: filterT },
        backend,
        attrs: { transposeA: false, transposeB: false },
      });
      const dx = backend.makeOutput([...inputShape], 'float32');
      // Views on the wasm heap are taken after the allocations above, which may grow (and detach) it.
      const windowValues = backend.typedArrayFromHeap(windows) as Float32Array;
      const dxValues = backend.typedArrayFromHeap(dx) as Float32Array;
      dxValues.fill(0);
      for (let b = 0; b < n; b++) {
        for (let oh = 0; oh < outHeight; oh++) {
          for (let ow = 0; ow < outWidth; ow++) {
            let source = ((b * outHeight + oh) * outWidth + ow) * patchSize;
            for (let kh = 0; kh < filterHeight; kh++) {
              const ih = oh * strideHeight + kh - top;
              if (ih < 0 || ih >= inHeight) {
                source += filterWidth * inChannels;
                continue;
              }
              for (let kw = 0; kw < filterWidth; kw++) {
                const iw = ow * strideWidth + kw - left;
                if (iw >= 0 && iw < inWidth) {
                  const target = ((b * inHeight + ih) * inWidth + iw) * inChannels;
                  for (let ci = 0; ci < inChannels; ci++) {
                    dxValues[target + ci] = dxValues[target + ci]! + windowValues[source + ci]!;
                  }
                }
                source += inChannels;
              }
            }
          }
        }
      }
      return dx;
    } finally {
      backend.disposeData(filterT.dataId);
      if (windows !== undefined) backend.disposeData(windows.dataId);
    }
  };
}

export const conv2dBackpropInputConfig: WasmKernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  build: ({ own, ours }) =>
    conv2dBackpropInput(own(tf.BatchMatMul), ours(tf.Transpose), own(tf.Conv2D), own(tf.Conv2DBackpropInput)),
};
