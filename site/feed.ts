/**
 * The Atom feed at /feed.xml: one entry per post with its title, link, date and description as the
 * summary. Hand-written rather than @11ty/eleventy-plugin-rss's feedPlugin because that plugin puts
 * each post's full HTML in the feed and re-parses it (posthtml, to make links absolute): with inline
 * SVG charts and digit galleries that was most of the render time of a build, for content that feed
 * readers mostly strip anyway. The summary links to the post, where the charts are.
 */
import type { EleventyConfig } from './eleventy.ts';
import { SITE } from './data.ts';

/** Where the feed is written, relative to the site root. */
export const FEED_PATH = '/feed.xml';

/** An absolute URL for a site path, against the site's public address. e.g. `/about/` → `https://…/about/` */
export function absoluteUrl(sitePath: string, base: string = SITE.url): string {
  return new URL(sitePath, base).href;
}

const FEED_TEMPLATE = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{{ site.language | escape }}">
<title>{{ site.title | escape }}</title>
<subtitle>{{ site.description | escape }}</subtitle>
<link href="{{ '${FEED_PATH}' | absoluteUrl | escape }}" rel="self"/>
<link href="{{ '/' | absoluteUrl | escape }}"/>
<id>{{ '/' | absoluteUrl | escape }}</id>
<updated>{{ collections.posts | newestDate | atomDate }}</updated>
<author><name>{{ site.author | escape }}</name></author>
{%- assign posts = collections.posts | reverse %}
{%- for post in posts %}
<entry>
<title>{{ post.data.title | escape }}</title>
<link href="{{ post.url | absoluteUrl | escape }}"/>
<id>{{ post.url | absoluteUrl | escape }}</id>
<updated>{{ post.date | atomDate }}</updated>
<summary>{{ post.data.description | escape }}</summary>
</entry>
{%- endfor %}
</feed>
`;

export default function feed(eleventyConfig: EleventyConfig): void {
  eleventyConfig.addFilter('absoluteUrl', (sitePath: string) => absoluteUrl(sitePath));
  /** e.g. 2025-02-06 → "2025-02-06T00:00:00.000Z" (RFC 3339, as Atom wants). */
  eleventyConfig.addFilter('atomDate', (date: Date) => date.toISOString());
  eleventyConfig.addFilter('newestDate', (items: { date: Date }[]) =>
    items.reduce((newest, item) => (item.date > newest ? item.date : newest), new Date(0)),
  );
  eleventyConfig.addTemplate('feed.liquid', FEED_TEMPLATE, {
    permalink: FEED_PATH,
    layout: false,
    eleventyExcludeFromCollections: true,
    eleventyImport: { collections: ['posts'] },
  });
}
