/**
 * Renders a Chart to an accessible, self-contained SVG string at build time: Vega-Lite compiles
 * the spec, vega lays it out (text measured with the shipped font) and writes SVG. The page needs
 * no JavaScript to show it.
 */
import { View, parse } from 'vega';
import { compile } from 'vega-lite';
import type { Chart } from './specs.ts';
import { createTextMeasurer, installTextMeasurer } from './text-metrics.ts';

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Makes vega's SVG one accessible image that scales: role="img" labelled by its <title> and
 * <desc>, a viewBox, width 100% (up to its natural width) and height following the aspect ratio.
 * e.g. `<svg class="marks" width="420" height="180" viewBox="0 0 420 180" …>` becomes
 * `<svg class="chart" role="img" aria-labelledby="c-title c-desc" viewBox="0 0 420 180" width="100%" …><title id="c-title">…`
 */
export function accessibleSvg(svg: string, chart: Pick<Chart, 'id' | 'title' | 'description'>): string {
  const open = /^<svg\b[^>]*>/.exec(svg);
  if (open === null) throw new Error(`chart ${chart.id}: vega did not return an SVG document`);
  const width = Number(/\swidth="([\d.]+)"/.exec(open[0])?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(open[0])?.[1]);
  if (!(width > 0 && height > 0)) throw new Error(`chart ${chart.id}: SVG has no width and height`);
  const titleId = `chart-${chart.id}-title`;
  const descId = `chart-${chart.id}-desc`;
  const root =
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="chart-${chart.id}" role="img" ` +
    `aria-labelledby="${titleId} ${descId}" viewBox="0 0 ${width} ${height}" width="100%" ` +
    `style="max-width:${width}px;height:auto;display:block">` +
    `<title id="${titleId}">${escapeXml(chart.title)}</title><desc id="${descId}">${escapeXml(chart.description)}</desc>`;
  return root + svg.slice(open[0].length);
}

export type ChartRenderer = (chart: Chart) => Promise<string>;

/**
 * A renderer that memoises by the chart's content, so a page that repeats a chart, or a watch
 * rebuild with unchanged results, costs nothing. Installs the font measurer into vega.
 */
export function createChartRenderer(): ChartRenderer {
  installTextMeasurer(createTextMeasurer());
  const cache = new Map<string, Promise<string>>();
  return (chart) => {
    const key = JSON.stringify(chart);
    let svg = cache.get(key);
    if (svg === undefined) {
      svg = renderSvg(chart);
      cache.set(key, svg);
      svg.catch(() => cache.delete(key));
    }
    return svg;
  };
}

/** Renders without caching; call installTextMeasurer first, or text widths are vega's guesses. */
export async function renderSvg(chart: Chart): Promise<string> {
  const vegaSpec = compile(chart.spec).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    return accessibleSvg(await view.toSVG(), chart);
  } finally {
    view.finalize();
  }
}
