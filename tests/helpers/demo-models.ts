/**
 * Development stand-ins for the experiments' saved models, for the demo's browser test when the real
 * trained models are not there: the same architectures (experiments/lib/engine/models.ts, untrained: training
 * in pure-JavaScript tfjs takes minutes), saved in the format the engine writes (TensorFlow.js layers:
 * model.json + weights.bin), with the Node predictions the browser must reproduce.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { normalise, type Mnist } from '../../experiments/lib/engine/dataset.ts';

const PIXELS = 28 * 28;

/** Saves `model` as `<dir>/model.json` + `<dir>/weights.bin`, like the engine. */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      await writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      await writeFile(path.join(dir, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** `count` test images from `start` as a normalised [count, 28, 28, 1] tensor. */
export function testImages(mnist: Mnist, start: number, count: number): tf.Tensor4D {
  return tf.tensor4d(normalise(mnist.test.images.subarray(start * PIXELS, (start + count) * PIXELS)), [
    count,
    28,
    28,
    1,
  ]);
}

/** Predicted digit of `model` for each of the first `count` test images. */
export function predictTest(model: tf.LayersModel, mnist: Mnist, count: number): number[] {
  return tf.tidy(() =>
    Array.from((model.predict(testImages(mnist, 0, count)) as tf.Tensor).argMax(-1).dataSync()),
  );
}
