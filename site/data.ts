/**
 * Global data: `results` (experiment id → Results, from the results folder), `reference` (the
 * PyTorch reference from the reference folder, or null) and `site` (the site's own metadata, used
 * by layouts and the feed).
 */
import type { EleventyConfig } from './eleventy.ts';
import { buildOptionsOf } from './options.ts';
import { DEFAULT_REFERENCE_DIR, loadReference } from './reference.ts';
import { DEFAULT_RESULTS_DIR, loadResults } from './results.ts';

/** The site's metadata. `url` is the public address the feed's links are made absolute against. */
export const SITE = {
  title: 'MNIST, measured',
  description:
    'Small digit classifiers compared with reproducible experiments in TensorFlow.js: every number and chart comes from the results.',
  url: process.env.SITE_URL ?? 'https://mnist-reports.example.org/',
  language: 'en',
  author: 'The mnist-reports project',
};

export default function data(eleventyConfig: EleventyConfig): void {
  const options = buildOptionsOf(eleventyConfig);
  const dir = options.resultsDir ?? DEFAULT_RESULTS_DIR;
  const referenceDir = options.referenceDir ?? DEFAULT_REFERENCE_DIR;
  eleventyConfig.addGlobalData('site', SITE);
  eleventyConfig.addGlobalData('results', async () => Object.fromEntries(await loadResults(dir)));
  eleventyConfig.addGlobalData('reference', () => loadReference(referenceDir));
  eleventyConfig.addWatchTarget(dir);
  eleventyConfig.addWatchTarget(referenceDir);
}
