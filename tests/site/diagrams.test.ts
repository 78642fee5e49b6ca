import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Run } from '../../experiments/lib/contract/results.ts';
import { createTextMeasurer } from '../../site/charts/font-measure.ts';
import { findShortcodeCalls, checkShortcodeCalls } from '../../site/check.ts';
import { architectureOf, isConvolutional } from '../../site/diagrams/architecture.ts';
import {
  DIAGRAM_FONT_SIZE,
  architectureSvg,
  describe as describeArchitecture,
} from '../../site/diagrams/draw.ts';
import { comparisonSvg } from '../../site/diagrams/compare.ts';
import { DIAGRAM_SHORTCODES, architectureFigure, comparisonFigure } from '../../site/diagrams/plugin.ts';
import { makeResults } from '../fixtures/results-fixture.ts';

const headline = makeResults({ id: 'mlp-vs-lenet' });
const fixtureLenet = headline.runs.find((run) => run.model === 'lenet5')!;
/** LeNet-5 with the layer names the engine gives (experiments/lib/engine/models.ts: conv1, pool1, fc1 …). */
const lenet: Run = {
  ...fixtureLenet,
  layers: fixtureLenet.layers.map((layer, i) => ({
    ...layer,
    name: ['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'fc1', 'fc2', 'fc3'][i]!,
  })),
};
const mlp5 = headline.runs.find((run) => run.model === 'mlp5')!;
const mlp2 = makeResults({ id: 'mlp1-vs-mlp2' }).runs.find((run) => run.model === 'mlp2')!;
const measure = createTextMeasurer();

/** The text content of every <text> element of an SVG string. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]!);
}

describe('architecture from the layer table', () => {
  it('works out LeNet-5’s 5×5 kernels and 2×2 pooling from the shapes and checks them against the parameters', () => {
    const architecture = architectureOf(lenet);
    assert.ok(isConvolutional(architecture));
    assert.deepEqual(
      architecture.stages.map((stage) => [stage.kind, stage.window, stage.params]),
      [
        ['input', null, 0],
        ['conv', 5, 156],
        ['pool', 2, 0],
        ['conv', 5, 2416],
        ['pool', 2, 0],
        ['flatten', null, 0],
        ['dense', null, 30840],
        ['dense', null, 10164],
        ['dense', null, 850],
      ],
    );
    // The original series published 44,426 parameters for LeNet-5 (site/original.ts).
    assert.equal(architecture.params, 44_426);
    assert.deepEqual(architecture.stages[3]!.output, { kind: 'maps', size: 8, channels: 16 });
    assert.equal(architecture.stages.at(-1)!.last, true);
  });

  it('reads MLP-2’s centre crop to 20×20 and its 400 inputs', () => {
    const architecture = architectureOf(mlp2);
    assert.equal(isConvolutional(architecture), false);
    assert.deepEqual(architecture.stages[1]!.output, { kind: 'maps', size: 20, channels: 1 });
    assert.deepEqual(architecture.stages[2]!.output, { kind: 'vector', length: 400 });
  });

  it('rejects a layer whose parameter count the shapes do not explain, naming run and layer', () => {
    const layers = lenet.layers.map((layer, i) => (i === 2 ? { ...layer, params: 2417 } : layer));
    assert.throws(() => architectureOf({ ...lenet, layers } as Run), {
      message:
        "run 'lenet5': layers[2] (conv2, Conv2D): 2417 parameters do not match a 5×5 kernel from 6 channels",
    });
  });

  it('rejects a layer type it cannot draw', () => {
    const layers = [{ ...mlp5.layers[0]!, type: 'LSTM', name: 'lstm' }, ...mlp5.layers.slice(1)];
    assert.throws(
      () => architectureOf({ ...mlp5, layers } as Run),
      /layers\[0\] \(lstm, LSTM\): no diagram for this layer type/,
    );
  });
});

describe('architecture SVG', () => {
  const architecture = architectureOf(lenet);

  it('is an image named by its title and described stage by stage', () => {
    const { svg } = architectureSvg(architecture, 'narrow', measure, 'a');
    assert.match(
      svg,
      /^<svg [^>]*role="img" aria-labelledby="a-narrow-title" aria-describedby="a-narrow-desc"/,
    );
    assert.match(svg, /<title id="a-narrow-title">Architecture of LeNet-5<\/title>/);
    const description = describeArchitecture(architecture);
    assert.match(description, /conv1: 5×5 convolution, tanh, to 6 maps of 24×24 \(156 parameters\)/);
    assert.match(description, /44,426 parameters in all\.$/);
    assert.ok(svg.includes(`<desc id="a-narrow-desc">${description}</desc>`));
  });

  it('writes its labels as real text at the diagram font size, which both layouts draw unscaled', () => {
    for (const layout of ['wide', 'narrow'] as const) {
      const { svg, width } = architectureSvg(architecture, layout, measure, 'a');
      assert.ok(svg.includes(`font-size="${DIAGRAM_FONT_SIZE}"`));
      assert.ok(svg.includes(`width="${width}"`) && svg.includes(`viewBox="0 0 ${width} `));
      assert.ok(texts(svg).includes('156 parameters') || texts(svg).includes('156'), layout);
    }
    assert.ok(DIAGRAM_FONT_SIZE >= 11);
  });

  it('fits the narrow layout in a 390 px phone’s column and the wide one in 900 px', () => {
    const narrow = architectureSvg(architecture, 'narrow', measure, 'a').width;
    const wide = architectureSvg(architecture, 'wide', measure, 'a').width;
    assert.ok(narrow <= 350, `narrow ${narrow} px`);
    assert.ok(wide <= 900, `wide ${wide} px`);
  });

  it('draws one square per feature map: 1 + 6 + 6 + 16 + 16', () => {
    const { svg } = architectureSvg(architecture, 'wide', measure, 'a');
    const squares = [...svg.matchAll(/<rect [^>]*width="([\d.]+)" height="([\d.]+)"/g)].filter(
      (match) => match[1] === match[2],
    );
    assert.equal(squares.length, 1 + 6 + 6 + 16 + 16);
  });

  it('puts both layouts and a caption with the parameter count in one figure', () => {
    const html = architectureFigure(architecture, measure);
    assert.match(
      html,
      /^<figure class="architecture architecture-feature-maps" id="architecture-lenet5" data-model="lenet5">/,
    );
    assert.equal(html.match(/<svg /g)?.length, 2);
    assert.match(
      html,
      /<figcaption>Architecture of LeNet-5: 2 convolutions, 2 pooling layers and 3 dense layers; 44,426 parameters\.<\/figcaption>/,
    );
  });
});

describe('architectureDiagram shortcode check', () => {
  const batch = makeResults({ id: 'batch-size' });

  it('takes a model id, also in a batch sweep whose run keys carry the batch', () => {
    const calls = findShortcodeCalls(
      'text\n{% architectureDiagram "mlp1" %}\n',
      new Set(Object.keys(DIAGRAM_SHORTCODES)),
    );
    assert.doesNotThrow(() => checkShortcodeCalls(calls, DIAGRAM_SHORTCODES, batch, 'content/posts/b.md'));
  });

  it('rejects an unknown model with the post’s line and the known models', () => {
    const calls = findShortcodeCalls(
      'text\n\n{% architectureDiagram "lenet6" %}\n',
      new Set(Object.keys(DIAGRAM_SHORTCODES)),
    );
    assert.throws(() => checkShortcodeCalls(calls, DIAGRAM_SHORTCODES, batch, 'content/posts/b.md'), {
      message: "content/posts/b.md:3: unknown model 'lenet6' in experiment 'batch-size' (known: mlp1, mlp2)",
    });
  });
});

describe('architectures of a sweep in one picture', () => {
  const sweep = makeResults({ id: 'depth-and-width' });
  const architectures = [...new Map(sweep.runs.map((run) => [run.model, run])).values()].map(architectureOf);

  it('draws one row per model, headed by its name and parameter count, narrow enough for a phone', () => {
    const html = comparisonFigure(architectures, measure);
    assert.match(html, /data-models="mlp-128 mlp-256 mlp-512 mlp-1024 mlp-512x2 mlp-512x3"/);
    const { svg, width } = comparisonSvg(architectures, measure, 'c');
    assert.ok(width <= 350, `${width} px`);
    const headings = texts(svg).filter((line) => line.includes('parameters'));
    assert.deepEqual(
      headings,
      architectures.map((a) => `${a.label}: ${a.params.toLocaleString('en')} parameters`),
    );
    assert.match(svg, /role="img"/);
  });

  it('refuses a convolutional model, which has its own picture', () => {
    assert.throws(
      () => comparisonSvg([architectureOf(lenet)], measure, 'c'),
      /lenet5: a model with feature maps/,
    );
  });
});
