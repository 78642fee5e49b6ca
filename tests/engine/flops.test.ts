import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { layerFlops, layerShapes, summariseLayers, totalFlops } from '../../experiments/lib/engine/flops.ts';
import { buildModel, MODEL_IDS, type ModelId } from '../../experiments/lib/engine/models.ts';

/** Hand-computed in ../shared/SERIES.md: parameters and FLOPs per sample (2 per multiply-add). */
const EXPECTED: Partial<Record<ModelId, { params: number; flops: number }>> = {
  mlp1: { params: 814_090, flops: 1_626_112 },
  mlp2: { params: 1_470_474, flops: 2_936_832 },
  mlp5: { params: 575_102, flops: 1_148_240 },
  lenet5: { params: 44_426, flops: 563_280 },
  'mlp-128': { params: 101_770, flops: 203_264 },
  'mlp-256': { params: 203_530, flops: 406_528 },
  'mlp-512': { params: 407_050, flops: 813_056 },
  'mlp-1024': { params: 814_090, flops: 1_626_112 },
  'mlp-512x2': { params: 669_706, flops: 1_337_344 },
  'mlp-512x3': { params: 932_362, flops: 1_861_632 },
};

describe('FLOPs and parameters', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const id of MODEL_IDS) {
    it(`${id} has the series' parameter and FLOP counts`, () => {
      const model = buildModel(id, 1);
      const layers = summariseLayers(layerShapes(model));
      assert.equal(model.countParams(), EXPECTED[id]!.params);
      assert.equal(
        layers.reduce((n, l) => n + l.params, 0),
        EXPECTED[id]!.params,
      );
      assert.equal(totalFlops(layers).flops, EXPECTED[id]!.flops);
      model.dispose();
    });
  }

  it('counts LeNet-5 conv2 on its true 8×8 output, not the original 24×24 bug', () => {
    const layers = summariseLayers(layerShapes(buildModel('lenet5', 1)));
    const conv2 = layers.find((l) => l.name === 'conv2')!;
    assert.deepEqual(conv2.outputShape, [8, 8, 16]);
    assert.equal(conv2.flops, 2 * 25 * 6 * 8 * 8 * 16);
    assert.deepEqual(
      layers.map((l) => [l.name, l.params]),
      [
        ['conv1', 156],
        ['pool1', 0],
        ['conv2', 2416],
        ['pool2', 0],
        ['flatten', 0],
        ['fc1', 30_840],
        ['fc2', 10_164],
        ['fc3', 850],
      ],
    );
  });

  it('counts pooling and activations separately from the headline figure', () => {
    const totals = totalFlops(summariseLayers(layerShapes(buildModel('lenet5', 1))));
    // pooling: 4 operations per output of 12×12×6 and 4×4×16; activations: one per tanh output.
    assert.equal(totals.poolingFlops, 4 * (12 * 12 * 6 + 4 * 4 * 16));
    assert.equal(totals.activationFlops, 24 * 24 * 6 + 8 * 8 * 16 + 120 + 84);
  });

  it('counts a dense layer as 2·in·out and a linear output as no activation', () => {
    assert.deepEqual(
      layerFlops({
        name: 'fc',
        type: 'Dense',
        inputShape: [3],
        outputShape: [2],
        params: 8,
        activation: 'linear',
      }),
      { flops: 12, poolingFlops: 0, activationFlops: 0 },
    );
  });

  it('rejects a layer type it cannot count, naming the layer', () => {
    assert.throws(
      () =>
        layerFlops({
          name: 'lstm1',
          type: 'LSTM',
          inputShape: [4],
          outputShape: [4],
          params: 0,
          activation: null,
        }),
      /cannot count FLOPs of layer 'lstm1' of type LSTM/,
    );
  });
});
