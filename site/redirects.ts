/**
 * The original blog's addresses: a post whose front matter has `originalUrl` (the path the original
 * post had, e.g. `/2025/02/06/mlp-vs-lenet-for-digit-recognition.html`) also answers there, with a
 * static page that sends the reader on to the post's own URL (meta refresh, no JavaScript) and names
 * that URL as canonical, so search engines, the feed and internal links keep one URL per post.
 * The pages are excluded from collections: they appear in no listing and no feed.
 */
import type { EleventyConfig } from './eleventy.ts';

/** A post as Eleventy's collections give it. */
interface PostItem {
  url: string;
  data: { originalUrl?: unknown };
}

/** The posts that need a page at their original address: those whose original path is not their own. */
export function postsToRedirect(posts: readonly PostItem[]): PostItem[] {
  return posts.filter(
    (post) => typeof post.data.originalUrl === 'string' && post.data.originalUrl !== post.url,
  );
}

const REDIRECT_TEMPLATE = `<!doctype html>
<html lang="{{ site.language }}">
<head>
<meta charset="utf-8">
<title>{{ post.data.title | escape }}</title>
<link rel="canonical" href="{{ post.url | absoluteUrl }}">
<meta http-equiv="refresh" content="0; url={{ post.url | escape }}">
<meta name="robots" content="noindex">
</head>
<body>
<p>This article is now at <a href="{{ post.url | escape }}">{{ post.data.title | escape }}</a>.</p>
</body>
</html>
`;

export default function redirects(eleventyConfig: EleventyConfig): void {
  eleventyConfig.addTemplate('original-urls.liquid', REDIRECT_TEMPLATE, {
    pagination: { data: 'collections.posts', size: 1, alias: 'post', before: postsToRedirect },
    permalink: '{{ post.data.originalUrl }}',
    layout: false,
    eleventyExcludeFromCollections: true,
    eleventyImport: { collections: ['posts'] },
  });
}
