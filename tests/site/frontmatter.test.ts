import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePostFrontMatter } from '../../site/frontmatter.ts';

const FILE = 'content/posts/x.md';
const post = (frontMatter: string) => `---\n${frontMatter}\n---\nBody.\n`;
const GOOD = 'title: T\ndescription: D\ndate: 2025-02-06\nexperiment: mlp-vs-lenet';

test('valid front matter is typed, with defaults for tags and claims', () => {
  const parsed = parsePostFrontMatter(post(`${GOOD}\nclaims:\n  - lenet5.accuracy > 0.9`), FILE);
  assert.equal(parsed.experiment, 'mlp-vs-lenet');
  assert.equal(parsed.date.toISOString(), '2025-02-06T00:00:00.000Z');
  assert.deepEqual(parsed.tags, []);
  assert.deepEqual(parsed.claims, ['lenet5.accuracy > 0.9']);
});

test('a missing field fails with the file and the field', () => {
  assert.throws(() => parsePostFrontMatter(post('title: T\ndescription: D\ndate: 2025-02-06'), FILE), {
    name: 'ContentError',
    message: /^content\/posts\/x\.md:2: front matter: experiment: /,
  });
});

test('an unknown key fails with its line and the allowed keys', () => {
  assert.throws(() => parsePostFrontMatter(post(`${GOOD}\nclaim:\n  - x.y > 1`), FILE), {
    message:
      'content/posts/x.md:6: front matter: claim: unknown key (allowed: title, description, date, experiment, tags, originalUrl, claims)',
  });
});

test('a wrong type fails with the line of its key', () => {
  assert.throws(() => parsePostFrontMatter(post(`${GOOD}\nclaims: lenet5.accuracy > 1`), FILE), {
    message: /^content\/posts\/x\.md:6: front matter: claims: /,
  });
  assert.throws(
    () => parsePostFrontMatter(post('title: T\ndescription: D\ndate: soon\nexperiment: e'), FILE),
    {
      message:
        "content/posts/x.md:4: front matter: date: 'soon' is not a calendar date (expected YYYY-MM-DD, e.g. 2025-02-06)",
    },
  );
});

test('invalid YAML and missing front matter are reported', () => {
  assert.throws(() => parsePostFrontMatter(post('title: [unclosed'), FILE), {
    message: /^content\/posts\/x\.md:\d+:\d+: front matter is not valid YAML: [^\n]+$/,
  });
  assert.throws(() => parsePostFrontMatter('No front matter.\n', FILE), {
    message: 'content/posts/x.md:1: a post needs front matter between --- lines',
  });
});

test('a date that is not on the calendar is rejected, not rolled over', () => {
  for (const [date, line] of [
    ['2025-13-45', 4],
    ['2025-02-30', 4],
    ['2025-2-6', 4],
    ['2025-02-06T10:00:00Z', 4],
  ] as const) {
    assert.throws(
      () => parsePostFrontMatter(post(`title: T\ndescription: D\ndate: ${date}\nexperiment: e`), FILE),
      {
        message: `content/posts/x.md:${line}: front matter: date: '${date}' is not a calendar date (expected YYYY-MM-DD, e.g. 2025-02-06)`,
      },
    );
  }
  assert.equal(
    parsePostFrontMatter(
      post('title: T\ndescription: D\ndate: 2024-02-29\nexperiment: e'),
      FILE,
    ).date.toISOString(),
    '2024-02-29T00:00:00.000Z',
  );
});

test('a date written as a number is rejected with the expected form', () => {
  assert.throws(
    () => parsePostFrontMatter(post('title: T\ndescription: D\ndate: 2025\nexperiment: e'), FILE),
    {
      message: 'content/posts/x.md:4: front matter: date: expected a date like 2025-02-06',
    },
  );
});

test('originalUrl must be a site-relative path ending in .html', () => {
  const parsed = parsePostFrontMatter(post(`${GOOD}\noriginalUrl: /2025/02/06/old-name.html`), FILE);
  assert.equal(parsed.originalUrl, '/2025/02/06/old-name.html');
  for (const url of ['https://example.com/x.html', '//example.com/x.html', '/2025/02/06/x', 'x.html']) {
    assert.throws(() => parsePostFrontMatter(post(`${GOOD}\noriginalUrl: ${url}`), FILE), {
      message:
        "content/posts/x.md:6: front matter: originalUrl: expected the original post's path, e.g. /2025/02/06/mlp-vs-lenet-for-digit-recognition.html",
    });
  }
});

test('a tab in the indentation is one line with the file, line and column', () => {
  assert.throws(() => parsePostFrontMatter(post(`${GOOD}\ntags:\n\t- a`), FILE), {
    message: /^content\/posts\/x\.md:7:1: front matter is not valid YAML: [^\n]+$/,
  });
});
