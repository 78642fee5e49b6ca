/**
 * The chart font's names and files, apart from the measurer (text-metrics.ts) so that modules
 * needing only the names do not load vega and fontkit.
 */
import { fileURLToPath } from 'node:url';

/** The family named in fonts.css and in the chart config. */
export const CHART_FONT_FAMILY = 'Inter';

/** The CSS font stack charts use: the shipped font first, a generic fallback if it fails to load. */
export const CHART_FONT_STACK = `${CHART_FONT_FAMILY}, sans-serif`;

/** Folder of the shipped font files, relative to the repository root: site/assets/fonts. */
export const FONTS_DIR = fileURLToPath(new URL('../assets/fonts', import.meta.url));

/** Font file per (weight, style), relative to FONTS_DIR; the same files fonts.css serves. */
export const FONT_FILES = {
  '400-normal': 'inter-latin-400-normal.woff2',
  '400-italic': 'inter-latin-400-italic.woff2',
  '700-normal': 'inter-latin-700-normal.woff2',
  '700-italic': 'inter-latin-700-italic.woff2',
} as const;
