// @ts-check
/**
 * Eleventy configuration: registers the site's plugins and sets the folders. Everything else lives
 * in small plugins under site/. The TypeScript modules load because the build runs Eleventy inside
 * a tsx process (scripts/build-site.ts → site/build.ts).
 */
import path from 'node:path';
import assets from './site/assets.ts';
import charts, { CHART_SHORTCODES } from './site/charts/plugin.ts';
import checkContent from './site/check.ts';
import data from './site/data.ts';
import diagrams, { DIAGRAM_SHORTCODES } from './site/diagrams/plugin.ts';
import demo from './site/demo/plugin.ts';
import feed from './site/feed.ts';
import filters from './site/filters.ts';
import strictFrontMatter from './site/frontmatter.ts';
import markdown from './site/markdown.ts';
import { buildOptionsOf } from './site/options.ts';
import redirects from './site/redirects.ts';
import shortcodes from './site/shortcodes.ts';
import tables from './site/tables.ts';

/** Layouts and partials, relative to the repository root (Eleventy wants them relative to the input). */
const INCLUDES_DIR = 'site/_includes';

/** @param {any} eleventyConfig */
export default function (eleventyConfig) {
  eleventyConfig.setIncludesDirectory(path.relative(eleventyConfig.directories.input, INCLUDES_DIR));
  eleventyConfig.addPlugin(strictFrontMatter);
  eleventyConfig.addPlugin(data);
  eleventyConfig.addPlugin(markdown);
  eleventyConfig.addPlugin(filters);
  eleventyConfig.addPlugin(shortcodes);
  eleventyConfig.addPlugin(tables);
  eleventyConfig.addPlugin(charts);
  eleventyConfig.addPlugin(diagrams);
  eleventyConfig.addPlugin(demo, { resultsDir: buildOptionsOf(eleventyConfig).resultsDir });
  eleventyConfig.addPlugin(checkContent, { shortcodes: { ...CHART_SHORTCODES, ...DIAGRAM_SHORTCODES } });
  eleventyConfig.addPlugin(assets);
  eleventyConfig.addPlugin(feed);
  eleventyConfig.addPlugin(redirects);
}

export const config = {
  dir: { input: 'content', output: '_site' },
  templateFormats: ['md', 'liquid'],
  markdownTemplateEngine: 'liquid',
  htmlTemplateEngine: 'liquid',
};
