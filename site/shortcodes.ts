/**
 * Shortcodes that put numbers from the results into prose, so no number in a post is typed by hand:
 *
 *   {% metric "lenet5" "accuracy" %}            → 98.1%
 *   {% interval "lenet5" "accuracy" %}          → 98.0–98.2%   (95% CI over seeds)
 *   {% ratio "mlp5" "lenet5" "sizeBytes" %}     → 14×
 *   {% diff "lenet5" "mlp5" "accuracy" %}       → 2.1 percentage points
 *   {% original "lenet5" "accuracy" %}          → 97.8%        (the original's published figure)
 *   {% corrected "mlp-512" "trainSecondsPerEpoch" %} → 2.08 s  (what the original's own numbers give instead)
 *   {% pValue "mlp5" "lenet5" %}                → &lt; 0.001   (McNemar, first seed)
 *   {% label "lenet5" %}                        → LeNet-5
 *   {% seeds %}, {% epochs %}                   → 3, 2
 *   {% atEpoch "lenet5" "valAccuracy" 5 %}      → 98.4%        (mean over seeds after epoch 5; learning-curves.ts)
 *   {% originalAtEpoch "lenet5" "valAccuracy" 5 %} → 98.4%     (the original's printed figure)
 *   {% peakEpoch "lenet5" %}                    → 8            (highest mean validation accuracy)
 *   {% plateauEpoch "lenet5" %}                 → 6            (validation accuracy stops improving)
 *   {% literal "5×5" %}                         → 5×5          (a set-up number, declared; see prose-numbers.ts)
 *   {% reproduction "mlp1" "welchP" %}          → 0.071        (a field of the model's verdict against PyTorch, reproduction.ts)
 *
 * Output is HTML: text escaped, CO2 with a subscript in markup (co2Html).
 *
 * Run keys refer to the page's experiment (front matter `experiment`). SITE_SHORTCODES lists the
 * argument kinds so the build-time pre-pass (check.ts) can validate every call with its line.
 */
import type { Results, Run } from '../experiments/lib/contract/results.ts';
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
  formatPercent,
  significant,
} from './format.ts';
import {
  PLATEAU_TOLERANCE,
  epochSummary,
  isEpochField,
  peakEpoch,
  plateauEpoch,
  runEpochs,
  EPOCH_FIELDS,
  type EpochField,
} from './learning-curves.ts';
import { ORIGINAL, type OriginalMetric } from './original.ts';
import { LITERAL_SHORTCODE } from './prose-numbers.ts';
import { escapeHtml, pageExperiment, pageVerdict, pageWhere, type ShortcodeThis } from './page.ts';
import { verdictField } from './reproduction.ts';
import { checkMetric, getRun, lookup, metricInterval } from './results.ts';

/** The kind of each argument of a shortcode, for the pre-pass. */
export type ArgumentKind =
  | 'run'
  | 'model'
  | 'metric'
  | 'originalMetric'
  /** A metric whose published figure for the run original.ts corrects. */
  | 'correctedMetric'
  /** A field of the per-epoch log, e.g. `valAccuracy` (learning-curves.ts EPOCH_FIELDS). */
  | 'epochField'
  /** An epoch the run trained, e.g. 5. */
  | 'epoch'
  /** An epoch whose accuracies the original printed for the run. */
  | 'originalEpoch'
  /** A model the PyTorch reference and the results both cover (reproduction.ts). */
  | 'verdictModel'
  /** A field of a reproduction verdict, e.g. `welchP` (reproduction.ts VERDICT_FIELDS). */
  | 'verdictField';
export type ShortcodeSpecs = Record<string, readonly ArgumentKind[]>;

export const SITE_SHORTCODES: ShortcodeSpecs = {
  metric: ['run', 'metric'],
  interval: ['run', 'metric'],
  ratio: ['run', 'run', 'metric'],
  diff: ['run', 'run', 'metric'],
  original: ['run', 'originalMetric'],
  corrected: ['run', 'correctedMetric'],
  pValue: ['run', 'run'],
  label: ['run'],
  seeds: [],
  epochs: [],
  reproduction: ['verdictModel', 'verdictField'],
  atEpoch: ['run', 'epochField', 'epoch'],
  originalAtEpoch: ['run', 'epochField', 'originalEpoch'],
  peakEpoch: ['run'],
  plateauEpoch: ['run'],
};

/** The corrected figure original.ts gives for a run's published metric, or a ContentError. */
export function correctedFigure(
  experiment: Results,
  runKey: string,
  metric: string,
  file: string,
  line: number | null,
): number {
  originalFigure(experiment, runKey, metric, file, line);
  const id = experiment.experiment.id;
  const correction = ORIGINAL[id]!.corrections?.[runKey]?.[metric as OriginalMetric];
  if (correction === undefined) {
    throw new ContentError(
      file,
      line,
      `the original's '${metric}' for run '${runKey}' of '${id}' has no correction`,
    );
  }
  return correction.value;
}

/** Checks an epoch-log field name, e.g. `valAccuracy`. */
export function checkEpochField(field: string, file: string, line: number | null): EpochField {
  if (!isEpochField(field)) {
    throw new ContentError(file, line, `unknown epoch field '${field}' (known: ${EPOCH_FIELDS.join(', ')})`);
  }
  return field;
}

/** An epoch as a shortcode argument (a number, or its text), checked against the epochs the run trained. */
export function checkEpoch(run: Run, epoch: unknown, file: string, line: number | null): number {
  const value = typeof epoch === 'string' && /^\d+$/.test(epoch) ? Number(epoch) : epoch;
  const epochs = runEpochs(run);
  if (typeof value !== 'number' || !epochs.includes(value)) {
    throw new ContentError(
      file,
      line,
      `run '${run.key}' has no epoch '${String(epoch)}' (trained: ${epochs[0]}–${epochs.at(-1)})`,
    );
  }
  return value;
}

/** The original's printed accuracy of a run after an epoch, or a ContentError naming what it printed. */
export function originalEpochFigure(
  experiment: Results,
  runKey: string,
  field: string,
  epoch: unknown,
  file: string,
  line: number | null,
): number {
  const id = experiment.experiment.id;
  const printed = ORIGINAL[id]?.epochs?.[runKey];
  if (printed === undefined) {
    throw new ContentError(
      file,
      line,
      `the original printed no per-epoch accuracies for run '${runKey}' of '${id}'`,
    );
  }
  const figures = printed.find((f) => String(f.epoch) === String(epoch));
  if (figures === undefined) {
    throw new ContentError(
      file,
      line,
      `the original printed no epoch '${String(epoch)}' for run '${runKey}' (printed: ${printed.map((f) => f.epoch).join(', ')})`,
    );
  }
  if (field !== 'trainAccuracy' && field !== 'valAccuracy') {
    throw new ContentError(
      file,
      line,
      `the original printed only trainAccuracy and valAccuracy per epoch, not '${field}'`,
    );
  }
  return figures[field];
}

/** An epoch-log value as the prose writes it: accuracies in %, losses to three figures. */
function formatEpochValue(field: EpochField, value: number): string {
  return field.endsWith('Accuracy') ? formatPercent(value) : significant(value);
}

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

  eleventyConfig.addShortcode('corrected', function (this: ShortcodeThis, runKey: string, metric: string) {
    const experiment = pageExperiment(this);
    const where = pageWhere(this);
    const name = checkMetric(metric, where);
    return number(formatMetric(name, correctedFigure(experiment, runKey, name, where.file, null)), null);
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

  eleventyConfig.addShortcode(
    'atEpoch',
    function (this: ShortcodeThis, runKey: string, field: string, epoch: unknown) {
      const where = pageWhere(this);
      const run = getRun(pageExperiment(this), runKey, where);
      const name = checkEpochField(field, where.file, null);
      const summary = epochSummary(run, name, checkEpoch(run, epoch, where.file, null))!;
      const spread =
        summary.values.length > 1
          ? `mean of ${summary.values.length} seeds; lowest and highest seed ${formatEpochValue(name, summary.min)} and ${formatEpochValue(name, summary.max)}`
          : null;
      return number(formatEpochValue(name, summary.mean), spread);
    },
  );

  eleventyConfig.addShortcode(
    'originalAtEpoch',
    function (this: ShortcodeThis, runKey: string, field: string, epoch: unknown) {
      const experiment = pageExperiment(this);
      const where = pageWhere(this);
      getRun(experiment, runKey, where);
      const name = checkEpochField(field, where.file, null);
      return number(
        formatEpochValue(name, originalEpochFigure(experiment, runKey, name, epoch, where.file, null)),
        null,
      );
    },
  );

  eleventyConfig.addShortcode('peakEpoch', function (this: ShortcodeThis, runKey: string) {
    return String(peakEpoch(getRun(pageExperiment(this), runKey, pageWhere(this))));
  });

  eleventyConfig.addShortcode('plateauEpoch', function (this: ShortcodeThis, runKey: string) {
    const run = getRun(pageExperiment(this), runKey, pageWhere(this));
    return number(
      String(plateauEpoch(run)),
      `the first epoch whose mean validation accuracy is within ${formatDifference('accuracy', PLATEAU_TOLERANCE, 0)} of the best epoch's`,
    );
  });

  eleventyConfig.addShortcode('epochs', function (this: ShortcodeThis) {
    const epochs = pageExperiment(this).runs[0]!.trials[0]!.epochs.length;
    return formatCount(epochs);
  });
}
