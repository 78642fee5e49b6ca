/**
 * Shortcodes that put numbers from the results into prose, so no number in a post is typed by hand:
 *
 *   {% metric "lenet5" "accuracy" %}            → 98.1%
 *   {% interval "lenet5" "accuracy" %}          → 98.0–98.2%   (95% CI over seeds)
 *   {% ratio "mlp5" "lenet5" "sizeBytes" %}     → 14×
 *   {% diff "lenet5" "mlp5" "accuracy" %}       → 2.1 percentage points
 *   {% original "lenet5" "accuracy" %}          → 97.8%        (the original's published figure)
 *   {% pValue "mlp5" "lenet5" %}                → &lt; 0.001   (McNemar, first seed)
 *   {% label "lenet5" %}                        → LeNet-5
 *   {% seeds %}, {% epochs %}                   → 3, 2
 *   {% literal "5×5" %}                         → 5×5          (a set-up number, declared; see prose-numbers.ts)
 *   {% reproduction "mlp1" "welchP" %}          → 0.071        (a field of the model's verdict against PyTorch, reproduction.ts)
 *
 * Output is HTML: text escaped, CO2 with a subscript in markup (co2Html).
 *
 * Run keys refer to the page's experiment (front matter `experiment`). SITE_SHORTCODES lists the
 * argument kinds so the build-time pre-pass (check.ts) can validate every call with its line.
 */
import type { Results } from '../experiments/lib/contract/results.ts';
import { ContentError } from './errors.ts';
import type { EleventyConfig } from './eleventy.ts';
import {
  co2Html,
  formatDifference,
  formatInterval,
  formatMetric,
  formatPValue,
  formatRatio,
  formatCount,
} from './format.ts';
import { ORIGINAL, type OriginalMetric } from './original.ts';
import { LITERAL_SHORTCODE } from './prose-numbers.ts';
import { escapeHtml, pageExperiment, pageVerdict, pageWhere, type ShortcodeThis } from './page.ts';
import { verdictField } from './reproduction.ts';
import { checkMetric, getRun, lookup, metricInterval } from './results.ts';

/** The kind of each argument of a shortcode, for the pre-pass. */
export type ArgumentKind = 'run' | 'model' | 'metric' | 'originalMetric' | 'verdictModel' | 'verdictField';
export type ShortcodeSpecs = Record<string, readonly ArgumentKind[]>;

export const SITE_SHORTCODES: ShortcodeSpecs = {
  metric: ['run', 'metric'],
  interval: ['run', 'metric'],
  ratio: ['run', 'run', 'metric'],
  diff: ['run', 'run', 'metric'],
  original: ['run', 'originalMetric'],
  pValue: ['run', 'run'],
  label: ['run'],
  seeds: [],
  epochs: [],
  reproduction: ['verdictModel', 'verdictField'],
};

/** The original's published figure for a run and metric, or a ContentError. */
export function originalFigure(
  experiment: Results,
  runKey: string,
  metric: string,
  file: string,
  line: number | null,
): number {
  const id = experiment.experiment.id;
  const original = ORIGINAL[id];
  if (original === undefined) {
    throw new ContentError(file, line, `the original series has no figures for experiment '${id}'`);
  }
  const figures = original.runs[runKey];
  const value = figures?.[metric as OriginalMetric];
  if (value === undefined) {
    const known = Object.keys(figures ?? {}).join(', ') || 'none';
    throw new ContentError(
      file,
      line,
      `the original published no '${metric}' for run '${runKey}' of '${id}' (published: ${known})`,
    );
  }
  return value;
}

/** A number in prose (plain text from format.ts), with its spread on hover when it has one. */
function number(text: string, title: string | null): string {
  const html = co2Html(escapeHtml(text));
  return title === null ? html : `<span class="num" title="${escapeHtml(title)}">${html}</span>`;
}

export default function shortcodes(eleventyConfig: EleventyConfig): void {
  eleventyConfig.addShortcode('metric', function (this: ShortcodeThis, runKey: string, metric: string) {
    const experiment = pageExperiment(this);
    const found = lookup(experiment, runKey, metric, pageWhere(this));
    const interval = metricInterval(found.run, found.metric);
    const seeds = found.run.trials.length;
    const title =
      interval === null ? null : `mean of ${seeds} seeds; 95% CI ${formatInterval(found.metric, interval)}`;
    return number(formatMetric(found.metric, found.value), title);
  });

  eleventyConfig.addShortcode('interval', function (this: ShortcodeThis, runKey: string, metric: string) {
    const where = pageWhere(this);
    const found = lookup(pageExperiment(this), runKey, metric, where);
    const interval = metricInterval(found.run, found.metric);
    if (interval === null) {
      throw new ContentError(
        where.file,
        null,
        `'${runKey}' '${metric}' has no confidence interval (one seed or an exact count)`,
      );
    }
    return number(formatInterval(found.metric, interval), null);
  });

  eleventyConfig.addShortcode('ratio', function (this: ShortcodeThis, a: string, b: string, metric: string) {
    const experiment = pageExperiment(this);
    const where = pageWhere(this);
    return formatRatio(
      lookup(experiment, a, metric, where).value,
      lookup(experiment, b, metric, where).value,
    );
  });

  eleventyConfig.addShortcode('diff', function (this: ShortcodeThis, a: string, b: string, metric: string) {
    const experiment = pageExperiment(this);
    const where = pageWhere(this);
    const name = checkMetric(metric, where);
    return number(
      formatDifference(
        name,
        lookup(experiment, a, name, where).value,
        lookup(experiment, b, name, where).value,
      ),
      null,
    );
  });

  eleventyConfig.addShortcode('original', function (this: ShortcodeThis, runKey: string, metric: string) {
    const experiment = pageExperiment(this);
    const where = pageWhere(this);
    const name = checkMetric(metric, where);
    return number(formatMetric(name, originalFigure(experiment, runKey, name, where.file, null)), null);
  });

  eleventyConfig.addShortcode('pValue', function (this: ShortcodeThis, a: string, b: string) {
    const experiment = pageExperiment(this);
    const where = pageWhere(this);
    getRun(experiment, a, where);
    getRun(experiment, b, where);
    const comparison = experiment.comparisons.find(
      (c) => (c.a === a && c.b === b) || (c.a === b && c.b === a),
    );
    if (comparison === undefined) {
      throw new ContentError(
        where.file,
        null,
        `no McNemar comparison between '${a}' and '${b}' in the results`,
      );
    }
    return number(formatPValue(comparison.pValue), null);
  });

  eleventyConfig.addShortcode('label', function (this: ShortcodeThis, runKey: string) {
    return escapeHtml(getRun(pageExperiment(this), runKey, pageWhere(this)).label);
  });

  eleventyConfig.addShortcode(LITERAL_SHORTCODE, function (this: ShortcodeThis, text: unknown) {
    if (typeof text !== 'string' || !/\d/.test(text)) {
      throw new ContentError(
        pageWhere(this).file,
        null,
        `{% ${LITERAL_SHORTCODE} %} takes one quoted number with its unit, e.g. {% ${LITERAL_SHORTCODE} "5×5" %}`,
      );
    }
    return co2Html(escapeHtml(text));
  });

  eleventyConfig.addShortcode('reproduction', function (this: ShortcodeThis, model: string, field: string) {
    const found = verdictField(field, pageWhere(this));
    return number(found.text(pageVerdict(this, model)), null);
  });

  eleventyConfig.addShortcode('seeds', function (this: ShortcodeThis) {
    return formatCount(pageExperiment(this).provenance.seeds.length);
  });

  eleventyConfig.addShortcode('epochs', function (this: ShortcodeThis) {
    const epochs = pageExperiment(this).runs[0]!.trials[0]!.epochs.length;
    return formatCount(epochs);
  });
}
