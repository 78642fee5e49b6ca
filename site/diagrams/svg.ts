/**
 * What the architecture drawings share: colours, and SVG text and arrows with coordinates rounded
 * to a tenth of a pixel.
 */
import { CHART_FONT_STACK } from '../charts/fonts.ts';
import { escapeHtml } from '../page.ts';

/** Font size of every label, px: the same in every layout, since none is scaled to fit another. */
export const DIAGRAM_FONT_SIZE = 13;

const TEXT = '#222222';
const MUTED = '#55575e';

/** Fill and stroke of each kind of picture. */
export const FILL = {
  input: ['#e6e6e6', '#6f6f6f'],
  maps: ['#d3e5f5', '#0072B2'],
  vector: ['#f7dcc9', '#b34700'],
  output: ['#cdeede', '#00744f'],
} as const;

export const round = (x: number) => Math.round(x * 10) / 10;

/** An arrow from (x1, y1) to (x2, y2), head at the end. */
export function arrow(x1: number, y1: number, x2: number, y2: number): string {
  const angle = Math.atan2(y2 - y1, x2 - x1);
  const head = (turn: number) =>
    `${round(x2 - 6 * Math.cos(angle + turn))},${round(y2 - 6 * Math.sin(angle + turn))}`;
  return (
    `<line x1="${round(x1)}" y1="${round(y1)}" x2="${round(x2)}" y2="${round(y2)}" stroke="#888" stroke-width="1.5"/>` +
    `<path d="M${head(0.5)}L${round(x2)},${round(y2)}L${head(-0.5)}" fill="none" stroke="#888" stroke-width="1.5"/>`
  );
}

export function text(
  x: number,
  y: number,
  content: string,
  options: { anchor?: string; bold?: boolean; muted?: boolean } = {},
): string {
  const attributes = [
    `x="${round(x)}"`,
    `y="${round(y)}"`,
    options.anchor ? `text-anchor="${options.anchor}"` : '',
    options.bold ? 'font-weight="700"' : '',
    `fill="${options.muted ? MUTED : TEXT}"`,
  ].filter(Boolean);
  return `<text ${attributes.join(' ')}>${escapeHtml(content)}</text>`;
}

/** A drawing's size in px and its SVG elements. */
export interface Drawing {
  width: number;
  height: number;
  body: string;
}

/**
 * A drawing as a standalone SVG image at its natural size: role="img" named by its <title> and
 * described by its <desc>, labels in the site's font. Element ids start with `id` (unique on the page).
 */
export function svgDocument(id: string, drawing: Drawing, title: string, description: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="architecture-svg" id="${id}" role="img" ` +
    `aria-labelledby="${id}-title" aria-describedby="${id}-desc" viewBox="0 0 ${drawing.width} ${drawing.height}" ` +
    `width="${drawing.width}" height="${drawing.height}" font-family="${escapeHtml(CHART_FONT_STACK)}" font-size="${DIAGRAM_FONT_SIZE}">` +
    `<title id="${id}-title">${escapeHtml(title)}</title>` +
    `<desc id="${id}-desc">${escapeHtml(description)}</desc>` +
    drawing.body +
    `</svg>`
  );
}
