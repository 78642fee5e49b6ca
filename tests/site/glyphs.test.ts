import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import * as fontkit from 'fontkit';
import {
  METRIC_NAMES,
  formatDifference,
  formatInterval,
  formatMetric,
  formatRatio,
} from '../../site/format.ts';
import {
  carbonParametersTable,
  hardwareTable,
  learningCurveTable,
  provenanceBox,
  reproductionTable,
} from '../../site/tables.ts';
import { makeResults } from '../fixtures/results-fixture.ts';

/** The regular face of the site's font; the bold and italic files of the subset cover the same characters. */
const FONT_FILE = 'site/assets/fonts/inter-latin-400-normal.woff2';

/** The files whose text reaches the reader: content, layouts and the stylesheet. */
const TEXT_ROOTS = ['content', 'site/_includes', 'site/assets/style.css'];

async function textFiles(root: string): Promise<string[]> {
  if (path.extname(root) !== '') return [root];
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.(md|liquid|css)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

/** The characters of `text` the font cannot draw, each with its line. e.g. ["3: → (U+2192)"] */
function missingGlyphs(font: fontkit.Font, text: string): string[] {
  const missing: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const char of new Set(line)) {
      const codePoint = char.codePointAt(0)!;
      if (codePoint > 0x7e && !font.hasGlyphForCodePoint(codePoint)) {
        missing.push(`${i + 1}: ${char} (U+${codePoint.toString(16).toUpperCase().padStart(4, '0')})`);
      }
    }
  });
  return missing;
}

function openFont(): fontkit.Font {
  const font = fontkit.openSync(FONT_FILE);
  if (!('hasGlyphForCodePoint' in font)) throw new Error(`${FONT_FILE}: a collection, expected one font`);
  return font;
}

test('the font draws every character of the content, layouts and stylesheet', async () => {
  const font = openFont();
  const files = (await Promise.all(TEXT_ROOTS.map(textFiles))).flat();
  assert.ok(files.some((f) => f.endsWith('mlp-vs-lenet.md')));
  const problems = [];
  for (const file of files) {
    for (const place of missingGlyphs(font, await readFile(file, 'utf8'))) problems.push(`${file}:${place}`);
  }
  assert.deepEqual(problems, []);
});

test('the font draws every character of the formatted numbers and generated tables', () => {
  const font = openFont();
  const headline = makeResults({ id: 'mlp-vs-lenet' });
  const lenet = headline.runs.find((r) => r.key === 'lenet5')!;
  const pieces = METRIC_NAMES.flatMap((metric) => [
    formatMetric(metric, 0.000123),
    formatMetric(metric, -1234.5),
    formatInterval(metric, [0.5, 0.75]),
    formatDifference(metric, 1, 2),
  ]);
  pieces.push(formatRatio(3, 0), formatRatio(7, 2));
  pieces.push(reproductionTable(headline, 'x.md'), provenanceBox(headline), carbonParametersTable(headline));
  pieces.push(hardwareTable([headline]), JSON.stringify(lenet.label));
  const evaluating = makeResults({ id: 'evaluating-models' });
  pieces.push(reproductionTable(evaluating, 'x.md'), learningCurveTable(evaluating, 'x.md'));
  assert.deepEqual(missingGlyphs(font, pieces.join('\n')), []);
});

test('a character the font lacks is reported with its line', () => {
  assert.deepEqual(missingGlyphs(openFont(), 'CO2 is fine\n784 → 512 and CO₂'), [
    '2: → (U+2192)',
    '2: ₂ (U+2082)',
  ]);
});
