/**
 * What a shortcode needs to know about the page it renders on: the content file, the page's
 * experiment (front matter `experiment`), the global results and the PyTorch reference. Shared by
 * the site's and the charts' shortcodes.
 */
import type { Results } from '../experiments/lib/contract/results.ts';
import { ContentError } from './errors.ts';
import type { Reference } from './reference.ts';
import { requireVerdict, type Verdict } from './reproduction.ts';
import { getExperiment, type ResultsData, type Where } from './results.ts';

/** The `this` of an Eleventy shortcode rendered by Liquid: `ctx` is the Liquid context. */
export interface ShortcodeThis {
  page?: { inputPath?: string };
  ctx?: { getSync(paths: PropertyKey[]): unknown };
}

/** A content path as messages show it: relative, without Eleventy's leading `./`. e.g. `content/posts/x.md` */
export function contentPath(inputPath: string): string {
  return inputPath.replace(/^\.\//, '');
}

/** The page's data value `key` (front matter, folder data or global data). */
export function pageValue(self: ShortcodeThis, key: string): unknown {
  return self.ctx?.getSync([key]);
}

/** Where the shortcode runs (its line is not known at render time; the pre-pass reports lines). */
export function pageWhere(self: ShortcodeThis): Where {
  return { file: contentPath(self.page?.inputPath ?? '(unknown page)'), line: null };
}

/** The global results (experiment id → Results). */
export function pageResults(self: ShortcodeThis): ResultsData {
  return (pageValue(self, 'results') ?? {}) as ResultsData;
}

/** The global PyTorch reference (reference.ts), or null when the build has none. */
export function pageReference(self: ShortcodeThis): Reference | null {
  return (pageValue(self, 'reference') ?? null) as Reference | null;
}

/** The reproduction verdict of `model` as this page shows it, or a ContentError saying what is missing. */
export function pageVerdict(self: ShortcodeThis, model: string): Verdict {
  const id = pageValue(self, 'experiment');
  return requireVerdict(
    pageResults(self),
    pageReference(self),
    model,
    typeof id === 'string' ? id : null,
    pageWhere(self),
  );
}

/** The results of the page's experiment (front matter `experiment`), or a ContentError. */
export function pageExperiment(self: ShortcodeThis): Results {
  const where = pageWhere(self);
  const id = pageValue(self, 'experiment');
  if (typeof id !== 'string') {
    throw new ContentError(where.file, null, 'this shortcode needs `experiment: <id>` in the front matter');
  }
  return getExperiment(pageResults(self), id, where);
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
