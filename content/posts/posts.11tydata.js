/**
 * What every post shares: its layout, the `posts` tag (the home page, feed and tag pages list that
 * collection) and the original blog's permalink form, /YYYY/MM/DD/slug.html (the date in UTC).
 */
export default {
  layout: 'layouts/post.liquid',
  tags: ['posts'],
  eleventyComputed: {
    /** @param {{ page: { date: Date, fileSlug: string } }} data */
    permalink: (data) =>
      `/${data.page.date.toISOString().slice(0, 10).replaceAll('-', '/')}/${data.page.fileSlug}.html`,
  },
};
