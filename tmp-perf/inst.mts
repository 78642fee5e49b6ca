import * as tf from '@tensorflow/tfjs';
const s = tf.train.sgd(0.1);
console.log(tf.AdamOptimizer.name, s instanceof tf.AdamOptimizer, s.constructor.name, Object.getPrototypeOf(tf.AdamOptimizer).name);
