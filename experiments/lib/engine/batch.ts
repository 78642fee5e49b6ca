/** A batch of images as the engine hands it to tfjs, for the training step, its replay and evaluation. */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../contract/image.ts';

/** The shape of `size` images as the models take them: N×28×28×1. */
export function batchShape(size: number): [number, number, number, number] {
  return [size, IMAGE_SIZE, IMAGE_SIZE, 1];
}

/** The first `size` images of `images` (N×784) and labels of `labels` as tensors (int32 labels). */
export function batchTensors(
  images: Float32Array,
  labels: Int32Array,
  size: number,
): { xs: tf.Tensor4D; ids: tf.Tensor1D } {
  return {
    xs: tf.tensor4d(images.subarray(0, size * IMAGE_PIXELS), batchShape(size)),
    ids: tf.tensor1d(labels.subarray(0, size), 'int32'),
  };
}
