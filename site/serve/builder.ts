/**
 * The rebuilding half of `npm run serve`, run in a child process (builder-process.ts): builds the
 * site, then rebuilds whenever a post, page, layout, asset or results file changes, and reports
 * each outcome to its parent. The process stays warm (site modules, the chart renderer and its cache
 * stay loaded). An edit to one markdown file re-renders that page and the pages that list it, on the
 * Eleventy instance of the last build (Eleventy's incremental mode, as its own watch mode uses it);
 * any other change, and the build after a failure, is a full build on a fresh instance.
 *
 * Code (.ts/.js: site modules, the Eleventy config, folder data files) is not watched here: a module
 * already imported cannot be imported anew, so the parent restarts this process instead (serve.ts).
 */
import path from 'node:path';
import { watch } from 'chokidar';
import { describeBuildError, describeBuildErrorInFull } from '../build-error.ts';
import type Eleventy from '@11ty/eleventy';
import { createSiteEleventy, writeSite } from '../build.ts';

/** What the builder tells its parent. `ms` is the build's wall time; `changed` the files that caused it. */
export type BuilderMessage =
  | { type: 'built'; ms: number; changed: string[] }
  | { type: 'failed'; ms: number; changed: string[]; message: string; detail: string };

export interface BuilderOptions {
  contentDir: string;
  resultsDir: string;
  referenceDir: string;
  outputDir: string;
}

/** Layouts and assets, relative to the repository root (the working directory). */
export const SITE_INPUT_DIRS = ['site/_includes', 'site/assets'];

/**
 * Eleventy keeps what it read and compiled of each file in module-level caches that outlive one
 * Eleventy instance, emptied when its global event bus announces `eleventy.resourceModified` (as its
 * own watch mode does). The bus is not exported, so it is imported by its path beside Eleventy.js
 * (@11ty/eleventy 3.1); serve.test.ts fails if an update moves it.
 */
async function forgetCachedFiles(files: readonly string[]): Promise<void> {
  const url = new URL('./EventBus.js', import.meta.resolve('@11ty/eleventy'));
  const { default: eventBus } = (await import(url.href)) as {
    default: { emit(event: string, ...args: unknown[]): unknown };
  };
  for (const file of files) {
    await eventBus.emit('eleventy.resourceModified', path.relative(process.cwd(), file), [], {});
  }
}

/** A module file: its change needs a fresh process. */
export function isCodeFile(file: string): boolean {
  return /\.[cm]?[jt]s$/.test(file);
}

/** Builds now and after every change; resolves once watching, with a function that stops it. */
export async function runBuilder(
  options: BuilderOptions,
  report: (message: BuilderMessage) => void,
): Promise<() => Promise<void>> {
  let pending: Map<string, string> | null = new Map();
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  /** The instance of the last build, when it succeeded. */
  let warm: Eleventy | null = null;

  /** One build for the changed files (file → chokidar event). */
  async function buildFor(events: Map<string, string>): Promise<void> {
    const [only] = events.keys();
    const incremental =
      warm !== null &&
      events.size === 1 &&
      events.get(only!) === 'change' &&
      only!.endsWith('.md') &&
      !path.relative(options.contentDir, only!).startsWith('..');
    await forgetCachedFiles([...events.keys()]);
    if (incremental) {
      const eleventy = warm!;
      warm = null;
      await eleventy.restart();
      await eleventy.init();
      eleventy.setIncrementalFile(path.relative(process.cwd(), only!));
      await writeSite(eleventy);
      warm = eleventy;
    } else {
      warm = null;
      const eleventy = createSiteEleventy({ ...options, silent: true });
      await writeSite(eleventy);
      warm = eleventy;
    }
  }

  async function build(): Promise<void> {
    if (running || pending === null) return;
    running = true;
    const events = pending;
    const changed = [...events.keys()];
    pending = null;
    const start = performance.now();
    try {
      await buildFor(events);
      report({ type: 'built', ms: Math.round(performance.now() - start), changed });
    } catch (error) {
      const ms = Math.round(performance.now() - start);
      report({
        type: 'failed',
        ms,
        changed,
        message: describeBuildError(error),
        detail: describeBuildErrorInFull(error),
      });
    }
    running = false;
    if (pending !== null) void build();
  }

  const watcher = watch([options.contentDir, options.resultsDir, options.referenceDir, ...SITE_INPUT_DIRS], {
    ignoreInitial: true,
    ignored: (file) => isCodeFile(file),
  });
  const onEvent = (event: string, file: string) => {
    pending ??= new Map();
    const previous = pending.get(file);
    // A file both added and changed, or removed and added again, takes the full build an added file gets.
    pending.set(file, previous === undefined || previous === event ? event : 'add');
    clearTimeout(timer);
    // Editors write a file in more than one step; one build takes them all.
    timer = setTimeout(() => void build(), 15);
  };
  watcher.on('all', (event, file) => {
    if (event === 'change' || event === 'add' || event === 'unlink') onEvent(event, file);
  });
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  await build();
  return async () => {
    clearTimeout(timer);
    await watcher.close();
  };
}
