/**
 * Chart text measured with the real font the browser draws it in.
 *
 * Without a canvas implementation, vega guesses a text's width as 0.8 × characters × font size
 * (vega/vega#2940), so axis labels and titles clip or overlap. We measure instead with fontkit on
 * the very font files the site ships (site/assets/fonts/, copied from @fontsource/inter), and
 * install that measurer as vega's `textMetrics.width`, as vl-convert does. fontkit is pure
 * JavaScript, so nothing downloads a binary (unlike node-canvas).
 */
import * as vega from 'vega';
import type { TextMeasurer } from './font-measure.ts';

export { CHART_FONT_FAMILY, CHART_FONT_STACK, FONTS_DIR, FONT_FILES } from './fonts.ts';
export { createTextMeasurer, type FontSpec, type TextMeasurer } from './font-measure.ts';

/** The part of a vega text item the measurer reads. */
interface VegaTextItem {
  fontSize?: number | null;
  fontWeight?: number | string | null;
  fontStyle?: string | null;
  limit?: number;
}

type WidthFunction = (item: VegaTextItem, text: string) => number;

/**
 * vega-scenegraph's shared text metrics, which vega re-exports at run time but its type
 * declarations (vega-typings) leave out.
 */
const textMetrics = (
  vega as unknown as { textMetrics: { width: WidthFunction; estimateWidth: WidthFunction } }
).textMetrics;

/** vega's own width guess, kept so tests can compare against it. */
export const vegaEstimateWidth: WidthFunction = textMetrics.estimateWidth;

/**
 * Makes vega measure every text item with `measure`. vega reads `textMetrics.width` (a shared,
 * mutable object) for layout, bounds and truncation; installing is idempotent.
 */
export function installTextMeasurer(measure: TextMeasurer): void {
  textMetrics.width = (item: VegaTextItem, text: string): number => {
    const font = {
      fontSize: item.fontSize != null ? Number(item.fontSize) || 0 : 11,
      fontWeight: item.fontWeight,
      fontStyle: item.fontStyle,
    };
    const value = text == null ? '' : String(text).trim();
    return measure(
      truncate(value, item.limit ?? 0, (t) => measure(t, font)),
      font,
    );
  };
}

/**
 * The text vega draws for a `limit` (px): cut and ended with an ellipsis to fit, like vega's own
 * truncate() (vega-scenegraph src/util/text.js), which cannot be reused because it calls back into
 * `textMetrics.width`.
 */
export function truncate(text: string, limitPx: number, width: (text: string) => number): string {
  if (limitPx <= 0 || text === '' || width(text) < limitPx) return text;
  const ellipsis = '\u2026';
  const room = limitPx - width(ellipsis);
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = 1 + ((lo + hi) >>> 1);
    if (width(text.slice(0, mid)) < room) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo) + ellipsis;
}
