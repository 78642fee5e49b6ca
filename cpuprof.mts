import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '/work/main/experiments/lib/backend.ts';
import { buildModel } from '/work/main/experiments/lib/models.ts';
import { adam } from '/work/main/experiments/lib/runner.ts';
import { trainStep } from '/work/main/experiments/lib/train.ts';
await selectBackend('wasm');
const model = buildModel((process.argv[2] ?? 'lenet5') as 'lenet5', 1);
const optimizer = adam(0.001);
const images = new Float32Array(64 * 784).map(() => Math.random() * 2 - 1);
const ids = Int32Array.from({ length: 64 }, (_, i) => i % 10);
for (let i = 0; i < 400; i++) { const r = trainStep(model, optimizer, images, ids, 64); r.loss.dataSync(); tf.dispose([r.loss, r.correct]); }
