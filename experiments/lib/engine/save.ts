/**
 * Saving models in TensorFlow.js layers format (model.json + one weights file) and measuring their
 * size on disk. Written through tf.io.withSaveHandler because plain Node has no file:// handler
 * without tfjs-node.
 */
import * as tf from '@tensorflow/tfjs';

export const WEIGHTS_FILE = 'weights.bin';

/** The files of a saved model: model.json text and the weights' bytes. */
export interface SavedFiles {
  modelJson: string;
  weights: Uint8Array;
}

/** Serialises `model` as the files `model.save` would write; `includeOptimizer` adds Adam's state. */
export async function serialiseModel(model: tf.LayersModel, includeOptimizer = false): Promise<SavedFiles> {
  let files: SavedFiles | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData;
      const buffers = weightData === undefined ? [] : Array.isArray(weightData) ? weightData : [weightData];
      const weights = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
      let offset = 0;
      for (const buffer of buffers) {
        weights.set(new Uint8Array(buffer), offset);
        offset += buffer.byteLength;
      }
      // tfjs-layers makes variable names unique per process (`fc1/kernel_1` for the second model with
      // a layer fc1), and the optimizer's weights are named after them: drop that suffix so a model's
      // files do not depend on how many models the process built before it.
      const weightSpecs = artifacts.weightSpecs?.map((spec) => ({
        ...spec,
        name: spec.name.replace(/_\d+(\/[mv])$/, '$1'),
      }));
      const modelJson = JSON.stringify({
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: weightSpecs }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
      });
      files = { modelJson, weights };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
    { includeOptimizer },
  );
  return files!;
}

/** Size on disk of the saved files, bytes. */
export function sizeOnDisk(files: SavedFiles): number {
  return Buffer.byteLength(files.modelJson) + files.weights.byteLength;
}

/** A model from its saved files (the inverse of `serialiseModel`), for measuring a stored trial. */
export async function loadModel(files: SavedFiles): Promise<tf.LayersModel> {
  const json = JSON.parse(files.modelJson) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  const weights = files.weights.buffer.slice(
    files.weights.byteOffset,
    files.weights.byteOffset + files.weights.byteLength,
  ) as ArrayBuffer;
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((m) => m.weights),
      weightData: weights,
    }),
  );
}

/** The module's operations under one name, for callers that read better as `save.serialise(model)`. */
export const save = { serialise: serialiseModel, sizeOnDisk, load: loadModel };
