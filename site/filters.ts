/** Filters and collections for layouts: dates, and the list of tags with their posts. */
import type { EleventyConfig } from './eleventy.ts';
import { formatDate } from './format.ts';

/** Tags that group pages rather than describe a topic; they get no tag page. */
export const STRUCTURAL_TAGS = ['all', 'posts'];

const COUNT_WORDS = [
  'No',
  'One',
  'Two',
  'Three',
  'Four',
  'Five',
  'Six',
  'Seven',
  'Eight',
  'Nine',
  'Ten',
  'Eleven',
  'Twelve',
];

/** e.g. 5 → "Five", 13 → "13" */
export function countWord(count: number): string {
  return COUNT_WORDS[count] ?? String(count);
}

interface CollectionItem {
  data: { tags?: unknown };
}

export default function filters(eleventyConfig: EleventyConfig): void {
  /** e.g. 2025-02-06 → "6 February 2025" */
  eleventyConfig.addFilter('readableDate', (date: Date) => formatDate(date));
  /** e.g. 2025-02-06 → "2025-02-06", for `datetime` attributes. */
  eleventyConfig.addFilter('isoDate', (date: Date) => date.toISOString().slice(0, 10));
  /** A count of things at the start of a sentence, e.g. (5, "article") → "Five articles"; above twelve, digits. */
  eleventyConfig.addFilter(
    'countOf',
    (count: number, noun: string) => `${countWord(count)} ${noun}${count === 1 ? '' : 's'}`,
  );
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
