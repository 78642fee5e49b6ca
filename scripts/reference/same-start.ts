/**
 * Fidelity check against PyTorch, step by step: trains a Dense model (mlp1, mlp2, mlp5) with this
 * engine from seed 1's initial weights on the first `steps` training batches of 64 in file order, and
 * writes the initial weights and every step's loss to `<dir>`; `same_start.py` then trains PyTorch from
 * the same weights on the same batches and prints both loss curves and test accuracies.
 *
 *   node --import tsx scripts/reference/same-start.ts mlp1 843 /tmp/same-start
 *   /usr/bin/python3 scripts/reference/same_start.py mlp1 843 /tmp/same-start
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../experiments/lib/backend/select.ts';
import { loadMnist, normalise } from '../../experiments/lib/engine/dataset.ts';
import { buildModel } from '../../experiments/lib/engine/models.ts';
import { readArchitectures } from '../../experiments/lib/contract/architecture.ts';
import { adam } from '../../experiments/lib/engine/trial.ts';
import { PIXELS, trainStep } from '../../experiments/lib/engine/train.ts';

const [id = 'mlp1', stepsText = '843', dir = '/tmp/same-start'] = process.argv.slice(2);
const spec = (await readArchitectures()).get(id);
if (!spec || !['mlp1', 'mlp2', 'mlp5'].includes(id))
  throw new Error(`model: expected mlp1, mlp2 or mlp5, got '${id}'`);
const steps = Number(stepsText);
await selectBackend('wasm');
const data = await loadMnist();
const images = normalise(data.train.images.subarray(0, steps * 64 * PIXELS));
const labels = Int32Array.from(data.train.labels.subarray(0, steps * 64));
const model = buildModel(spec, 1);
mkdirSync(dir, { recursive: true });
const weights = model.getWeights().map((w) => ({ shape: w.shape, values: Array.from(w.dataSync()) }));
writeFileSync(join(dir, `${id}-init.json`), JSON.stringify(weights));
const optimizer = adam(0.001);
const losses: number[] = [];
for (let step = 0; step < steps; step++) {
  const { loss, correct } = trainStep(
    model,
    optimizer,
    images.subarray(step * 64 * PIXELS),
    labels.subarray(step * 64),
    64,
  );
  losses.push(loss.dataSync()[0]!);
  tf.dispose([loss, correct]);
}
const predicted = tf.tidy(() =>
  (model.predict(tf.tensor4d(normalise(data.test.images), [10000, 28, 28, 1])) as tf.Tensor).argMax(1),
);
const answers = predicted.dataSync();
let correct = 0;
for (let i = 0; i < answers.length; i++) if (answers[i] === data.test.labels[i]) correct++;
writeFileSync(join(dir, `${id}-tfjs.json`), JSON.stringify({ losses, testAccuracy: correct / 100 }));
console.log(`${id}: ${steps} steps, test accuracy ${correct / 100}%; written to ${dir}`);
