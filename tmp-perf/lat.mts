import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../experiments/lib/backend.ts';
import { buildModel } from '../experiments/lib/models.ts';
await selectBackend('wasm');
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system); };
for (const id of ['mlp5', 'lenet5'] as const) {
  const model = buildModel(id, 1);
  const img = new Float32Array(784).map((_, i) => Math.sin(i));
  const viaPredict = () => { const x = tf.tensor4d(img, [1, 28, 28, 1]); const y = model.predict(x) as tf.Tensor; y.dataSync(); tf.dispose([x, y]); };
  const viaExecute = () => { const x = tf.tensor4d(img, [1, 28, 28, 1]); const y = model.execute(x, model.outputs[0]!.name) as tf.Tensor; y.dataSync(); tf.dispose([x, y]); };
  const viaLayers = () => { const y = tf.tidy(() => { let h: tf.Tensor = tf.tensor4d(img, [1, 28, 28, 1]); for (const l of model.layers) h = l.apply(h) as tf.Tensor; return h; }); y.dataSync(); y.dispose(); };
  const viaNothing = () => { const x = tf.tensor4d(img, [1, 28, 28, 1]); x.dataSync(); x.dispose(); };
  for (const [name, fn] of [['predict', viaPredict], ['execute', viaExecute], ['layers.apply', viaLayers], ['tensor only', viaNothing], ['predict', viaPredict]] as const) {
    for (let i = 0; i < 300; i++) fn();
    const best: number[] = [];
    for (let r = 0; r < 7; r++) { const t = cpu(); for (let i = 0; i < 300; i++) fn(); best.push((cpu() - t) / 300); }
    best.sort((a, b) => a - b);
    console.log(id, name, best[0]!.toFixed(1), best[3]!.toFixed(1), 'µs cpu (min, median)');
  }
}
