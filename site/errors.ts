/**
 * The site build's error classes. Each names the content file (relative to the working directory,
 * e.g. `content/posts/mlp-vs-lenet.md`) and, where it has one, the line, so the command line can
 * print one line a reader can jump to.
 */

/** Bad content: an unknown experiment, run, metric or shortcode, or invalid front matter. */
export class ContentError extends Error {
  constructor(
    readonly file: string,
    /** 1-based line in the file, or null when the problem is not tied to one line. */
    readonly line: number | null,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${file}${line === null ? '' : `:${line}`}: ${reason}`, options);
    this.name = 'ContentError';
  }
}

/** A front matter claim that is false or cannot be evaluated. `actual` lists the values it used. */
export class ClaimError extends Error {
  constructor(
    readonly post: string,
    readonly claim: string,
    readonly actual: string,
    /** 1-based line of the claim in the post, or null when not known. */
    readonly line: number | null = null,
    options?: ErrorOptions,
  ) {
    super(`${post}${line === null ? '' : `:${line}`}: claim '${claim}' ${actual}`, options);
    this.name = 'ClaimError';
  }
}
