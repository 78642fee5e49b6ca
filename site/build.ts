/**
 * Builds the site programmatically (used by `npm run build:site` and the tests). Runs inside a tsx
 * process so Eleventy can import the TypeScript plugins under site/.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Eleventy from '@11ty/eleventy';
import { isSiteError, rootCause } from './build-error.ts';
import { removeStamp } from './build-stamp.ts';
import type { EleventyConfig } from './eleventy.ts';
import { setBuildOptions } from './options.ts';

export interface BuildSiteOptions {
  /** Results folder; default experiments/results. Paths are relative to the working directory. */
  resultsDir?: string;
  /** Reference folder holding pytorch.json; default experiments/reference. A missing one shows no verdicts. */
  referenceDir?: string;
  /** Content folder (posts and pages); default content. */
  contentDir?: string;
  /** Output folder; default _site. */
  outputDir?: string;
  /** Suppress Eleventy's per-file log. */
  quiet?: boolean;
  /** Print nothing at all, not even Eleventy's summary or its report of a failure (the caller reports). */
  silent?: boolean;
}

export { isSiteError, rootCause };

const CONFIG_FILE = fileURLToPath(new URL('../eleventy.config.js', import.meta.url));

/**
 * The content folder as Eleventy needs it: relative to the working directory. Given an absolute
 * path, Eleventy 3 compares relative template folders with the absolute input folder and silently
 * skips folder data files such as posts/posts.11tydata.js (11ty/eleventy#1100), so posts lose their
 * layout and permalinks. A relative path (`../../tmp/x` if need be) works from anywhere.
 */
export function eleventyInputDir(contentDir: string): string {
  return path.relative(process.cwd(), path.resolve(contentDir)) || '.';
}

/** An Eleventy instance for the site, its console output as `options` ask and without its error reports. */
export function createSiteEleventy(options: BuildSiteOptions): Eleventy {
  const outputDir = options.outputDir ?? '_site';
  const eleventy = new Eleventy(eleventyInputDir(options.contentDir ?? 'content'), outputDir, {
    configPath: path.relative(process.cwd(), CONFIG_FILE),
    quietMode: (options.quiet ?? false) || (options.silent ?? false),
    // Eleventy lets the config file's `dir` override constructor folders unless the run counts as a
    // command-line run, whose folders are frozen (ProjectDirectories.freeze in @11ty/eleventy 3).
    source: 'cli',
    config: (eleventyConfig: EleventyConfig) => {
      setBuildOptions(eleventyConfig, {
        resultsDir: options.resultsDir,
        referenceDir: options.referenceDir,
      });
      // The input folder is given explicitly; .gitignore must not hide it (tests build from tests/artifacts/).
      eleventyConfig.setUseGitIgnore(false);
    },
  });
  withoutErrorReports(eleventy, options.silent ?? false);
  outputDirs.set(eleventy, outputDir);
  return eleventy;
}

/** Each instance's output folder, whose up-to-date stamp (./build-stamp.ts) a build removes first. */
const outputDirs = new WeakMap<Eleventy, string>();

/**
 * Eleventy's console output without its error reports: Eleventy prints every failure with its
 * wrappers and stack, while the caller tells it in one line (build-error.ts), the stack with --debug.
 */
function withoutErrorReports(eleventy: Eleventy, silent: boolean): void {
  const print = (write: (message: string) => void) => (message: string) => {
    if (!silent) write(message);
  };
  eleventy.logger.overrideLogger({
    log: print(console.log),
    info: print(console.info),
    warn: print(console.warn),
    error: () => {},
  });
}

/**
 * Builds the site once; rejects with the site's own error (ContentError, ClaimError, ResultsError)
 * when it has one, else with Eleventy's (describeBuildError in build-error.ts tells either in one line).
 */
export async function buildSite(options: BuildSiteOptions = {}): Promise<void> {
  await writeSite(createSiteEleventy(options));
}

/** Runs one build of `eleventy`, rejecting as buildSite does. */
export async function writeSite(eleventy: Eleventy): Promise<void> {
  const exitCode = process.exitCode;
  // Whatever builds the site (npm run build, build:site, the dev server) leaves no stamp behind: only
  // npm run build writes one, after its own build, so a stamp never vouches for another build's output.
  const outputDir = outputDirs.get(eleventy);
  if (outputDir !== undefined) await removeStamp(outputDir);
  try {
    await eleventy.write();
  } catch (error) {
    // Eleventy's error handler sets process.exitCode = 1; the caller decides how to fail.
    process.exitCode = exitCode;
    throw rootCause(error);
  }
}
