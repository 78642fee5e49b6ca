/** Copies the site's local assets (styles, fonts) to /assets/ in the output. */
import type { EleventyConfig } from './eleventy.ts';

/** Source folder of the assets, relative to the working directory (the repository root). */
export const ASSETS_DIR = 'site/assets';

export default function assets(eleventyConfig: EleventyConfig): void {
  eleventyConfig.addPassthroughCopy({ [ASSETS_DIR]: 'assets' });
  eleventyConfig.addWatchTarget(ASSETS_DIR);
}
