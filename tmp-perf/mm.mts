import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../experiments/lib/backend.ts';
await selectBackend('wasm');
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system); };
const W = tf.randomNormal([784, 512]); const b = tf.zeros([512]);
const x = tf.randomNormal([1, 784]);
const cases: [string, () => void][] = [
  ['matMul 1x784x512', () => tf.matMul(x, W).dispose()],
  ['fused matMul+bias+relu', () => tf.fused.matMul({ a: x, b: W, bias: b, activation: 'relu' }).dispose()],
  ['fused matMul+bias', () => tf.fused.matMul({ a: x, b: W, bias: b }).dispose()],
  ['add only', () => tf.add(x, x).dispose()],
];
for (const [name, fn] of cases) {
  for (let i = 0; i < 300; i++) fn();
  const best: number[] = [];
  for (let r = 0; r < 7; r++) { const t = cpu(); for (let i = 0; i < 300; i++) fn(); best.push((cpu() - t) / 300); }
  best.sort((a, b) => a - b);
  console.log(name, best[0]!.toFixed(1), best[3]!.toFixed(1), 'µs cpu (min, median)');
}
