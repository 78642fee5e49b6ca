/**
 * The slice of Eleventy 3's configuration API the site's plugins use, typed here because the
 * package ships JavaScript without declarations (`@11ty/eleventy/UserConfig` points at a .js file).
 */
import type MarkdownIt from 'markdown-it';

// Shortcodes are called with Eleventy's `this` (see page.ts) and the arguments written in the post.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Callable = (this: any, ...args: any[]) => unknown;

export interface EleventyConfig {
  addPlugin(plugin: unknown, options?: unknown): void;
  addShortcode(name: string, shortcode: Callable): void;
  addPairedShortcode(name: string, shortcode: Callable): void;
  addFilter(name: string, filter: Callable): void;
  addGlobalData(name: string, data: unknown): void;
  addCollection(name: string, collection: Callable): void;
  addPreprocessor(name: string, extensions: string, callback: Callable): void;
  /** A template that is not a file (Eleventy 3), e.g. the feed; `virtualPath` is relative to the input folder. */
  addTemplate(virtualPath: string, content: string, data?: Record<string, unknown>): void;
  addPassthroughCopy(paths: string | Record<string, string>): void;
  addWatchTarget(target: string): void;
  amendLibrary(name: 'md', amend: (library: MarkdownIt) => unknown): void;
  on(event: string, callback: Callable): void;
  setUseGitIgnore(enabled: boolean): void;
  setServerOptions(options: Record<string, unknown>): void;
  /** The project's input and output folders (set before the config file runs). */
  directories: { input: string; output: string; includes: string };
}

/** An Eleventy plugin: a function that registers things on the configuration. */
export type EleventyPlugin<Options = undefined> = (eleventyConfig: EleventyConfig, options?: Options) => void;
