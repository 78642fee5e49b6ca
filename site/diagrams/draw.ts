/**
 * Draws an Architecture as SVG, in two layouts that are each drawn for the width they are shown
 * at (never one scaled to fit the other):
 *
 * - `wide` (desktop, up to about 880 px): the stages left to right, as in LeCun et al.'s LeNet-5
 *   figure: feature maps as stacks of squares, vectors as upright bars, and under each stage its
 *   name, output, operation and parameter count in rows named at the left.
 * - `narrow` (phones, 340 px): the stages top to bottom as a layer stack, each picture at the left
 *   (vectors as bars across) with its text to its right.
 *
 * Pictures are to scale within a diagram: a map side of n pixels is n × `px` long, a vector of n
 * values √n × `px` (a square of n pixels has that side), so MLP-5's 784 inputs and the 28×28
 * image have the same extent. Text is real SVG text in the site's font, measured with the shipped
 * font files so columns fit it; the SVG is an image (role="img") named by its <title> and
 * described, stage by stage, by its <desc>.
 *
 * Hand-written rather than with a diagram library: the picture is a few dozen rectangles at
 * positions computed from the layer table, and the libraries that lay out such figures in Node
 * (Graphviz ports, Mermaid) need a browser or do not draw feature-map stacks.
 */
import { formatCount } from '../format.ts';
import type { TextMeasurer } from '../charts/font-measure.ts';
import type { Architecture, Stage, Tensor } from './architecture.ts';
import { DIAGRAM_FONT_SIZE, FILL, arrow, round, svgDocument, text, type Drawing } from './svg.ts';

export { DIAGRAM_FONT_SIZE } from './svg.ts';

export type Layout = 'wide' | 'narrow';

const LINE_HEIGHT = 17;
const NARROW_WIDTH = 340;
/** Bar thickness of a vector, px. */
const BAR = 12;
/** Room between two stages for the arrow, px. */
const GAP = { wide: 22, narrow: 20 };
/** Length of a pixel of the image in each layout, px. */
const PX = { wide: 2.5, narrow: 2 };

function dims(n: number): string {
  return `${n}×${n}`;
}

/** The output of a stage in words, e.g. `6 maps of 24×24`, `120 units`, `28×28 pixels`. */
function outputText(stage: Stage, short: boolean): string {
  const out = stage.output;
  if (out.kind === 'vector') {
    if (stage.last) return `${formatCount(out.length)} outputs`;
    return stage.kind === 'flatten'
      ? `${formatCount(out.length)} values`
      : `${formatCount(out.length)} units`;
  }
  if (out.channels === 1) return short ? dims(out.size) : `${dims(out.size)} pixels`;
  return short ? `${out.channels} × ${dims(out.size)}` : `${out.channels} maps of ${dims(out.size)}`;
}

/**
 * The operation that made the stage, e.g. `5×5 convolution, tanh` (with its activation unless
 * `short`, when the wide layout gives the activation a row of its own); '' for the input and flatten.
 */
function operationText(stage: Stage, short: boolean): string {
  const activation = stage.activation === null || short ? '' : `, ${stage.activation}`;
  switch (stage.kind) {
    case 'input':
    case 'flatten':
      return '';
    case 'crop':
      return 'centre crop';
    case 'conv':
      return `${dims(stage.window!)} ${short ? 'conv' : 'convolution'}${activation}`;
    case 'pool':
      return `${dims(stage.window!)} ${short ? 'avg pool' : 'average pooling'}`;
    case 'dense':
      return stage.last && !short ? 'dense, one score per digit' : `dense${activation}`;
  }
}

function paramsText(stage: Stage, short: boolean): string {
  if (stage.kind === 'input') return '';
  if (stage.params === 0) return short ? '–' : 'no parameters';
  return short ? formatCount(stage.params) : `${formatCount(stage.params)} parameters`;
}

/** A stage's name as shown, e.g. `Input`, `conv1`. */
function nameText(stage: Stage): string {
  return stage.kind === 'input' ? 'Input' : stage.name;
}

/** One sentence per stage for the <desc>, e.g. `conv1: 5×5 convolution, tanh, to 6 maps of 24×24 (156 parameters)`. */
export function describe(architecture: Architecture): string {
  const parts = architecture.stages.map((stage) =>
    stage.kind === 'input'
      ? `input: a ${outputText(stage, false)} image`
      : stage.kind === 'flatten'
        ? `${stage.name}: the maps as ${outputText(stage, false)}`
        : `${stage.name}: ${operationText(stage, false)}, to ${outputText(stage, false)} (${paramsText(stage, false)})`,
  );
  return `${parts.join('; ')}. ${formatCount(architecture.params)} parameters in all.`;
}

interface Box {
  width: number;
  height: number;
}

/** The picture's size in a layout: maps as a stack, vectors as a bar across the flow. */
function pictureBox(output: Tensor, layout: Layout): Box {
  const px = PX[layout];
  if (output.kind === 'maps') {
    const side = output.size * px;
    const spread = stackOffset(output.channels) * (output.channels - 1);
    return { width: side + spread, height: side + spread };
  }
  const length = Math.max(3, Math.sqrt(output.length) * px);
  return layout === 'wide' ? { width: BAR, height: length } : { width: length, height: BAR };
}

/** Offset between two maps of a stack, px: up to 4, less when there are many. */
function stackOffset(channels: number): number {
  return channels <= 1 ? 0 : Math.min(4, 30 / (channels - 1));
}

/** The picture of a stage with its top-left corner at (x, y). */
function picture(stage: Stage, layout: Layout, x: number, y: number): string {
  const out = stage.output;
  const box = pictureBox(out, layout);
  if (out.kind === 'vector') {
    const [fill, stroke] = stage.last ? FILL.output : FILL.vector;
    return `<rect x="${round(x)}" y="${round(y)}" width="${round(box.width)}" height="${round(box.height)}" fill="${fill}" stroke="${stroke}"/>`;
  }
  const [fill, stroke] = out.channels === 1 ? FILL.input : FILL.maps;
  const side = out.size * PX[layout];
  const d = stackOffset(out.channels);
  const squares: string[] = [];
  // Back to front: the back map at the top right, the front one at the bottom left.
  for (let i = out.channels - 1; i >= 0; i--) {
    const left = x + i * d;
    const top = y + (out.channels - 1 - i) * d;
    squares.push(
      `<rect x="${round(left)}" y="${round(top)}" width="${round(side)}" height="${round(side)}" fill="${fill}" stroke="${stroke}"/>`,
    );
  }
  return squares.join('');
}

/** Row labels of the wide layout, beside the text rows under the pictures. */
const WIDE_ROWS = ['', 'output', 'operation', 'activation', 'parameters'] as const;

function drawWide(architecture: Architecture, measure: TextMeasurer): Drawing {
  const font = { fontSize: DIAGRAM_FONT_SIZE };
  const bold = { fontSize: DIAGRAM_FONT_SIZE, fontWeight: 700 };
  const rows = architecture.stages.map((stage) => [
    nameText(stage),
    outputText(stage, true),
    operationText(stage, true),
    stage.activation ?? '',
    paramsText(stage, true),
  ]);
  const boxes = architecture.stages.map((stage) => pictureBox(stage.output, 'wide'));
  const widths = rows.map((lines, i) =>
    Math.max(boxes[i]!.width, ...lines.map((line, row) => measure(line, row === 0 ? bold : font))),
  );
  const headerWidth = Math.max(...WIDE_ROWS.map((label) => measure(label, font))) + 12;
  const pictureHeight = Math.max(...boxes.map((box) => box.height));
  const top = 4;
  const middle = top + pictureHeight / 2;
  const firstBaseline = top + pictureHeight + 10 + DIAGRAM_FONT_SIZE;
  const parts: string[] = [];
  WIDE_ROWS.forEach((label, row) => {
    if (label !== '') parts.push(text(0, firstBaseline + row * LINE_HEIGHT, label, { muted: true }));
  });
  let x = headerWidth;
  architecture.stages.forEach((stage, i) => {
    const width = widths[i]!;
    const box = boxes[i]!;
    const centre = x + width / 2;
    if (i > 0) parts.push(arrow(x - GAP.wide + 4, middle, x - 4, middle));
    parts.push(picture(stage, 'wide', centre - box.width / 2, middle - box.height / 2));
    rows[i]!.forEach((line, row) => {
      if (line !== '')
        parts.push(
          text(centre, firstBaseline + row * LINE_HEIGHT, line, { anchor: 'middle', bold: row === 0 }),
        );
    });
    x += width + GAP.wide;
  });
  return {
    width: Math.ceil(x - GAP.wide + 2),
    height: Math.ceil(firstBaseline + (WIDE_ROWS.length - 1) * LINE_HEIGHT + 5),
    body: parts.join(''),
  };
}

function drawNarrow(architecture: Architecture, measure: TextMeasurer): Drawing {
  const font = { fontSize: DIAGRAM_FONT_SIZE };
  const bold = { fontSize: DIAGRAM_FONT_SIZE, fontWeight: 700 };
  const boxes = architecture.stages.map((stage) => pictureBox(stage.output, 'narrow'));
  const column = Math.max(...boxes.map((box) => box.width));
  const textX = column + 14;
  const parts: string[] = [];
  let y = 2;
  let widest = 0;
  architecture.stages.forEach((stage, i) => {
    const box = boxes[i]!;
    const lines = [
      stage.kind === 'input'
        ? `Input: ${outputText(stage, false)}`
        : `${stage.name}: ${outputText(stage, false)}`,
      operationText(stage, false),
      stage.kind === 'flatten' ? '' : paramsText(stage, false),
    ].filter((line) => line !== '');
    const height = Math.max(box.height, lines.length * LINE_HEIGHT);
    if (i > 0) parts.push(arrow(column / 2, y - GAP.narrow + 3, column / 2, y - 3));
    parts.push(picture(stage, 'narrow', column / 2 - box.width / 2, y + (height - box.height) / 2));
    const firstBaseline = y + height / 2 - (lines.length * LINE_HEIGHT) / 2 + DIAGRAM_FONT_SIZE;
    lines.forEach((line, row) => {
      parts.push(text(textX, firstBaseline + row * LINE_HEIGHT, line, { bold: row === 0 }));
      widest = Math.max(widest, textX + measure(line, row === 0 ? bold : font));
    });
    y += height + GAP.narrow;
  });
  return {
    width: Math.max(NARROW_WIDTH, Math.ceil(widest + 2)),
    height: Math.ceil(y - GAP.narrow + 4),
    body: parts.join(''),
  };
}

/**
 * The SVG of an architecture in one layout, e.g. `<svg … role="img" aria-labelledby="arch-lenet5-wide-title" …>`.
 * Element ids start with `idPrefix` (unique on the page).
 */
export function architectureSvg(
  architecture: Architecture,
  layout: Layout,
  measure: TextMeasurer,
  idPrefix: string,
): { svg: string; width: number } {
  const drawing = layout === 'wide' ? drawWide(architecture, measure) : drawNarrow(architecture, measure);
  const svg = svgDocument(
    `${idPrefix}-${layout}`,
    drawing,
    `Architecture of ${architecture.label}`,
    describe(architecture),
  );
  return { svg, width: drawing.width };
}
