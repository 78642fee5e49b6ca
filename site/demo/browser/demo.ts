/**
 * The "draw a digit" demo in the reader's browser. Enhances every `[data-digit-demo]` section that
 * the `{% digitDemo %}` shortcode rendered (see ../plugin.ts): drawing with mouse, pen or touch
 * (Pointer Events), photo upload, real MNIST test digits to click. TensorFlow.js and the models are
 * loaded only when the demo scrolls into view or the reader first uses it, so the article stays fast.
 *
 * A reader can correct a wrong answer and fine-tune both models in the browser (./correct.ts).
 *
 * For tests, `window.digitDemo.classifyPixels(pixels)` feeds 784 raw MNIST pixels through the same
 * path as clicking a test digit and resolves to the predicted digit per run key.
 */
import type { Classifier } from './classifier.ts';
import { MNIST_SIZE, decodePixels, inkFromRgba, normalise, toMnist } from '../preprocess.ts';

/**
 * The fine-tuning digits file (`assets/demo/data/<experiment>.json`, written by ../finetune-data.ts):
 * 784 raw bytes per digit, base64, labels in the same order.
 */
export interface FineTuneData {
  replay: { labels: number[]; pixelsBase64: string };
  /** The parity check's test digits; `indices` are MNIST test-set indices. */
  test: { indices: number[]; labels: number[]; pixelsBase64: string };
}

/** The JSON the shortcode embeds in `script[data-digit-demo-data]`. */
export interface DemoData {
  /** The fine-tuning digits file relative to the bundle, e.g. `data/mlp-vs-lenet.json`; null: no fine-tuning. */
  fineTuneData: string | null;
  /** e.g. [{ key: 'lenet5', label: 'LeNet-5', path: 'mlp-vs-lenet/models/lenet5' }] */
  models: Array<{ key: string; label: string; path: string }>;
  /** Real MNIST test digits; `wrong` lists the models that misclassify it in the results. */
  digits: Array<{
    index: number;
    label: number;
    pixelsBase64: string;
    wrong: Array<{ label: string; predicted: number }>;
  }>;
}

/** Folder this bundle is served from, e.g. https://example.org/assets/demo/ */
const BASE_URL = new URL('./', import.meta.url);
/** Uploads are scaled down to at most this many pixels on their longer side before preprocessing. */
const UPLOAD_MAX_SIDE = 560;
const LATENCY_DELAY_MS = 300;
const STROKE_WIDTH = 20;

declare global {
  interface Window {
    digitDemo?: {
      classifyPixels(pixels: ArrayLike<number>): Promise<Record<string, number>>;
      /** Softmax probabilities per run key for the image shown now (for tests: Reset must restore them exactly). */
      probabilities(): Promise<Record<string, number[]>>;
    };
  }
}

function element<T extends Element>(root: ParentNode, selector: string): T {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`digit demo: missing ${selector}`);
  return found;
}

function drawPixels(canvas: HTMLCanvasElement, pixels: ArrayLike<number>): void {
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(MNIST_SIZE, MNIST_SIZE);
  for (let i = 0; i < MNIST_SIZE * MNIST_SIZE; i++) {
    const v = pixels[i]!;
    image.data.set([v, v, v, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
}

function formatUs(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${Math.round(us)} µs`;
}

function setUp(root: HTMLElement): Window['digitDemo'] {
  const data = JSON.parse(element(root, 'script[data-digit-demo-data]').textContent!) as DemoData;
  const canvas = element<HTMLCanvasElement>(root, '[data-canvas]');
  const seen = element<HTMLCanvasElement>(root, '[data-seen]');
  const status = element<HTMLElement>(root, '[data-status]');
  const upload = element<HTMLInputElement>(root, '[data-upload]');
  const uploadError = element<HTMLElement>(root, '[data-upload-error]');
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  root.querySelector<HTMLElement>('[data-body]')!.hidden = false;

  function clearCanvas(): void {
    context.fillStyle = '#000';
    context.fillRect(0, 0, canvas.width, canvas.height);
  }
  clearCanvas();

  /** The raw pixels the models were last shown (null: nothing), for the correction panel. */
  let current: Uint8ClampedArray | null = null;

  let classifier: Promise<Classifier> | null = null;
  function load(): Promise<Classifier> {
    classifier ??= (async () => {
      status.textContent = 'Loading TensorFlow.js and the trained models…';
      const { loadClassifier } = await import('./classifier.ts');
      const sources = data.models.map((m) => ({
        key: m.key,
        url: new URL(`models/${m.path}/model.json`, BASE_URL).href,
      }));
      const loaded = await loadClassifier(sources, new URL('wasm/', BASE_URL).href);
      root.dataset.backend = loaded.backend;
      status.textContent = `Running in your browser with TensorFlow.js on the ${loaded.backend} backend; measuring each backend's latency…`;
      // Measured after the first prediction is on screen: timing keeps the page busy for a moment.
      setTimeout(() => void measure(loaded), LATENCY_DELAY_MS);
      return loaded;
    })();
    classifier.catch((error: unknown) => {
      status.textContent = `The models could not be loaded: ${(error as Error).message}`;
    });
    return classifier;
  }

  async function measure(loaded: Classifier): Promise<void> {
    const byBackend = await loaded.measureLatency();
    root.dataset.backend = loaded.backend;
    root.dataset.latency = JSON.stringify(byBackend);
    for (const model of data.models) {
      const others = Object.keys(byBackend)
        .filter((name) => name !== loaded.backend)
        .map((name) => `${name} ${formatUs(byBackend[name]![model.key]!)}`);
      element(root, `[data-model="${model.key}"] [data-latency]`).textContent =
        `${formatUs(byBackend[loaded.backend]![model.key]!)} (${loaded.backend}, the fastest here${others.length > 0 ? `; ${others.join(', ')}` : ''})`;
    }
    status.textContent = `Running in your browser with TensorFlow.js on the ${loaded.backend} backend, the fastest of ${Object.keys(byBackend).join(' and ')} here.`;
  }

  /** Classifies 784 raw pixels, shows them and the predictions; resolves to digit and confidence per run key. */
  async function display(
    pixels: Uint8ClampedArray | null,
  ): Promise<Record<string, { digit: number; confidence: number }>> {
    current = pixels;
    drawPixels(seen, pixels ?? new Uint8ClampedArray(MNIST_SIZE * MNIST_SIZE));
    const predictions: Record<string, { digit: number; confidence: number }> = {};
    const loaded = await load();
    const probabilities = pixels ? loaded.classify(normalise(pixels)) : null;
    for (const model of data.models) {
      const card = element(root, `[data-model="${model.key}"]`);
      const p = probabilities?.get(model.key);
      const best = p ? p.indexOf(Math.max(...p)) : -1;
      predictions[model.key] = { digit: best, confidence: p?.[best] ?? 0 };
      element(card, '[data-guess]').textContent = p ? String(best) : '–';
      card.querySelectorAll<HTMLElement>('[data-digit]').forEach((bar) => {
        const value = p?.[Number(bar.dataset.digit)] ?? 0;
        bar.style.setProperty('--p', String(value));
        bar.classList.toggle('is-best', Number(bar.dataset.digit) === best);
        element(bar, '[data-value]').textContent = `${(value * 100).toFixed(1)}%`;
      });
    }
    root.dataset.shown = String(Number(root.dataset.shown ?? 0) + 1);
    return predictions;
  }
  const show = async (pixels: Uint8ClampedArray | null) =>
    Object.fromEntries(Object.entries(await display(pixels)).map(([key, p]) => [key, p.digit]));

  if (data.fineTuneData !== null) {
    const dataUrl = new URL(data.fineTuneData, BASE_URL).href;
    void import('./correct.ts').then(({ setUpCorrection }) =>
      setUpCorrection(root, dataUrl, {
        labelOf: (key) => data.models.find((m) => m.key === key)?.label ?? key,
        load,
        current: () => current,
        refresh: () => display(current),
      }),
    );
  }

  let pending = false;
  function classifyDrawing(): void {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
      void show(toMnist(inkFromRgba(rgba, canvas.width, canvas.height)));
    });
  }

  let drawing = false;
  let last: { x: number; y: number } | null = null;
  function point(event: PointerEvent): { x: number; y: number } {
    const rect = canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left) * canvas.width) / rect.width,
      y: ((event.clientY - rect.top) * canvas.height) / rect.height,
    };
  }
  function strokeTo(next: { x: number; y: number }): void {
    context.strokeStyle = '#fff';
    context.lineWidth = STROKE_WIDTH;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    context.moveTo((last ?? next).x, (last ?? next).y);
    context.lineTo(next.x, next.y);
    context.stroke();
    last = next;
  }
  canvas.addEventListener('pointerdown', (event) => {
    if (root.dataset.source === 'upload') clearCanvas();
    root.dataset.source = 'drawing';
    drawing = true;
    last = null;
    canvas.setPointerCapture(event.pointerId);
    strokeTo(point(event));
    classifyDrawing();
    event.preventDefault();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    const events = event.getCoalescedEvents?.() ?? [event];
    for (const e of events.length > 0 ? events : [event]) strokeTo(point(e));
    classifyDrawing();
  });
  const endStroke = () => {
    drawing = false;
    last = null;
  };
  canvas.addEventListener('pointerup', endStroke);
  canvas.addEventListener('pointercancel', endStroke);

  element(root, '[data-clear]').addEventListener('click', () => {
    clearCanvas();
    upload.value = '';
    uploadError.hidden = true;
    void show(null);
  });

  function uploadFailed(message: string): void {
    uploadError.textContent = message;
    uploadError.hidden = false;
    clearCanvas();
    void show(null);
  }

  upload.addEventListener('change', () => {
    const file = upload.files?.[0];
    if (!file) return;
    uploadError.hidden = true;
    void (async () => {
      if (file.size === 0)
        return uploadFailed(`${file.name} is empty: choose a photo (PNG, JPEG, WebP or GIF).`);
      let bitmap: ImageBitmap;
      try {
        bitmap = await createImageBitmap(file);
      } catch {
        // Thrown for a file that is not an image, or a truncated or damaged one.
        return uploadFailed(
          `${file.name} could not be read as an image: choose a photo (PNG, JPEG, WebP or GIF).`,
        );
      }
      const scale = Math.min(1, UPLOAD_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      const width = Math.max(1, Math.round(bitmap.width * scale));
      const height = Math.max(1, Math.round(bitmap.height * scale));
      const work = document.createElement('canvas');
      work.width = width;
      work.height = height;
      const workContext = work.getContext('2d', { willReadFrequently: true })!;
      workContext.drawImage(bitmap, 0, 0, width, height);
      bitmap.close();
      clearCanvas();
      const fit = Math.min(canvas.width / width, canvas.height / height);
      context.drawImage(
        work,
        (canvas.width - width * fit) / 2,
        (canvas.height - height * fit) / 2,
        width * fit,
        height * fit,
      );
      root.dataset.source = 'upload';
      const pixels = toMnist(inkFromRgba(workContext.getImageData(0, 0, width, height).data, width, height));
      if (!pixels)
        uploadFailed(
          `No digit found in ${file.name}: a dark digit on light paper, filling much of the photo, works best.`,
        );
      else await show(pixels);
    })();
  });

  const digits = new Map(data.digits.map((d) => [d.index, decodePixels(d.pixelsBase64)]));
  root.querySelectorAll<HTMLButtonElement>('[data-test-digit]').forEach((button) => {
    const pixels = digits.get(Number(button.dataset.testDigit));
    if (!pixels) return;
    button.addEventListener('click', () => {
      clearCanvas();
      root.dataset.source = 'test-digit';
      void show(pixels);
    });
  });

  if ('IntersectionObserver' in window) {
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        observer.disconnect();
        void load();
      }
    });
    observer.observe(root);
  }
  root.addEventListener('pointerdown', () => void load(), { once: true });

  return {
    classifyPixels: (pixels) => show(Uint8ClampedArray.from(pixels)),
    probabilities: async () => {
      const loaded = await load();
      return current ? Object.fromEntries(loaded.classify(normalise(current))) : {};
    },
  };
}

const demos = Array.from(document.querySelectorAll<HTMLElement>('[data-digit-demo]')).map(setUp);
window.digitDemo = demos[0];
