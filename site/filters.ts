/** Filters and collections for layouts: dates, and the list of tags with their posts. */
import type { EleventyConfig } from './eleventy.ts';
import { formatDate } from './format.ts';

/** Tags that group pages rather than describe a topic; they get no tag page. */
export const STRUCTURAL_TAGS = ['all', 'posts'];

interface CollectionItem {
  data: { tags?: unknown };
}

export default function filters(eleventyConfig: EleventyConfig): void {
  /** e.g. 2025-02-06 → "6 February 2025" */
  eleventyConfig.addFilter('readableDate', (date: Date) => formatDate(date));
  /** e.g. 2025-02-06 → "2025-02-06", for `datetime` attributes. */
  eleventyConfig.addFilter('isoDate', (date: Date) => date.toISOString().slice(0, 10));
  /** The descriptive tags of a page, e.g. ["posts", "lenet"] → ["lenet"]. */
  eleventyConfig.addFilter('topicTags', (tags: unknown) =>
    Array.isArray(tags) ? tags.filter((tag: string) => !STRUCTURAL_TAGS.includes(tag)) : [],
  );
  eleventyConfig.addCollection('topicTags', (collectionApi: { getAll(): CollectionItem[] }) => {
    const tags = new Set<string>();
    for (const item of collectionApi.getAll()) {
      for (const tag of Array.isArray(item.data.tags) ? item.data.tags : []) {
        if (!STRUCTURAL_TAGS.includes(tag)) tags.add(tag);
      }
    }
    return [...tags].sort();
  });
}
