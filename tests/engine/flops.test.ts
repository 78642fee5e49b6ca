import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS, type Layer } from '../../experiments/lib/contract/architecture.ts';
import {
  architectureSummary,
  countParams,
  layerFlops,
  layerShapes,
  summariseLayers,
  totalFlops,
} from '../../experiments/lib/engine/flops.ts';
import { buildModel } from '../../experiments/lib/engine/models.ts';
import { architecture, architectures } from '../helpers/architectures.ts';

/**
 * The series' published parameters and FLOPs per sample (2 per multiply-add), with LeNet-5's FLOPs
 * as the convention gives them on the true feature-map sizes (published: 2,176,080, a counting bug);
 * published figures, see site/original.ts.
 */
const PUBLISHED: Record<string, { params: number; flops: number }> = {
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

/** The spec's table must be what tfjs reports for the model built from it. */
function assertSameAsBuilt(layers: Layer[]): void {
  const model = buildModel({ id: 'checked', layers }, 1);
  assert.deepEqual(architectureSummary(layers), summariseLayers(layerShapes(model)));
  assert.equal(countParams(layers), model.countParams());
  model.dispose();
}

describe('FLOPs and parameters', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const [id, spec] of architectures) {
    it(`${id}: the table from the spec alone is the built model's`, () => {
      assertSameAsBuilt(spec.layers);
    });
  }

  for (const [id, expected] of Object.entries(PUBLISHED)) {
    it(`${id} has the series' parameter and FLOP counts`, () => {
      const layers = architecture(id).layers;
      assert.equal(countParams(layers), expected.params);
      assert.equal(totalFlops(architectureSummary(layers)).flops, expected.flops);
    });
  }

  it('counts LeNet-5 conv2 on its true 8×8 output, not the original 24×24 bug', () => {
    const layers = architectureSummary(architecture('lenet5').layers);
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
    const totals = totalFlops(architectureSummary(architecture('lenet5').layers));
    // pooling: 4 operations per output of 12×12×6 and 4×4×16; activations: one per tanh output.
    assert.equal(totals.poolingFlops, 4 * (12 * 12 * 6 + 4 * 4 * 16));
    assert.equal(totals.activationFlops, 24 * 24 * 6 + 8 * 8 * 16 + 120 + 84);
  });

  it("counts LeCun's 784-300-100-10 MLP by hand", () => {
    const layers: Layer[] = [
      { kind: 'flatten' },
      { kind: 'dense', units: 300, activation: 'tanh' },
      { kind: 'dense', units: 100, activation: 'tanh' },
      { kind: 'dense', units: 10, activation: 'linear' },
    ];
    const table = architectureSummary(layers);
    assert.deepEqual(
      table.map((l) => [l.name, l.type, l.outputShape, l.params, l.flops]),
      [
        ['flatten', 'Flatten', [784], 0, 0],
        ['fc1', 'Dense', [300], 784 * 300 + 300, 2 * 784 * 300],
        ['fc2', 'Dense', [100], 300 * 100 + 100, 2 * 300 * 100],
        ['fc3', 'Dense', [10], 100 * 10 + 10, 2 * 100 * 10],
      ],
    );
    assert.equal(countParams(layers), 266_610);
    assert.deepEqual(totalFlops(table), { flops: 532_400, poolingFlops: 0, activationFlops: 400 });
    assertSameAsBuilt(layers);
  });

  it('counts a stride-2, same-padded convolution and max pooling by hand', () => {
    const layers: Layer[] = [
      { kind: 'conv', filters: 8, kernel: 3, stride: 2, padding: 'same', activation: 'relu' },
      { kind: 'maxpool', size: 2, stride: 2 },
      { kind: 'flatten' },
      { kind: 'dense', units: 10, activation: 'linear' },
    ];
    const table = architectureSummary(layers);
    assert.deepEqual(
      table.map((l) => [l.name, l.type, l.outputShape, l.params, l.flops, l.poolingFlops, l.activationFlops]),
      [
        // same padding at stride 2: ⌈28/2⌉ = 14; 2·k²·Cin per output.
        ['conv1', 'Conv2D', [14, 14, 8], 3 * 3 * 1 * 8 + 8, 2 * 9 * 1 * 14 * 14 * 8, 0, 14 * 14 * 8],
        ['pool1', 'MaxPooling2D', [7, 7, 8], 0, 0, 4 * 7 * 7 * 8, 0],
        ['flatten', 'Flatten', [392], 0, 0, 0, 0],
        ['fc1', 'Dense', [10], 392 * 10 + 10, 2 * 392 * 10, 0, 0],
      ],
    );
    assertSameAsBuilt(layers);
  });

  it('floors a valid convolution whose stride does not divide, as tfjs does', () => {
    const layers: Layer[] = [
      { kind: 'crop', size: 20 },
      { kind: 'conv', filters: 2, kernel: 5, stride: 2, padding: 'valid', activation: 'sigmoid' },
      { kind: 'avgpool', size: 2, stride: 2 },
      { kind: 'flatten' },
      { kind: 'dense', units: 10, activation: 'linear' },
    ];
    // ⌊(20 − 5)/2⌋ + 1 = 8, pooled to 4.
    assert.deepEqual(
      architectureSummary(layers).map((l) => l.outputShape),
      [[20, 20, 1], [8, 8, 2], [4, 4, 2], [32], [10]],
    );
    assertSameAsBuilt(layers);
  });

  it('names every allowed activation as tfjs does and counts one FLOP per element but linear', () => {
    for (const activation of ACTIVATIONS) {
      const layers: Layer[] = [
        { kind: 'conv', filters: 1, kernel: 28, stride: 1, padding: 'valid', activation },
        { kind: 'flatten' },
        { kind: 'dense', units: 3, activation },
        { kind: 'dense', units: 10, activation: 'linear' },
      ];
      assertSameAsBuilt(layers);
      assert.equal(totalFlops(architectureSummary(layers)).activationFlops, activation === 'linear' ? 0 : 4);
    }
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
