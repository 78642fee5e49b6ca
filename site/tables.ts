/**
 * Shortcodes that render whole blocks from the results: the reproduction tables (this project beside
 * the original's published figures: the metrics, then each model's verdict against PyTorch, and the
 * accuracies after the epochs the original printed), the provenance box, and the methodology page's
 * tables.
 *
 * Output is HTML without blank lines, so markdown-it keeps it as one HTML block.
 */
import type { Results } from '../experiments/lib/contract/results.ts';
import type { EleventyConfig } from './eleventy.ts';
import {
  co2Html,
  formatDate,
  formatInterval,
  formatMetric,
  formatPercent,
  formatSeconds,
  significant,
} from './format.ts';
import { METRIC_TITLES } from './format.ts';
import { epochSummary } from './learning-curves.ts';
import {
  EPOCH_NOTES,
  METHOD_NOTES,
  ORIGINAL,
  ORIGINAL_METRICS,
  type OriginalExperiment,
  type OriginalMetric,
} from './original.ts';
import {
  escapeHtml,
  pageExperiment,
  pageReference,
  pageResults,
  pageWhere,
  type ShortcodeThis,
} from './page.ts';
import type { Reference } from './reference.ts';
import {
  VERDICT_ALPHA,
  VERDICT_FIELDS,
  findVerdict,
  formatAccuracy,
  formatAccuracyRange,
  type Verdict,
  type VerdictSide,
} from './reproduction.ts';
import { metricValue, type ResultsData } from './results.ts';
import { ContentError } from './errors.ts';

/** The original's figures for an experiment, or a ContentError naming it. */
function originalOf(experiment: Results, file: string): OriginalExperiment {
  const id = experiment.experiment.id;
  const original = ORIGINAL[id];
  if (original === undefined) {
    throw new ContentError(file, null, `the original series has no figures for experiment '${id}'`);
  }
  return original;
}

/** The caption's source: the original post, linked, with its date. */
function sourceOf(original: OriginalExperiment): string {
  const post = original.post;
  return `<a href="${post.url}">${escapeHtml(post.title)}</a> (${formatDate(new Date(post.date))})`;
}

/** A numbered list of notes whose items link back to their marks, `<prefix>-ref-<n>`. */
function noteList(notes: readonly string[], prefix: string): string {
  if (notes.length === 0) return '';
  const items = notes.map(
    (note, i) =>
      `<li id="${prefix}-note-${i + 1}">${co2Html(escapeHtml(note))} <a href="#${prefix}-ref-${i + 1}">Back to the table</a></li>`,
  );
  return `<figcaption><ol class="notes">${items.join('')}</ol></figcaption>`;
}

/**
 * The reproduction table of an experiment: one group of rows per published metric, then, when
 * `verdicts` holds any, one verdict row per model against the PyTorch `reference`.
 */
export function reproductionTable(
  experiment: Results,
  file: string,
  verdicts: readonly Verdict[] = [],
  reference: Reference | null = null,
): string {
  const original = originalOf(experiment, file);
  const notes: string[] = [];
  const groups: string[] = [];
  for (const metric of ORIGINAL_METRICS) {
    const rows = experiment.runs.filter((run) => original.runs[run.key]?.[metric] !== undefined);
    if (rows.length === 0) continue;
    const metricNotes = [METHOD_NOTES[metric], original.notes[metric]].filter((n): n is string => !!n);
    // One superscript per heading with the marks comma-separated, so notes 2 and 3 do not read "23".
    const marks = metricNotes.map((note) => {
      notes.push(note);
      return `<a href="#repro-note-${notes.length}" id="repro-ref-${notes.length}">${notes.length}</a>`;
    });
    const body = rows.map((run) => {
      const published = original.runs[run.key]![metric]!;
      const value = (x: number) => co2Html(escapeHtml(formatMetric(metric, x)));
      let originalText = value(published);
      if (metric === 'carbonPerInferenceGOriginal' && original.carbonSecondsAsHours) {
        originalText += ` <span class="corrected">(÷ 3600: ${value(published / 3600)})</span>`;
      }
      const correction = original.corrections?.[run.key]?.[metric];
      if (correction !== undefined) {
        originalText += ` <span class="corrected">(${escapeHtml(correction.how)}: ${value(correction.value)})</span>`;
      }
      return `<tr><th scope="row">${escapeHtml(run.label)}${run.key.includes('@') ? ` <span class="batch">batch ${run.batchSize}</span>` : ''}</th><td class="numeric">${originalText}</td><td class="numeric">${value(metricValue(run, metric))}</td></tr>`;
    });
    groups.push(
      `<tbody><tr class="group"><th scope="colgroup" colspan="3">${escapeHtml(METRIC_TITLES[metric as OriginalMetric])}${marks.length === 0 ? '' : `<sup>${marks.join(', ')}</sup>`}</th></tr>${body.join('')}</tbody>`,
    );
  }
  return [
    `<figure class="reproduction">`,
    `<div class="table-scroll" role="region" aria-label="Reproduction table" tabindex="0">`,
    `<table><caption>This project's measurements beside the figures published in ${sourceOf(original)}</caption>`,
    `<thead><tr><th scope="col">Model</th><th scope="col" class="numeric">Original</th><th scope="col" class="numeric">This project</th></tr></thead>`,
    groups.join(''),
    `</table></div>`,
    verdicts.length > 0 && reference !== null ? verdictTable(experiment, verdicts, reference) : '',
    noteList(notes, 'repro'),
    `</figure>`,
  ].join('');
}

/**
 * One side of a verdict in a cell, a line each: mean, its 95% interval, the seeds and their range,
 * and, for an engine sample from another experiment than the page's, that experiment.
 */
function sideCell(side: VerdictSide, source: string | null): string {
  const { sample } = side;
  const lines = [
    escapeHtml(formatAccuracy(sample.mean)),
    ...(sample.ci95 === null
      ? []
      : [`<span class="interval">(${escapeHtml(formatAccuracyRange(sample.ci95))})</span>`]),
    `<span class="seeds">${sample.n} seeds, ${escapeHtml(formatAccuracyRange([sample.min, sample.max]))}</span>`,
    ...(source === null ? [] : [`<span class="seeds">from ‘${escapeHtml(source)}’</span>`]),
  ];
  return `<td class="numeric">${lines.join('<br>')}</td>`;
}

/** Why a verdict reads as it does. e.g. "Welch p 0.0504; the original's 96.40% is within this engine's seeds" */
function verdictReason(verdict: Verdict): string {
  const p = `Welch p ${VERDICT_FIELDS.welchP!.text(verdict)}${verdict.welch.p >= VERDICT_ALPHA ? '' : `, below ${VERDICT_ALPHA}`}`;
  const original =
    verdict.original === null
      ? 'the original published no accuracy'
      : `the original's ${formatAccuracy(verdict.original)} is ${verdict.originalInRange ? 'within' : 'outside'} this engine's seeds`;
  return `${p}; ${original}`;
}

/**
 * The verdict rows: per model, this engine's and PyTorch's mean test accuracy with 95% intervals,
 * seeds and ranges, and the verdict with Welch's p. Four columns, so the table fits a phone; how
 * to read it comes before it, not in its caption, which would scroll with a wide table.
 */
function verdictTable(experiment: Results, verdicts: readonly Verdict[], reference: Reference): string {
  const { environment: env, setup } = reference;
  const rows = verdicts.map((verdict) => {
    const source =
      verdict.engine.experimentId === experiment.experiment.id ? null : verdict.engine.experimentTitle;
    const word = verdict.reproduced ? 'reproduced' : 'differs';
    return `<tr><th scope="row">${escapeHtml(verdict.label)}</th>${sideCell(verdict.engine, source)}${sideCell(verdict.pytorch, null)}<td><strong class="verdict verdict-${word}">${word}</strong><br><span class="reason">${escapeHtml(verdictReason(verdict))}</span></td></tr>`;
  });
  return [
    `<p class="verdicts-note">Test accuracy of this project's engine and of PyTorch, both trained with the original's set-up (batch ${setup.batchSize}, ${setup.epochs} epochs, Adam at ${setup.learningRate}): the mean over seeds, its 95% interval, the seeds and their range. A model is reproduced when Welch's two-sided t-test finds no difference (p of ${VERDICT_ALPHA} or more) and the original's published figure lies within this engine's range of seeds. PyTorch ${escapeHtml(env.torch)}, ${escapeHtml(env.blas)}, ${env.threads} ${env.threads === 1 ? 'thread' : 'threads'}.</p>`,
    `<div class="table-scroll" role="region" aria-label="Reproduction verdicts" tabindex="0">`,
    `<table class="verdicts"><caption>Reproduced? This project against PyTorch</caption>`,
    `<thead><tr><th scope="col">Model</th><th scope="col" class="numeric">This project</th><th scope="col" class="numeric">PyTorch</th><th scope="col">Verdict</th></tr></thead>`,
    `<tbody>${rows.join('')}</tbody></table></div>`,
  ].join('');
}

/** The verdicts a page of `experiment` shows: one per model of its runs that both data sets cover, in run order. */
export function pageVerdicts(
  experiment: Results,
  results: ResultsData,
  reference: Reference | null,
): Verdict[] {
  const models = [...new Set(experiment.runs.map((run) => run.model))];
  return models
    .map((model) => findVerdict(results, reference, model, experiment.experiment.id))
    .filter((verdict): verdict is Verdict => verdict !== null);
}

/**
 * The learning-curve table: for each run the original printed, its training and validation
 * accuracy after each printed epoch beside this project's mean over seeds, with the lowest and
 * highest seed. An epoch this project did not train (a quick run) shows a dash.
 */
export function learningCurveTable(experiment: Results, file: string): string {
  const original = originalOf(experiment, file);
  if (original.epochs === undefined) {
    throw new ContentError(
      file,
      null,
      `the original published no per-epoch accuracies for experiment '${experiment.experiment.id}'`,
    );
  }
  const printed = original.epochs;
  const marks = EPOCH_NOTES.map(
    (_, i) => `<a href="#epochs-note-${i + 1}" id="epochs-ref-${i + 1}">${i + 1}</a>`,
  ).join(', ');
  const ours = (summary: ReturnType<typeof epochSummary>) =>
    summary === null
      ? '<td class="numeric" title="not trained this long">—</td>'
      : `<td class="numeric">${formatPercent(summary.mean)}${
          summary.values.length > 1
            ? ` <span class="range">(${formatInterval('accuracy', [summary.min, summary.max])})</span>`
            : ''
        }</td>`;
  const groups = experiment.runs
    .filter((run) => printed[run.key] !== undefined)
    .map((run) => {
      const rows = printed[run.key]!.map(
        (figures) =>
          `<tr><th scope="row">${figures.epoch}</th>` +
          `<td class="numeric">${formatPercent(figures.trainAccuracy)}</td>${ours(epochSummary(run, 'trainAccuracy', figures.epoch))}` +
          `<td class="numeric">${formatPercent(figures.valAccuracy)}</td>${ours(epochSummary(run, 'valAccuracy', figures.epoch))}</tr>`,
      );
      return `<tbody><tr class="group"><th scope="colgroup" colspan="5">${escapeHtml(run.label)}</th></tr>${rows.join('')}</tbody>`;
    });
  return [
    `<figure class="reproduction learning-curve-table">`,
    `<div class="table-scroll" role="region" aria-label="Accuracy after each printed epoch" tabindex="0">`,
    `<table><caption>Training and validation accuracy after the epochs printed in ${sourceOf(original)}, beside this project's<sup>${marks}</sup></caption>`,
    `<thead><tr><th scope="col" rowspan="2">Epoch</th><th scope="colgroup" colspan="2">Training accuracy</th><th scope="colgroup" colspan="2">Validation accuracy</th></tr>`,
    `<tr><th scope="col" class="numeric">Original</th><th scope="col" class="numeric">This project</th><th scope="col" class="numeric">Original</th><th scope="col" class="numeric">This project</th></tr></thead>`,
    groups.join(''),
    `</table></div>`,
    noteList(EPOCH_NOTES, 'epochs'),
    `</figure>`,
  ].join('');
}

/** The provenance box: where and how the results were produced; a quick run is marked as not for publishing. */
export function provenanceBox(experiment: Results): string {
  const p = experiment.provenance;
  const commit =
    p.gitCommit === null ? 'not recorded' : `<code>${escapeHtml(p.gitCommit.slice(0, 12))}</code>`;
  const rows: [string, string][] = [
    ['CPU', `${escapeHtml(p.cpuModel)} (${p.cores} cores)`],
    [
      'Backend',
      `TensorFlow.js ${escapeHtml(p.tfjs)}, ${escapeHtml(p.backend)} ${escapeHtml(p.backendVersion)}${p.threads > 1 ? `, ${p.threads} threads` : ''}${blasNote(p.blas)}`,
    ],
    ['Runtime', `Node.js ${escapeHtml(p.node)}, ${escapeHtml(p.os)}`],
    ['Date', `<time datetime="${escapeHtml(p.date)}">${formatDate(new Date(p.date))}</time>`],
    ['Commit', commit],
    ['Seeds', `${p.seeds.join(', ')} (${p.seeds.length} trials per run)`],
    ['Wall time', formatSeconds(p.wallSeconds)],
  ];
  const quick = p.quick
    ? `<p class="quick-warning" role="note"><strong>Quick run:</strong> these numbers come from a small smoke-test subset and are not for publishing.</p>`
    : '';
  return [
    `<aside class="provenance${p.quick ? ' quick' : ''}" aria-labelledby="provenance-title">`,
    `<h2 id="provenance-title">Provenance</h2>`,
    quick,
    `<dl>${rows.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('')}</dl>`,
    `</aside>`,
  ].join('');
}

/** The carbon parameter presets of an experiment's results, for the methodology page. */
export function carbonParametersTable(experiment: Results): string {
  const rows = experiment.carbon.map((c) => {
    const memory =
      c.memoryGb === null ? "the process's peak resident memory" : `${significant(c.memoryGb)} GB`;
    return `<tr><th scope="row"><code>${escapeHtml(c.preset)}</code></th><td class="numeric">${significant(c.corePowerW)} W</td><td>${significant(c.memoryPowerWPerGb)} W/GB × ${memory}</td><td class="numeric">${significant(c.pue)}</td><td class="numeric">${significant(c.gridGco2ePerKwh)} gCO<sub>2</sub>e/kWh</td><td>${escapeHtml(c.source)}</td></tr>`;
  });
  return [
    `<div class="table-scroll" role="region" aria-label="Carbon parameters" tabindex="0">`,
    `<table><caption>Carbon parameters used by the published results</caption>`,
    `<thead><tr><th scope="col">Preset</th><th scope="col" class="numeric">CPU power</th><th scope="col">Memory power</th><th scope="col" class="numeric">PUE</th><th scope="col" class="numeric">Grid intensity</th><th scope="col">Source</th></tr></thead>`,
    `<tbody>${rows.join('')}</tbody></table></div>`,
  ].join('');
}

/** ', matrix products on OpenBLAS 0.3.21' for results whose wasm products ran on a native BLAS, else ''. */
function blasNote(blas: string | null): string {
  return blas === null ? '' : `, matrix products on ${escapeHtml(blas.split(' ', 2).join(' '))}`;
}

/** One row per experiment: the hardware and backend its published results were measured on. */
export function hardwareTable(results: Results[]): string {
  const rows = results.map((r) => {
    const p = r.provenance;
    return `<tr><th scope="row">${escapeHtml(r.experiment.title)}</th><td>${escapeHtml(p.cpuModel)} (${p.cores} cores)</td><td>${escapeHtml(p.backend)} ${escapeHtml(p.backendVersion)}${blasNote(p.blas)}, TensorFlow.js ${escapeHtml(p.tfjs)}</td><td>Node.js ${escapeHtml(p.node)}</td><td>${formatDate(new Date(p.date))}${p.quick ? ' <strong class="quick-label">quick run, not for publishing</strong>' : ''}</td></tr>`;
  });
  return [
    `<div class="table-scroll" role="region" aria-label="Hardware and backend" tabindex="0">`,
    `<table><caption>Where the published results were measured</caption>`,
    `<thead><tr><th scope="col">Experiment</th><th scope="col">CPU</th><th scope="col">Backend</th><th scope="col">Runtime</th><th scope="col">Date</th></tr></thead>`,
    `<tbody>${rows.join('')}</tbody></table></div>`,
  ].join('');
}

export default function tables(eleventyConfig: EleventyConfig): void {
  eleventyConfig.addShortcode('reproductionTable', function (this: ShortcodeThis) {
    const experiment = pageExperiment(this);
    const reference = pageReference(this);
    const verdicts = pageVerdicts(experiment, pageResults(this), reference);
    return reproductionTable(experiment, pageWhere(this).file, verdicts, reference);
  });
  eleventyConfig.addShortcode('learningCurveTable', function (this: ShortcodeThis) {
    return learningCurveTable(pageExperiment(this), pageWhere(this).file);
  });
  eleventyConfig.addShortcode('provenance', function (this: ShortcodeThis) {
    return provenanceBox(pageExperiment(this));
  });
  eleventyConfig.addShortcode('carbonParameters', function (this: ShortcodeThis) {
    return carbonParametersTable(pageExperiment(this));
  });
  eleventyConfig.addShortcode('hardware', function (this: ShortcodeThis) {
    return hardwareTable(Object.values(pageResults(this)));
  });
}
