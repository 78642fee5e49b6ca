const n = 401408;
const mem = new WebAssembly.Memory({ initial: 200, maximum: 65536 });
const mk = (o) => new Float32Array(mem.buffer, o * 4 * n, n);
const w = mk(0), g = mk(1), m = mk(2), v = mk(3), wo = mk(4), mo = mk(5), vo = mk(6);
for (let i = 0; i < n; i++) { w[i] = Math.sin(i); g[i] = Math.cos(i) * 0.01; }
const f = Math.fround;
function fr(w, g, m, v, wo, mo, vo, b1, b2, c1, c2, a1, a2, eps, lr) {
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const mi = f(f(m[i] * b1) + f(gi * c1));
    const vi = f(f(v[i] * b2) + f(f(gi * gi) * c2));
    mo[i] = mi; vo[i] = vi;
    const step = f(f(mi / a1) / f(f(Math.sqrt(f(vi / a2))) + eps));
    wo[i] = f(f(step * lr) + w[i]);
  }
}
function nofr(w, g, m, v, wo, mo, vo, b1, b2, c1, c2, a1, a2, eps, lr) {
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const mi = m[i] * b1 + gi * c1;
    const vi = v[i] * b2 + gi * gi * c2;
    mo[i] = mi; vo[i] = vi;
    wo[i] = (mi / a1) / (Math.sqrt(vi / a2) + eps) * lr + w[i];
  }
}
const plainArr = [new Float32Array(n), new Float32Array(n), new Float32Array(n), new Float32Array(n), new Float32Array(n), new Float32Array(n), new Float32Array(n)];
for (const [name, fn, arrs] of [['fround', fr, [w, g, m, v, wo, mo, vo]], ['nofround', nofr, [w, g, m, v, wo, mo, vo]], ['fround-plainbuf', fr, plainArr]]) {
  for (let k = 0; k < 20; k++) fn(...arrs, 0.9, 0.999, 0.1, 0.001, 0.1, 0.001, 1e-7, -0.001);
  const t = process.cpuUsage(); for (let k = 0; k < 50; k++) fn(...arrs, 0.9, 0.999, 0.1, 0.001, 0.1, 0.001, 1e-7, -0.001);
  const u = process.cpuUsage(t); console.log(name, ((u.user + u.system) / 50 / n * 1000).toFixed(2), 'ns/elem');
}
