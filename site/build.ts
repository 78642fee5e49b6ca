/**
 * Builds the site programmatically (used by `npm run build:site` and the tests). Runs inside a tsx
 * process so Eleventy can import the TypeScript plugins under site/.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Eleventy from '@11ty/eleventy';
import { ResultsError } from '../experiments/lib/contract/errors.ts';
import { ClaimError, ContentError } from './errors.ts';
import type { EleventyConfig } from './eleventy.ts';
import { setBuildOptions } from './options.ts';

export interface BuildSiteOptions {
  /** Results folder; default experiments/results. Paths are relative to the working directory. */
  resultsDir?: string;
  /** Content folder (posts and pages); default content. */
  contentDir?: string;
  /** Output folder; default _site. */
  outputDir?: string;
  /** Suppress Eleventy's per-file log. */
  quiet?: boolean;
}

const CONFIG_FILE = fileURLToPath(new URL('../eleventy.config.js', import.meta.url));

/** An error the site raises about its input, whose message names the file (and line): one line says it all. */
export function isSiteError(error: unknown): error is ContentError | ClaimError | ResultsError {
  return error instanceof ContentError || error instanceof ClaimError || error instanceof ResultsError;
}

/** The site's own error inside Eleventy's wrappers (they keep it as `originalError` or `cause`). */
export function rootCause(error: unknown): unknown {
  let current: unknown = error;
  const seen = new Set<unknown>();
  while (current instanceof Error && !seen.has(current)) {
    if (isSiteError(current)) return current;
    seen.add(current);
    const next: unknown =
      (current as Error & { originalError?: unknown }).originalError ?? (current as Error).cause;
    if (next === undefined) break;
    current = next;
  }
  return error;
}

/**
 * The content folder as Eleventy needs it: relative to the working directory. Given an absolute
 * path, Eleventy 3 compares relative template folders with the absolute input folder and silently
 * skips folder data files such as posts/posts.11tydata.js (11ty/eleventy#1100), so posts lose their
 * layout and permalinks. A relative path (`../../tmp/x` if need be) works from anywhere.
 */
export function eleventyInputDir(contentDir: string): string {
  return path.relative(process.cwd(), path.resolve(contentDir)) || '.';
}

function createEleventy(options: BuildSiteOptions): Eleventy {
  return new Eleventy(eleventyInputDir(options.contentDir ?? 'content'), options.outputDir ?? '_site', {
    configPath: path.relative(process.cwd(), CONFIG_FILE),
    quietMode: options.quiet ?? false,
    // Eleventy lets the config file's `dir` override constructor folders unless the run counts as a
    // command-line run, whose folders are frozen (ProjectDirectories.freeze in @11ty/eleventy 3).
    source: 'cli',
    config: (eleventyConfig: EleventyConfig) => {
      setBuildOptions(eleventyConfig, { resultsDir: options.resultsDir });
      // The input folder is given explicitly; .gitignore must not hide it (tests build from tests/artifacts/).
      eleventyConfig.setUseGitIgnore(false);
    },
  });
}

/**
 * Eleventy's console output with its error reports held back: Eleventy prints every failure with
 * its wrappers and stack, while a site error is better told in its own one line by the caller.
 */
function holdErrors(eleventy: Eleventy): string[] {
  const held: string[] = [];
  eleventy.logger.overrideLogger({
    log: (message: string) => console.log(message),
    info: (message: string) => console.info(message),
    warn: (message: string) => console.warn(message),
    error: (message: string) => held.push(message),
  });
  return held;
}

/**
 * Builds the site once; rejects with the site's own error (ContentError, ClaimError, ResultsError)
 * when it has one. Any other failure is rejected as Eleventy reports it, after its report is printed.
 */
export async function buildSite(options: BuildSiteOptions = {}): Promise<void> {
  const eleventy = createEleventy(options);
  const heldErrors = holdErrors(eleventy);
  const exitCode = process.exitCode;
  try {
    await eleventy.write();
  } catch (error) {
    // Eleventy's error handler sets process.exitCode = 1; the caller decides how to fail.
    process.exitCode = exitCode;
    const cause = rootCause(error);
    if (!isSiteError(cause)) for (const message of heldErrors) console.error(message);
    throw cause;
  }
}

/** Builds, then serves the output on `port` with live reload, rebuilding when content, site or results change. */
export async function serveSite(options: BuildSiteOptions & { port?: number } = {}): Promise<void> {
  const eleventy = createEleventy(options);
  await eleventy.watch();
  await eleventy.serve(options.port ?? 8080);
}
