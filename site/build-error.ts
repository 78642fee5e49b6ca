/**
 * A failed build told in one line that names the file and line, whatever raised it: the site's
 * own errors (ContentError, ClaimError, ResultsError) already read so; Eleventy's wrappers around
 * a YAML or Liquid error are unwrapped and their line made a line of the file, e.g.
 * `content/posts/x.md:9: tag "metrik" not found` (Liquid counts lines from the end of the front matter).
 */
import { readFileSync } from 'node:fs';
import { ResultsError } from '../experiments/lib/contract/errors.ts';
import { ClaimError, ContentError } from './errors.ts';
import { splitFrontMatter } from './frontmatter.ts';
import { contentPath } from './page.ts';

/** An error the site raises about its input, whose message names the file (and line): one line says it all. */
export function isSiteError(error: unknown): error is ContentError | ClaimError | ResultsError {
  return error instanceof ContentError || error instanceof ClaimError || error instanceof ResultsError;
}

/** The chain of an error and its causes (Eleventy keeps them as `originalError`, the site as `cause`). */
export function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && !chain.includes(current)) {
    chain.push(current);
    if (!(current instanceof Error)) break;
    current = (current as Error & { originalError?: unknown }).originalError ?? current.cause;
  }
  return chain;
}

/** The site's own error inside Eleventy's wrappers, or the error itself. */
export function rootCause(error: unknown): unknown {
  return errorChain(error).find(isSiteError) ?? error;
}

/** The line the body starts on in a content file (1 when it cannot be read or has no front matter). */
function bodyLine(file: string): number {
  try {
    return splitFrontMatter(readFileSync(file, 'utf8'))?.bodyLine ?? 1;
  } catch {
    return 1;
  }
}

const LIQUID_POSITION = /^([\s\S]*?), file:(.+?), line:(\d+), col:\d+/;
const TEMPLATE_IN_MESSAGE = /template (\.?\/?\S+)/;

/** One line for any build failure, naming the file and line where they are known. */
export function describeBuildError(error: unknown): string {
  const chain = errorChain(error);
  const site = chain.find(isSiteError);
  if (site !== undefined) return site.message;
  const messages = chain.map((e) => (e instanceof Error ? e.message : String(e)));
  const template = messages.map((m) => TEMPLATE_IN_MESSAGE.exec(m)?.[1]).find((t) => t !== undefined);
  for (const link of chain) {
    const mark = (link as { mark?: { line?: number } }).mark;
    const reason = (link as { reason?: unknown }).reason;
    if (template !== undefined && typeof mark?.line === 'number' && typeof reason === 'string') {
      // Eleventy parses the front matter from the end of the opening `---`: its line 0 is the file's line 1.
      return `${contentPath(template)}:${mark.line + 1}: front matter is not valid YAML: ${reason}`;
    }
  }
  for (const message of messages) {
    const liquid = LIQUID_POSITION.exec(message);
    if (liquid !== null) {
      const file = liquid[2]!;
      const line = bodyLine(file) + Number(liquid[3]) - 1;
      return `${contentPath(file)}:${line}: ${liquid[1]!.split('\n')[0]}`;
    }
  }
  const deepest = messages.at(-1)?.split('\n')[0] ?? 'unknown error';
  return template === undefined || deepest.includes(contentPath(template))
    ? deepest
    : `${contentPath(template)}: ${deepest}`;
}

/** Every stack of the chain, for `--debug`. */
export function describeBuildErrorInFull(error: unknown): string {
  return errorChain(error)
    .map(
      (e, i) => `${i === 0 ? '' : 'caused by: '}${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
    )
    .join('\n');
}
