import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../experiments/lib/backend.ts';
import { buildModel } from '../experiments/lib/models.ts';
await selectBackend('wasm');
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system); };
const model = buildModel('mlp5', 1);
const img = new Float32Array(784).map((_, i) => Math.sin(i));
const viaPredict = () => { const x = tf.tensor4d(img, [1, 28, 28, 1]); const y = model.predict(x) as tf.Tensor; y.dataSync(); tf.dispose([x, y]); };
const viaCall = () => { const y = tf.tidy(() => { let h: tf.Tensor = tf.tensor4d(img, [1, 28, 28, 1]); for (const l of model.layers) h = l.call(h, {}) as tf.Tensor; return h; }); y.dataSync(); y.dispose(); };
const ws = model.layers.slice(1).map((l) => l.getWeights());
const viaOps = () => { const y = tf.tidy(() => { let h: tf.Tensor = tf.tensor2d(img, [1, 784]); ws.forEach(([k, b], i) => { h = tf.fused.matMul({ a: h as tf.Tensor2D, b: k as tf.Tensor2D, bias: b, activation: i < 4 ? 'relu' : 'linear' }); }); return h; }); y.dataSync(); y.dispose(); };
const viaOpsNoTidy = () => { let h: tf.Tensor = tf.tensor2d(img, [1, 784]); const tmp: tf.Tensor[] = [h]; ws.forEach(([k, b], i) => { h = tf.fused.matMul({ a: h as tf.Tensor2D, b: k as tf.Tensor2D, bias: b, activation: i < 4 ? 'relu' : 'linear' }); tmp.push(h); }); h.dataSync(); tf.dispose(tmp); };
for (const [name, fn] of [['predict', viaPredict], ['call', viaCall], ['ops', viaOps], ['ops no tidy', viaOpsNoTidy], ['predict', viaPredict]] as const) {
  for (let i = 0; i < 300; i++) fn();
  const best: number[] = [];
  for (let r = 0; r < 9; r++) { const t = cpu(); for (let i = 0; i < 300; i++) fn(); best.push((cpu() - t) / 300); }
  best.sort((a, b) => a - b);
  console.log(name, best[0]!.toFixed(1), best[4]!.toFixed(1), 'µs cpu (min, median)');
}
