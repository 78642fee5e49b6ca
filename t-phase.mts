const t0 = performance.now();
const { default: Eleventy } = await import('@11ty/eleventy');
const t1 = performance.now();
const { setBuildOptions } = await import('./site/build.ts').then(() => import('./site/options.ts'));
const cfg = await import('./eleventy.config.js');
const t2 = performance.now();
const mode = process.argv[2];
const e = new Eleventy('../../tmp/cx', '/tmp/site-p', { configPath: 'eleventy.config.js', quietMode: true, source: 'cli',
  config: (c: any) => { setBuildOptions(c, { resultsDir: '/tmp/mix' }); c.setUseGitIgnore(false); c.on('eleventy.after', () => { console.log('after-start', Math.round(performance.now())); }); } });
await e.init();
const t3 = performance.now();
if (mode === 'json') await e.toJSON(); else await e.write();
const t4 = performance.now();
console.log(JSON.stringify({ procStartToScript: Math.round(t0), importEleventy: Math.round(t1 - t0), importConfig: Math.round(t2 - t1), init: Math.round(t3 - t2), build: Math.round(t4 - t3), mode, end: Math.round(t4) }));
