/**
 * markdown-it set-up: heading anchors (so sections can be linked) and tables wrapped in a
 * scrollable, focusable region so wide tables stay readable on a phone.
 */
import markdownItAnchor from 'markdown-it-anchor';
import type { EleventyConfig } from './eleventy.ts';

export default function markdown(eleventyConfig: EleventyConfig): void {
  eleventyConfig.amendLibrary('md', (md) => {
    md.set({ typographer: true });
    md.use(markdownItAnchor, {
      level: [2, 3],
      permalink: markdownItAnchor.permalink.headerLink({ safariReaderFix: true }),
    });
    md.renderer.rules.table_open = () =>
      '<div class="table-scroll" role="region" aria-label="Table" tabindex="0"><table>\n';
    md.renderer.rules.table_close = () => '</table></div>\n';
  });
}
