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
    { message: 'content/posts/x.md:4: front matter: date: expected a date like 2025-02-06' },
  );
});

test('invalid YAML and missing front matter are reported', () => {
  assert.throws(() => parsePostFrontMatter(post('title: [unclosed'), FILE), {
    message: /^content\/posts\/x\.md:\d+: front matter is not valid YAML: /,
  });
  assert.throws(() => parsePostFrontMatter('No front matter.\n', FILE), {
    message: 'content/posts/x.md:1: a post needs front matter between --- lines',
  });
});
