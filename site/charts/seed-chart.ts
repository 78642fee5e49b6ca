/**
 * The two distributions behind a reproduction verdict, side by side: one row of dots per side
 * (this project's engine, PyTorch), a dot per seed's test accuracy, the mean as a bar across the
 * row with its 95% interval, and the original's published figure as a dashed line.
 */
import type { Verdict, VerdictSide } from '../reproduction.ts';
import { formatAccuracy, formatAccuracyRange } from '../reproduction.ts';
import { formatPValue } from '../format.ts';
import {
  CHART_CONFIG,
  DESCRIPTION,
  PALETTE,
  SCHEMA,
  SIZES,
  TEXT_COLOUR,
  dataMark,
  type Chart,
  type Layout,
} from './specs.ts';

const ENGINE = 'This project';
const PYTORCH = 'PyTorch';

/**
 * Vertical offsets (in dot rows) for dots that share a value, so none hides another: the first of
 * a value sits on the row's line, the next above, the next below, and so on. e.g. [0.96, 0.96, 0.97] → [0, 1, 0]
 */
export function tieOffsets(values: readonly number[]): number[] {
  const seen = new Map<number, number>();
  return values.map((value) => {
    const k = seen.get(value) ?? 0;
    seen.set(value, k + 1);
    return k === 0 ? 0 : k % 2 === 1 ? (k + 1) / 2 : -k / 2;
  });
}

function dots(side: VerdictSide, name: string) {
  const offsets = tieOffsets(side.values);
  return side.values.map((value, i) => ({
    side: name,
    accuracy: 100 * value,
    offset: offsets[i]!,
    description: `${name}, seed ${side.seeds[i]}: ${formatAccuracy(value)}`,
  }));
}

function summary(side: VerdictSide, name: string) {
  const { mean, ci95, n } = side.sample;
  return {
    side: name,
    mean: 100 * mean,
    low: 100 * (ci95?.[0] ?? mean),
    high: 100 * (ci95?.[1] ?? mean),
    description: `${name}: mean ${formatAccuracy(mean)} over ${n} seeds${ci95 === null ? '' : ` (95% CI ${formatAccuracyRange(ci95)})`}`,
  };
}

/** The per-seed test accuracies of both sides of `verdict`, as a strip plot. */
export function seedDistributionsChart(verdict: Verdict, layout: Layout = 'wide'): Chart {
  const size = SIZES[layout];
  const points = [...dots(verdict.engine, ENGINE), ...dots(verdict.pytorch, PYTORCH)];
  const means = [summary(verdict.engine, ENGINE), summary(verdict.pytorch, PYTORCH)];
  const all = [
    ...verdict.engine.values,
    ...verdict.pytorch.values,
    ...(verdict.original === null ? [] : [verdict.original]),
  ];
  const span = Math.max(...all) - Math.min(...all) || 0.01;
  const domain = [100 * (Math.min(...all) - 0.08 * span), 100 * (Math.max(...all) + 0.08 * span)];
  const largestTie = Math.max(1, ...points.map((p) => Math.abs(p.offset)));
  const x = {
    field: 'accuracy',
    type: 'quantitative' as const,
    title: 'Test accuracy, % (one dot per seed)',
    scale: { domain, nice: false, zero: false },
    axis: { tickCount: layout === 'wide' ? 8 : 4, format: '.1f' },
  };
  const y = {
    field: 'side',
    type: 'nominal' as const,
    title: null,
    sort: [ENGINE, PYTORCH],
    axis: { labelFontWeight: 'bold' as const, ticks: false, domain: false },
  };
  const colour = {
    field: 'side',
    type: 'nominal' as const,
    legend: null,
    scale: { domain: [ENGINE, PYTORCH], range: [PALETTE[0]!, PALETTE[1]!] },
  };
  const original =
    verdict.original === null
      ? []
      : [
          {
            data: {
              values: [
                { accuracy: 100 * verdict.original, label: `original ${formatAccuracy(verdict.original)}` },
              ],
            },
            layer: [
              {
                mark: { type: 'rule' as const, strokeDash: [5, 4], color: TEXT_COLOUR, strokeWidth: 1.5 },
                encoding: { x },
              },
              {
                mark: {
                  type: 'text' as const,
                  align: 'left' as const,
                  baseline: 'top' as const,
                  dx: 4,
                  y: 0,
                  color: TEXT_COLOUR,
                },
                encoding: { x, text: { field: 'label' } },
              },
            ],
          },
        ];
  const { engine, pytorch } = verdict;
  return {
    id: `reproduction-${verdict.model}`,
    title: `${verdict.label}: test accuracy per seed, this project against PyTorch`,
    description:
      `Test accuracy of ${verdict.label} per seed, trained with the original's set-up. This project (${engine.experimentTitle}): ` +
      `${engine.sample.n} seeds, ${engine.values.map(formatAccuracy).join(', ')}; mean ${formatAccuracy(engine.sample.mean)}. ` +
      `PyTorch: ${pytorch.sample.n} seeds, ${pytorch.values.map(formatAccuracy).join(', ')}; mean ${formatAccuracy(pytorch.sample.mean)}. ` +
      `Welch's t-test p ${formatPValue(verdict.welch.p)}` +
      (verdict.original === null ? '.' : `; the original published ${formatAccuracy(verdict.original)}.`),
    spec: {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      width: size.plotWidth,
      height: { step: Math.max(56, 14 * (2 * largestTie + 2)) },
      layer: [
        {
          data: { values: means },
          encoding: { y, color: colour },
          layer: [
            {
              mark: { type: 'rule' as const, strokeWidth: 6, opacity: 0.3 },
              encoding: { x: { ...x, field: 'low' }, x2: { field: 'high' } },
            },
            {
              mark: { type: 'tick' as const, thickness: 3, size: 34, ...dataMark('mean') },
              encoding: { x: { ...x, field: 'mean' }, description: DESCRIPTION },
            },
          ],
        },
        {
          data: { values: points },
          mark: { type: 'point' as const, filled: true, size: 42, opacity: 0.75, ...dataMark('point') },
          encoding: {
            x,
            y,
            yOffset: {
              field: 'offset',
              type: 'quantitative' as const,
              scale: { domain: [largestTie + 1, -largestTie - 1] },
            },
            color: colour,
            description: DESCRIPTION,
          },
        },
        ...original,
      ],
    },
  };
}
