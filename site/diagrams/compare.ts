/**
 * Several MLPs' layer stacks in one picture, one row per model, for an experiment that sweeps
 * their width and depth: each row names the model and its parameter count, then draws the input
 * image and every vector as an upright bar (√n × PX long for n values, as in draw.ts) with its
 * length under it. One layout serves every screen: it is drawn at 340 px, a phone's column, and
 * shown unscaled on wider screens too.
 */
import type { TextMeasurer } from '../charts/font-measure.ts';
import { formatCount } from '../format.ts';
import type { Architecture } from './architecture.ts';
import { describe } from './draw.ts';
import { DIAGRAM_FONT_SIZE, FILL, arrow, round, svgDocument, text } from './svg.ts';

/** Length of a pixel of the image, px. */
const PX = 1.5;
const BAR = 10;
const COLUMN_GAP = 14;
const ROW_GAP = 18;
const LINE = 17;

/** The SVG of several architectures, one row each. Throws on a convolutional model (draw it alone). */
export function comparisonSvg(
  architectures: Architecture[],
  measure: TextMeasurer,
  id: string,
): { svg: string; width: number } {
  const font = { fontSize: DIAGRAM_FONT_SIZE };
  const bold = { fontSize: DIAGRAM_FONT_SIZE, fontWeight: 700 };
  const lengthOf = (values: number) => Math.max(3, Math.sqrt(values) * PX);
  const parts: string[] = [];
  let y = 0;
  let width = 0;
  for (const architecture of architectures) {
    const stages = architecture.stages;
    if (stages.some((stage) => stage.output.kind === 'maps' && stage.output.channels > 1))
      throw new Error(
        `${architecture.model}: a model with feature maps is drawn on its own, not in a comparison`,
      );
    const heading = `${architecture.label}: ${formatCount(architecture.params)} parameters`;
    parts.push(text(0, y + DIAGRAM_FONT_SIZE, heading, { bold: true }));
    width = Math.max(width, measure(heading, bold));
    const labels = stages.map((stage) =>
      stage.output.kind === 'maps'
        ? `${stage.output.size}×${stage.output.size}`
        : formatCount(stage.output.length),
    );
    const columns = labels.map((label) => Math.max(measure(label, font), 2 * BAR));
    const heights = stages.map((stage) =>
      stage.output.kind === 'maps' ? stage.output.size * PX : lengthOf(stage.output.length),
    );
    const pictureTop = y + LINE + 6;
    const tallest = Math.max(...heights);
    const middle = pictureTop + tallest / 2;
    let x = 0;
    stages.forEach((stage, i) => {
      const centre = x + columns[i]! / 2;
      const out = stage.output;
      const [fill, stroke] = out.kind === 'maps' ? FILL.input : stage.last ? FILL.output : FILL.vector;
      const w = out.kind === 'maps' ? heights[i]! : BAR;
      if (i > 0) parts.push(arrow(x - COLUMN_GAP + 2, middle, x - 2, middle));
      parts.push(
        `<rect x="${round(centre - w / 2)}" y="${round(middle - heights[i]! / 2)}" width="${round(w)}" height="${round(heights[i]!)}" fill="${fill}" stroke="${stroke}"/>`,
      );
      parts.push(
        text(centre, pictureTop + tallest + 4 + DIAGRAM_FONT_SIZE, labels[i]!, { anchor: 'middle' }),
      );
      x += columns[i]! + COLUMN_GAP;
    });
    width = Math.max(width, x - COLUMN_GAP);
    y = pictureTop + tallest + 4 + LINE + ROW_GAP;
  }
  const drawing = { width: Math.ceil(width + 2), height: Math.ceil(y - ROW_GAP + 4), body: parts.join('') };
  const title = `Architectures of ${architectures.map((a) => a.label).join(', ')}`;
  const description = architectures.map((a) => `${a.label}: ${describe(a)}`).join(' ');
  return { svg: svgDocument(id, drawing, title, description), width: drawing.width };
}
