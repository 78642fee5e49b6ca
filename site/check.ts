/**
 * The build-time pre-pass over every markdown file's raw text (an Eleventy 3 preprocessor, run
 * before rendering): validates a post's front matter, checks its claims against the results and
 * checks every shortcode call's run and metric arguments, so a mistake fails the build with the
 * post's path and line, e.g. `content/posts/x.md:42: unknown run 'lenet6' in experiment 'mlp-vs-lenet' (known: mlp5, lenet5)`.
 */
import { readFile } from 'node:fs/promises';
import type { Results } from '../experiments/lib/contract/results.ts';
import { checkClaims } from './claims.ts';
import { ContentError } from './errors.ts';
import type { EleventyConfig } from './eleventy.ts';
import { parsePostFrontMatter, splitFrontMatter } from './frontmatter.ts';
import { contentPath } from './page.ts';
import { checkProseNumbers } from './prose-numbers.ts';
import { checkMetric, getExperiment, getModelRun, getRun, type ResultsData, type Where } from './results.ts';
import { ORIGINAL } from './original.ts';
import type { Reference } from './reference.ts';
import { requireVerdict, verdictField, type Verdict } from './reproduction.ts';
import {
  SITE_SHORTCODES,
  checkEpoch,
  checkEpochField,
  correctedFigure,
  originalEpochFigure,
  originalFigure,
  type ShortcodeSpecs,
} from './shortcodes.ts';

export interface CheckOptions {
  /** Shortcodes registered by other plugins (the charts' CHART_SHORTCODES), checked the same way. */
  shortcodes?: ShortcodeSpecs;
}

/** One shortcode call found in the raw text. e.g. { name: 'metric', args: ['lenet5', 'accuracy'], line: 12 } */
export interface ShortcodeCall {
  name: string;
  /** Quoted literal arguments as strings; unquoted (variable) arguments as null. */
  args: (string | null)[];
  line: number;
}

/** Blanks out `{% raw %}…{% endraw %}` blocks, keeping their newlines so line numbers stay true. */
function withoutRawBlocks(text: string): string {
  return text.replace(/\{%-?\s*raw\s*-?%\}[\s\S]*?\{%-?\s*endraw\s*-?%\}/g, (block) =>
    block.replace(/[^\n]/g, ' '),
  );
}

/** Every `{% name args %}` tag in `text` whose name is in `names`; `firstLine` is the text's first line in the file. */
export function findShortcodeCalls(text: string, names: ReadonlySet<string>, firstLine = 1): ShortcodeCall[] {
  const calls: ShortcodeCall[] = [];
  const source = withoutRawBlocks(text);
  for (const match of source.matchAll(/\{%-?\s*([A-Za-z_]\w*)([\s\S]*?)-?%\}/g)) {
    const name = match[1]!;
    if (!names.has(name)) continue;
    // Quoted strings and bare whole numbers are literals; anything else is a variable (null).
    const args = [...match[2]!.matchAll(/"([^"]*)"|'([^']*)'|([^\s,]+)/g)].map(
      (a) => a[1] ?? a[2] ?? (/^\d+$/.test(a[3]!) ? a[3]! : null),
    );
    const line = firstLine + source.slice(0, match.index).split('\n').length - 1;
    calls.push({ name, args, line });
  }
  return calls;
}

/** A model's reproduction verdict as the page shows it (reproduction.ts requireVerdict), for shortcodes that show one. */
export type VerdictLookup = (model: string, where: Where) => Verdict;

/** Checks each call's arguments against the spec, the experiment's results and, for verdicts, `verdict`. */
export function checkShortcodeCalls(
  calls: readonly ShortcodeCall[],
  specs: ShortcodeSpecs,
  experiment: Results | null,
  file: string,
  verdict: VerdictLookup | null = null,
): void {
  for (const { name, args, line } of calls) {
    const kinds = specs[name]!;
    if (args.length !== kinds.length) {
      const expected = kinds.length === 0 ? 'no arguments' : `${kinds.length} (${kinds.join(', ')})`;
      throw new ContentError(file, line, `{% ${name} %} takes ${expected}, got ${args.length}`);
    }
    const needsExperiment = kinds.some((kind) => kind !== 'verdictModel' && kind !== 'verdictField');
    if (needsExperiment && experiment === null) {
      throw new ContentError(file, line, `{% ${name} %} needs \`experiment: <id>\` in the front matter`);
    }
    let lastRun: string | null = null;
    let lastField: string | null = null;
    kinds.forEach((kind, i) => {
      const value = args[i];
      const where = { file, line };
      if (value === null || value === undefined) return;
      if (kind === 'verdictModel') {
        if (verdict === null)
          throw new ContentError(file, line, `{% ${name} %}: no reproduction verdicts in this build`);
        verdict(value, where);
        return;
      }
      if (kind === 'verdictField') {
        verdictField(value, where);
        return;
      }
      if (experiment === null) return;
      if (kind === 'run') {
        getRun(experiment, value, where);
        lastRun = value;
      } else if (kind === 'model') {
        getModelRun(experiment, value, where);
      } else if (kind === 'metric') {
        checkMetric(value, where);
      } else if (kind === 'epochField') {
        lastField = checkEpochField(value, file, line);
      } else if (lastRun === null) {
        return;
      } else if (kind === 'epoch') {
        checkEpoch(getRun(experiment, lastRun, where), value, file, line);
      } else if (kind === 'originalEpoch') {
        if (lastField !== null) originalEpochFigure(experiment, lastRun, lastField, value, file, line);
      } else if (kind === 'correctedMetric') {
        correctedFigure(experiment, lastRun, checkMetric(value, where), file, line);
      } else {
        originalFigure(experiment, lastRun, checkMetric(value, where), file, line);
      }
    });
  }
}

/** The line the body (`content`) starts on in the raw file. */
function bodyStartLine(raw: string, content: string): number {
  const at = content === '' ? -1 : raw.lastIndexOf(content);
  if (at >= 0) return raw.slice(0, at).split('\n').length;
  return splitFrontMatter(raw)?.bodyLine ?? 1;
}

/** The line of a top-level front matter key in the raw file, e.g. `experiment`. */
function frontMatterLine(raw: string, key: string): number | null {
  const index = raw.split('\n').findIndex((line) => line.startsWith(`${key}:`));
  return index === -1 ? null : index + 1;
}

/** The line of a claim in the raw file: the first front matter line holding its text, else the `claims:` line. */
export function claimLine(raw: string, claim: string): number | null {
  const lines = raw.split('\n');
  const end = lines.indexOf('---', 1);
  const index = lines.slice(0, end === -1 ? lines.length : end).findIndex((line) => line.includes(claim));
  return index === -1 ? frontMatterLine(raw, 'claims') : index + 1;
}

/** Shortcodes that show the original's published figures: what each needs of them. */
const NEEDS_ORIGINAL_FIGURES: Record<string, 'figures' | 'epochs'> = {
  reproductionTable: 'figures',
  learningCurveTable: 'epochs',
};

/** Fails at the line of a reproduction table whose experiment the original series never published. */
export function checkOriginalFigures(
  text: string,
  experiment: Results | null,
  file: string,
  firstLine: number,
): void {
  const names = new Set(Object.keys(NEEDS_ORIGINAL_FIGURES));
  for (const { name, line } of findShortcodeCalls(text, names, firstLine)) {
    const id = experiment?.experiment.id;
    if (id === undefined) {
      throw new ContentError(file, line, `{% ${name} %} needs \`experiment: <id>\` in the front matter`);
    }
    const original = ORIGINAL[id];
    if (original === undefined) {
      throw new ContentError(
        file,
        line,
        `{% ${name} %}: the original series has no figures for experiment '${id}'`,
      );
    }
    if (NEEDS_ORIGINAL_FIGURES[name] === 'epochs' && original.epochs === undefined) {
      throw new ContentError(
        file,
        line,
        `{% ${name} %}: the original published no per-epoch accuracies for experiment '${id}'`,
      );
    }
  }
}

export default function checkContent(eleventyConfig: EleventyConfig, options: CheckOptions = {}): void {
  const specs: ShortcodeSpecs = { ...SITE_SHORTCODES, ...options.shortcodes };
  const names = new Set(Object.keys(specs));
  eleventyConfig.addPreprocessor(
    'check-content',
    'md',
    async function (this: { inputPath: string }, data: Record<string, unknown>, content: string) {
      const file = contentPath(this.inputPath);
      const raw = await readFile(this.inputPath, 'utf8');
      const tags = Array.isArray(data.tags) ? data.tags : [];
      const isPost = tags.includes('posts');
      const frontMatter = isPost ? parsePostFrontMatter(raw, file) : null;
      const results = (data.results ?? {}) as ResultsData;
      const reference = (data.reference ?? null) as Reference | null;
      const id = typeof data.experiment === 'string' ? data.experiment : null;
      const experiment =
        id === null ? null : getExperiment(results, id, { file, line: frontMatterLine(raw, 'experiment') });
      const verdict: VerdictLookup = (model, where) => requireVerdict(results, reference, model, id, where);
      if (frontMatter !== null && experiment !== null) {
        // A missing verdict becomes part of the ClaimError, which names the claim's line.
        checkClaims(frontMatter.claims, experiment, file, (claim) => claimLine(raw, claim), {
          verdict: (model) => verdict(model, { file, line: null }),
        });
      }
      const firstLine = bodyStartLine(raw, content);
      const calls = findShortcodeCalls(content, names, firstLine);
      checkShortcodeCalls(calls, specs, experiment, file, verdict);
      checkOriginalFigures(content, experiment, file, firstLine);
      if (isPost) checkProseNumbers(content, file, firstLine);
    },
  );
}
