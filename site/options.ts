/**
 * Build options passed from buildSite() (build.ts) to the site's plugins. Eleventy runs the
 * programmatic `config` callback and then the config file on the same configuration object, so
 * options are attached to that object rather than to module state shared by all builds.
 */
import type { EleventyConfig } from './eleventy.ts';

export interface SiteBuildOptions {
  /** Results folder, relative to the working directory. Default: experiments/results. */
  resultsDir?: string;
  /** Reference folder (the PyTorch reference, pytorch.json), relative to the working directory. Default: experiments/reference. */
  referenceDir?: string;
}

const OPTIONS = new WeakMap<object, SiteBuildOptions>();

export function setBuildOptions(eleventyConfig: EleventyConfig, options: SiteBuildOptions): void {
  OPTIONS.set(eleventyConfig, options);
}

export function buildOptionsOf(eleventyConfig: EleventyConfig): SiteBuildOptions {
  return OPTIONS.get(eleventyConfig) ?? {};
}
