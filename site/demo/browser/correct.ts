/**
 * The demo's "wrong answer? say which digit it is" panel: fine-tunes both models in the reader's
 * browser on the example shown (./finetune.ts, through the classifier), then reports each model's new
 * answer and confidence, its accuracy on the bundled test digits before → after, and the time it took.
 * Reset puts the published weights back. The fine-tuning digits are fetched from the site on first use.
 */
import type { Classifier } from './classifier.ts';
import type { FineTuneData } from './demo.ts';
import { ORIGINAL_METHOD, REPLAY_METHOD, type LabelledSet } from './finetune.ts';
import { decodeMany, normalise } from '../preprocess.ts';

export interface CorrectionHooks {
  /** The model's name for a run key, e.g. `LeNet-5` for `lenet5`. */
  labelOf(key: string): string;
  /** The classifier, loading it if needed. */
  load(): Promise<Classifier>;
  /** The raw 784 pixels the models are shown now, or null when there is nothing to correct. */
  current(): Uint8ClampedArray | null;
  /** Classifies the current example again and updates the cards; resolves to digit and confidence per run key. */
  refresh(): Promise<Record<string, { digit: number; confidence: number }>>;
}

function element<T extends Element>(root: ParentNode, selector: string): T {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`digit demo: missing ${selector}`);
  return found;
}

function labelledSet(part: { labels: number[]; pixelsBase64: string }): LabelledSet {
  const pixels = decodeMany(part.pixelsBase64, part.labels.length);
  return { images: normalise(pixels, part.labels.length), labels: part.labels, count: part.labels.length };
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;

/** Wires the panel `[data-correct]` inside `root`; `dataUrl` is the fine-tuning digits file. */
export function setUpCorrection(root: HTMLElement, dataUrl: string, hooks: CorrectionHooks): void {
  const panel = element<HTMLElement>(root, '[data-correct]');
  const status = element<HTMLElement>(panel, '[data-retrain-status]');
  const progress = element<HTMLProgressElement>(panel, '[data-progress]');
  const resetButton = element<HTMLButtonElement>(panel, '[data-reset]');
  const digitButtons = Array.from(panel.querySelectorAll<HTMLButtonElement>('[data-true-digit]'));
  let sets: Promise<{ replay: LabelledSet; test: LabelledSet }> | null = null;
  /** Accuracy of the published models on the test digits, per run key (measured once). */
  let published: Map<string, number> | null = null;
  let busy = false;

  function loadSets(): Promise<{ replay: LabelledSet; test: LabelledSet }> {
    sets ??= fetch(dataUrl).then(async (response) => {
      if (!response.ok) throw new Error(`${dataUrl}: HTTP ${response.status}`);
      const data = (await response.json()) as FineTuneData;
      return { replay: labelledSet(data.replay), test: labelledSet(data.test) };
    });
    sets.catch(() => (sets = null));
    return sets;
  }

  function row(key: string, selector: string): HTMLElement {
    return element(panel, `[data-retrain-model="${key}"] ${selector}`);
  }

  async function retrain(label: number): Promise<void> {
    const pixels = hooks.current();
    if (busy) return;
    if (!pixels) {
      status.textContent = 'Draw, upload or pick a digit first, then say which digit it is.';
      return;
    }
    busy = true;
    digitButtons.forEach((b) => (b.disabled = true));
    resetButton.disabled = true;
    const original = panel.querySelector<HTMLInputElement>('input[value="original"]')?.checked ?? false;
    const method = original ? ORIGINAL_METHOD : REPLAY_METHOD;
    try {
      status.textContent = 'Loading the fine-tuning digits…';
      const [classifier, { replay, test }] = await Promise.all([hooks.load(), loadSets()]);
      published ??= classifier.accuracy(test);
      const before = classifier.accuracy(test);
      progress.hidden = false;
      progress.max = method.steps * before.size;
      progress.value = 0;
      const keys = [...before.keys()];
      const times = await classifier.fineTune(normalise(pixels), label, replay, method, (key, done) => {
        progress.value = keys.indexOf(key) * method.steps + done;
        status.textContent = `Fine-tuning ${hooks.labelOf(key)}: step ${done} of ${method.steps} on ${classifier.backend}…`;
      });
      const after = classifier.accuracy(test);
      const answers = await hooks.refresh();
      for (const key of keys) {
        const answer = answers[key]!;
        row(key, '[data-answer]').textContent = `${answer.digit} (${percent(answer.confidence)})`;
        row(key, '[data-accuracy]').textContent =
          `${percent(before.get(key)!)} → ${percent(after.get(key)!)}`;
        row(key, '[data-time]').textContent = `${Math.round(times.get(key)!)} ms`;
        panel
          .querySelector(`[data-retrain-model="${key}"]`)!
          .setAttribute('data-accuracy-after', String(after.get(key)));
      }
      status.textContent = `Fine-tuned ${original ? 'as the original app (one Adam step on the image alone)' : `with ${method.steps} Adam steps on your example and ${method.steps * method.replayPerStep} training digits`} to read it as ${label}, on ${classifier.backend}. Published models: ${keys.map((k) => `${hooks.labelOf(k)} ${percent(published!.get(k)!)}`).join(', ')} on the test digits.`;
      panel.dataset.state = 'retrained';
    } catch (error) {
      status.textContent = `Fine-tuning failed: ${(error as Error).message}`;
      panel.dataset.state = 'failed';
    } finally {
      progress.hidden = true;
      busy = false;
      digitButtons.forEach((b) => (b.disabled = false));
      resetButton.disabled = false;
    }
  }

  for (const button of digitButtons) {
    button.addEventListener('click', () => void retrain(Number(button.dataset.trueDigit)));
  }
  resetButton.addEventListener('click', () => {
    void (async () => {
      const classifier = await hooks.load();
      classifier.reset();
      await hooks.refresh();
      for (const cell of panel.querySelectorAll('[data-answer], [data-accuracy], [data-time]'))
        cell.textContent = '–';
      status.textContent = 'Back to the published models.';
      panel.dataset.state = 'reset';
    })();
  });
}
