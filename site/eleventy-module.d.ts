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
    watch(): Promise<unknown>;
    serve(port?: number): Promise<void>;
  }
}
