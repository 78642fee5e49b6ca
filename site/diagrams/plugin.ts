/**
 * The architecture diagrams' Eleventy plugin:
 *
 *   {% architectureDiagram "lenet5" %}   the model's architecture, drawn from its layer table in
 *                                        the page's experiment (front matter `experiment`)
 *   {% architectureDiagrams %}           every model of the page's experiment in one picture, a
 *                                        row each (MLPs only: a width and depth sweep)
 *
 * The argument is a model id (`mlp1`, not the batch-sweep run key `mlp1@64`). The figure holds
 * two SVGs, a wide and a narrow layout, and the stylesheet shows the one that fits the screen
 * (site/assets/style.css, `.architecture`); no JavaScript.
 */
import type { EleventyConfig } from '../eleventy.ts';
import { createTextMeasurer, type TextMeasurer } from '../charts/font-measure.ts';
import { formatCount } from '../format.ts';
import { escapeHtml, pageExperiment, pageWhere, type ShortcodeThis } from '../page.ts';
import { getModelRun } from '../results.ts';
import type { ShortcodeSpecs } from '../shortcodes.ts';
import { ContentError } from '../errors.ts';
import { architectureOf, isConvolutional, type Architecture } from './architecture.ts';
import { comparisonSvg } from './compare.ts';
import { architectureSvg } from './draw.ts';

/** The diagrams' shortcodes and the kind of each argument, for the site's build-time checker. */
export const DIAGRAM_SHORTCODES = {
  architectureDiagram: ['model'],
  architectureDiagrams: [],
} as const satisfies ShortcodeSpecs;

/** The figure's caption, e.g. `LeNet-5: 2 convolutions, 2 poolings and 3 dense layers; 44,426 parameters.` */
function caption(architecture: Architecture): string {
  const count = (kind: string) => architecture.stages.filter((stage) => stage.kind === kind).length;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const parts = [
    count('crop') > 0 ? 'a centre crop' : '',
    count('conv') > 0 ? plural(count('conv'), 'convolution', 'convolutions') : '',
    count('pool') > 0 ? plural(count('pool'), 'pooling layer', 'pooling layers') : '',
    plural(count('dense'), 'dense layer', 'dense layers'),
  ].filter(Boolean);
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0]!;
  return `Architecture of ${architecture.label}: ${list}; ${formatCount(architecture.params)} parameters.`;
}

/** The whole figure for an architecture: both layouts and the caption. */
export function architectureFigure(architecture: Architecture, measure: TextMeasurer): string {
  const idPrefix = `architecture-${architecture.model.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const wide = architectureSvg(architecture, 'wide', measure, idPrefix);
  const narrow = architectureSvg(architecture, 'narrow', measure, idPrefix);
  const kind = isConvolutional(architecture) ? 'feature-maps' : 'layer-stack';
  return (
    `<figure class="architecture architecture-${kind}" id="${idPrefix}" data-model="${escapeHtml(architecture.model)}">` +
    `<div class="architecture-wide" style="--natural-width:${wide.width}px">${wide.svg}</div>` +
    `<div class="architecture-narrow">${narrow.svg}</div>` +
    `<figcaption>${escapeHtml(caption(architecture))}</figcaption></figure>`
  );
}

/** One figure of several MLPs, a row each, e.g. the six shapes of the depth-and-width sweep. */
export function comparisonFigure(architectures: Architecture[], measure: TextMeasurer): string {
  const models = architectures.map((a) => a.model);
  const id = `architectures-${models.join('-').replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const { svg } = comparisonSvg(architectures, measure, id);
  return (
    `<figure class="architecture architecture-comparison" data-models="${escapeHtml(models.join(' '))}">${svg}` +
    `<figcaption>${escapeHtml(
      `The ${architectures.length} networks, drawn from their layer tables: the input image, then each layer’s values as a bar whose length grows with the square root of their number.`,
    )}</figcaption></figure>`
  );
}

/** Runs `draw` on the architecture of a run, turning a layer table it cannot draw into a ContentError. */
function inPage<T>(where: { file: string }, draw: () => T): T {
  try {
    return draw();
  } catch (error) {
    const failure = new ContentError(where.file, null, (error as Error).message);
    failure.cause = error;
    throw failure;
  }
}

export default function diagrams(eleventyConfig: EleventyConfig): void {
  let measure: TextMeasurer | undefined;
  eleventyConfig.addShortcode('architectureDiagram', function (this: ShortcodeThis, model: string) {
    const where = pageWhere(this);
    const run = getModelRun(pageExperiment(this), model, where);
    measure ??= createTextMeasurer();
    const measurer = measure;
    return inPage(where, () => architectureFigure(architectureOf(run), measurer));
  });
  eleventyConfig.addShortcode('architectureDiagrams', function (this: ShortcodeThis) {
    const where = pageWhere(this);
    const runs = [...new Map(pageExperiment(this).runs.map((run) => [run.model, run])).values()];
    measure ??= createTextMeasurer();
    const measurer = measure;
    return inPage(where, () => comparisonFigure(runs.map(architectureOf), measurer));
  });
}
