/**
 * The original series' published figures, as its five posts give them, for the reproduction tables,
 * each with the post it comes from and notes wherever its method differed from this project's.
 *
 * Figures are stored in this project's units and keyed by the metric of ours they compare with, so
 * they format like ours: sizes in bytes (the published MB × 10⁶), accuracy as a fraction, carbon in grams.
 */
import type { MetricName } from '../experiments/lib/contract/results.ts';

export const ORIGINAL_REPOSITORY = 'https://github.com/gouherdanish/mnist_classification';

export interface OriginalPost {
  title: string;
  /** ISO date of the post, e.g. `2025-02-06`. */
  date: string;
  url: string;
}

/** The metrics the original published, named by the metric of ours each is compared with. */
export type OriginalMetric = Extract<
  MetricName,
  | 'sizeWithOptimizerBytes'
  | 'params'
  | 'flops'
  | 'trainSecondsPerEpoch'
  | 'latencyAmortisedUs'
  | 'latencyP50Us'
  | 'accuracy'
  | 'carbonPerInferenceGOriginal'
>;

/** Table order of the published metrics. */
export const ORIGINAL_METRICS: readonly OriginalMetric[] = [
  'sizeWithOptimizerBytes',
  'params',
  'flops',
  'trainSecondsPerEpoch',
  'latencyAmortisedUs',
  'latencyP50Us',
  'accuracy',
  'carbonPerInferenceGOriginal',
];

/** How the original measured each metric, where that differs from this project. */
export const METHOD_NOTES: Record<OriginalMetric, string | null> = {
  sizeWithOptimizerBytes:
    "The original's size is a training checkpoint: the weights plus Adam's two moment buffers, about 12 bytes per parameter. It is compared here with the same kind of file; the saved model alone is a third of that.",
  params: null,
  flops: 'Both count 2 FLOPs per multiply-add (dense 2·in·out, convolution 2·k²·C_in·H_out·W_out·C_out).',
  trainSecondsPerEpoch:
    "The original timed the whole training call, validation and checkpoint saves included, and divided by the number of epochs; this project times each epoch's training alone.",
  latencyAmortisedUs:
    "The original's latency is the time of a batch of 64 test images divided by 64, averaged over batches, without warm-up. The figure compared is this project's measurement by the same method; the true single-image latency is in the charts above.",
  latencyP50Us: null,
  accuracy:
    'The original averaged per-batch accuracies, so the last, smaller batch weighed as much as a full one; this project reports correct / 10,000 exactly.',
  carbonPerInferenceGOriginal:
    "Both use the original's parameters: 16 W (13 W CPU plus 3 W memory) and 713 gCO2e/kWh (India's grid), times the time of one inference.",
};

/** A published figure that the post's own numbers or a known bug show to be wrong, with what it should be. */
export interface Correction {
  /** The corrected figure, in the metric's unit. */
  value: number;
  /** How it follows, shown before it. e.g. `20.80 s ÷ 10` */
  how: string;
}

/** Training and validation accuracy (fractions) after one epoch, as the post printed them. */
export interface OriginalEpochFigures {
  epoch: number;
  trainAccuracy: number;
  valAccuracy: number;
}

export interface OriginalExperiment {
  post: OriginalPost;
  /** Run key (as in this project's results) → published figures. e.g. { lenet5: { accuracy: 0.978 } } */
  runs: Record<string, Partial<Record<OriginalMetric, number>>>;
  /** Run key → metric → the corrected figure, shown beside the published one. */
  corrections?: Record<string, Partial<Record<OriginalMetric, Correction>>>;
  /** Notes for this post only, added to the general METHOD_NOTES. */
  notes: Partial<Record<OriginalMetric, string>>;
  /** The post's carbon figures treated seconds as hours, so they are 3600× too high. */
  carbonSecondsAsHours: boolean;
  /** Run key → accuracies after the epochs the post printed, for the learning-curve table. */
  epochs?: Record<string, OriginalEpochFigures[]>;
}

/** How the original's per-epoch accuracies were measured, beside this project's (learning-curve table). */
export const EPOCH_NOTES: readonly string[] = [
  'Both count training accuracy as the share of training images classified correctly during the epoch, while the weights still change, and validation accuracy exactly, over the 6,000 held-out images after the epoch.',
  "The original printed one run, to three decimals; this project's figure is the mean over its seeds, with the lowest and highest seed beside it.",
];

const BLOG = 'https://gouherdanish.github.io';

const COMPARING_POST: OriginalPost = {
  title: 'Comparing ML models',
  date: '2025-02-01',
  url: `${BLOG}/2025/02/01/comparing-ml-models.html`,
};

const BATCH_POST: OriginalPost = {
  title: 'Effects of batch size',
  date: '2024-12-25',
  url: `${BLOG}/2024/12/25/effects-of-batch-size.html`,
};

const MB = 1e6;
const MILLISECOND_US = 1e3;
const MICROGRAM = 1e-6;
const NANOGRAM = 1e-9;

/** MLP-1 and MLP-2 figures at each batch size (the same table serves two posts). */
function batchFigures(model: 'mlp1' | 'mlp2', batchSize: number): Partial<Record<OriginalMetric, number>> {
  const fixed =
    model === 'mlp1'
      ? { sizeWithOptimizerBytes: 9.8 * MB, params: 814_090, flops: 1_626_112 }
      : { sizeWithOptimizerBytes: 17.7 * MB, params: 1_470_474, flops: 2_936_832 };
  const table: Record<string, [number, number, number, number]> = {
    'mlp1@1': [228.3, 57.4, 0.93, 654.5],
    'mlp1@16': [19.2, 23.8, 0.967, 271.6],
    'mlp1@64': [8.57, 5.1, 0.964, 58.2],
    'mlp1@128': [6.96, 4.3, 0.964, 49.0],
    'mlp2@1': [408.1, 88.8, 0.936, 1012.6],
    'mlp2@16': [33.5, 32.0, 0.953, 364.8],
    'mlp2@64': [13.2, 10.3, 0.972, 117.2],
    'mlp2@128': [10.2, 9.0, 0.966, 102.6],
  };
  const [train, latency, accuracy, carbonMicrograms] = table[`${model}@${batchSize}`]!;
  return {
    ...fixed,
    trainSecondsPerEpoch: train,
    latencyAmortisedUs: latency,
    accuracy,
    carbonPerInferenceGOriginal: carbonMicrograms * MICROGRAM,
  };
}

const LENET_FLOPS_BUG = (compared: string) =>
  `LeNet-5's published 2,176,080 FLOPs is a bug: its pooling was functional, so the counter never shrank the feature map and counted the second convolution on 24×24 instead of 12×12. By the same convention the correct count is 563,280, fewer than ${compared}.`;

/**
 * "Evaluating ML models" timed the whole ten-epoch training call (validation and three checkpoint
 * saves included), seconds, and printed it divided by ten beside it.
 */
const EVALUATING_EPOCHS = 10;
const EVALUATING_TRAIN_CALL_SECONDS = { lenet5: 47.54, 'mlp-512': 20.8 };

const AMBIGUOUS_TRAIN_TIME =
  'The source is ambiguous: this column may hold the whole two-epoch time rather than the time per epoch.';
const SECONDS_AS_HOURS =
  'Published in µgCO2e with the latency in seconds treated as hours, so 3600× too high; the corrected figure is given beside it.';

/** Experiment id → the original's figures for it. */
export const ORIGINAL: Record<string, OriginalExperiment> = {
  'evaluating-models': {
    post: {
      title: 'Evaluating ML models',
      date: '2024-12-13',
      url: `${BLOG}/2024/12/13/evaluating-ml-models.html`,
    },
    runs: {
      lenet5: {
        params: 44_426,
        flops: 2_176_080,
        trainSecondsPerEpoch: 4.75,
        latencyP50Us: 11.1 * MILLISECOND_US,
      },
      'mlp-512': {
        params: 407_050,
        flops: 813_056,
        trainSecondsPerEpoch: 2.8,
        latencyP50Us: 24.4 * MILLISECOND_US,
      },
    },
    corrections: {
      lenet5: { flops: { value: 563_280, how: 'correct count' } },
      'mlp-512': {
        trainSecondsPerEpoch: {
          value: EVALUATING_TRAIN_CALL_SECONDS['mlp-512'] / EVALUATING_EPOCHS,
          how: `${EVALUATING_TRAIN_CALL_SECONDS['mlp-512'].toFixed(2)} s ÷ ${EVALUATING_EPOCHS}`,
        },
      },
    },
    notes: {
      flops: LENET_FLOPS_BUG("the MLP's 813,056"),
      trainSecondsPerEpoch: `The post published the whole ${EVALUATING_EPOCHS}-epoch call (${EVALUATING_TRAIN_CALL_SECONDS.lenet5.toFixed(2)} s for LeNet-5, ${EVALUATING_TRAIN_CALL_SECONDS['mlp-512'].toFixed(2)} s for the MLP) and that time divided by ${EVALUATING_EPOCHS}. The MLP's 2.80 s per epoch is a slip: its own total gives 2.08 s.`,
      latencyP50Us:
        "The original's latency is one call on one image, timed once and cold, and it includes loading and preparing the image: it measures start-up as much as inference. This project's is the median of at least 1,000 calls after warm-up, from pixels to logits.",
    },
    carbonSecondsAsHours: false,
    epochs: {
      lenet5: [
        { epoch: 1, trainAccuracy: 0.886, valAccuracy: 0.948 },
        { epoch: 5, trainAccuracy: 0.986, valAccuracy: 0.984 },
        { epoch: 10, trainAccuracy: 0.993, valAccuracy: 0.983 },
      ],
      'mlp-512': [
        { epoch: 1, trainAccuracy: 0.892, valAccuracy: 0.941 },
        { epoch: 5, trainAccuracy: 0.977, valAccuracy: 0.972 },
        { epoch: 10, trainAccuracy: 0.987, valAccuracy: 0.97 },
      ],
    },
  },
  'mlp-vs-lenet': {
    post: {
      title: 'MLP vs LeNet',
      date: '2025-02-06',
      url: `${BLOG}/2025/02/06/mlp-vs-lenet-for-digit-recognition.html`,
    },
    runs: {
      mlp5: {
        sizeWithOptimizerBytes: 6.9 * MB,
        params: 575_102,
        flops: 1_148_240,
        trainSecondsPerEpoch: 4.5,
        latencyAmortisedUs: 5.9,
        accuracy: 0.957,
        carbonPerInferenceGOriginal: 18.3 * NANOGRAM,
      },
      lenet5: {
        sizeWithOptimizerBytes: 0.5 * MB,
        params: 44_426,
        flops: 2_176_080,
        trainSecondsPerEpoch: 6.87,
        latencyAmortisedUs: 21.8,
        accuracy: 0.978,
        carbonPerInferenceGOriginal: 69.0 * NANOGRAM,
      },
    },
    notes: { flops: LENET_FLOPS_BUG("MLP-5's") },
    carbonSecondsAsHours: false,
  },
  'mlp1-vs-mlp2': {
    post: COMPARING_POST,
    runs: { mlp1: batchFigures('mlp1', 64), mlp2: batchFigures('mlp2', 64) },
    notes: { carbonPerInferenceGOriginal: SECONDS_AS_HOURS },
    carbonSecondsAsHours: true,
  },
  'batch-size': {
    post: BATCH_POST,
    runs: Object.fromEntries(
      (['mlp1', 'mlp2'] as const).flatMap((model) =>
        [1, 16, 64, 128].map((batch) => [`${model}@${batch}`, batchFigures(model, batch)]),
      ),
    ),
    notes: { trainSecondsPerEpoch: AMBIGUOUS_TRAIN_TIME, carbonPerInferenceGOriginal: SECONDS_AS_HOURS },
    carbonSecondsAsHours: true,
  },
  'depth-and-width': {
    post: {
      title: 'Effects of model depth and width on accuracy',
      date: '2024-12-25',
      url: `${BLOG}/2024/12/25/effects-of-model-depth-and-width-on-accuracy.html`,
    },
    runs: {
      'mlp-128': { params: 101_770, flops: 203_264, trainSecondsPerEpoch: 1.97, accuracy: 0.937 },
      'mlp-256': { params: 203_530, flops: 406_528, trainSecondsPerEpoch: 2.08, accuracy: 0.958 },
      'mlp-512': { params: 407_050, flops: 813_056, trainSecondsPerEpoch: 2.26, accuracy: 0.962 },
      'mlp-1024': { params: 814_090, flops: 1_626_112, trainSecondsPerEpoch: 2.48, accuracy: 0.967 },
      'mlp-512x2': { params: 669_706, flops: 1_337_344, trainSecondsPerEpoch: 2.41, accuracy: 0.963 },
      'mlp-512x3': { params: 932_362, flops: 1_861_632, trainSecondsPerEpoch: 2.65, accuracy: 0.964 },
    },
    notes: {},
    carbonSecondsAsHours: false,
  },
};

/** The posts of the original series, one per experiment above, oldest first. */
export const ORIGINAL_POSTS: OriginalPost[] = [
  ...new Map(Object.values(ORIGINAL).map((experiment) => [experiment.post.url, experiment.post])).values(),
].sort((a, b) => a.date.localeCompare(b.date) || a.title.localeCompare(b.title));
