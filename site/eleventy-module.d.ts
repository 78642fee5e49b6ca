/**
 * Declarations for the parts of `@11ty/eleventy` 3 that site/build.ts uses; the package ships
 * JavaScript without type declarations.
 */
declare module '@11ty/eleventy' {
  import type { EleventyConfig } from './eleventy.ts';

  export default class Eleventy {
    constructor(
      input?: string,
      output?: string,
      options?: {
        configPath?: string;
        quietMode?: boolean;
        source?: 'cli' | 'script';
        config?: (eleventyConfig: EleventyConfig) => void | Promise<void>;
      },
    );
    /** Eleventy's console logger; `overrideLogger` replaces the console it writes to. */
    readonly logger: {
      overrideLogger(
        logger: Record<'log' | 'info' | 'warn' | 'error', (message: string) => void> | false,
      ): void;
    };
    write(): Promise<unknown>;
    /** Resets the per-build state before another `init()` and `write()` on the same instance (as watch mode does). */
    restart(): Promise<void>;
    init(): Promise<void>;
    /** The next `write()` renders only this template and what depends on it (path relative to the working directory). */
    setIncrementalFile(file: string): void;
  }
}
