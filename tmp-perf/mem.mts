import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm'); await tf.ready();
const b = tf.backend() as any;
console.log(Object.keys(b.wasm).filter(k => /mem|asm|HEAP/i.test(k)), b.wasm.asm && Object.keys(b.wasm.asm).slice(0, 10), b.wasm.asm?.memory instanceof WebAssembly.Memory, b.wasm.wasmMemory);
