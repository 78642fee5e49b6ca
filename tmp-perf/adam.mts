import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmKernels } from '../experiments/lib/wasm-kernels.ts';
import { applyGradients } from '../experiments/lib/train.ts';
registerWasmKernels();
await tf.setBackend('wasm'); await tf.ready();
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };
const shapes = [[784, 512], [512], [512, 256], [256], [256, 120], [120], [120, 84], [84], [84, 10], [10]];
function setup() {
  const vars = shapes.map((s, i) => tf.variable(tf.randomNormal(s, 0, 1, 'float32', i), true));
  const grads: Record<string, tf.Tensor> = {};
  vars.forEach((v, i) => { grads[v.name] = tf.randomNormal(shapes[i]!, 0, 1, 'float32', 100 + i); });
  return { vars, grads, opt: tf.train.adam(0.001) };
}
const a = setup(), b = setup();
for (const [label, run] of [['plain', () => a.opt.applyGradients(a.grads)], ['fused', () => applyGradients(b.opt, b.grads)]] as const) {
  for (let i = 0; i < 5; i++) run();
  const times: number[] = [];
  for (let r = 0; r < 5; r++) { const t = cpu(); for (let i = 0; i < 20; i++) run(); times.push((cpu() - t) / 20); }
  console.log(label, Math.min(...times).toFixed(3), 'ms cpu per step');
}
