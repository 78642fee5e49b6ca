import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parsePostFrontMatter } from '../../site/frontmatter.ts';
import { EPOCH_NOTES, METHOD_NOTES, ORIGINAL, ORIGINAL_POSTS } from '../../site/original.ts';

const POSTS_DIR = 'content/posts';
const DEFINITIONS_DIR = 'experiments/definitions';

async function definition(id: string): Promise<{ models: string[]; batchSizes: number[]; epochs: number }> {
  return JSON.parse(await readFile(path.join(DEFINITIONS_DIR, `${id}.json`), 'utf8'));
}

describe("the original series' figures", () => {
  it('lists the five posts of the series once each, oldest first, one per experiment', () => {
    assert.equal(ORIGINAL_POSTS.length, 5);
    assert.equal(new Set(ORIGINAL_POSTS.map((post) => post.url)).size, 5);
    const dates = ORIGINAL_POSTS.map((post) => post.date);
    assert.deepEqual(dates, [...dates].sort());
    assert.equal(ORIGINAL_POSTS[0]!.title, 'Evaluating ML models');
    assert.equal(Object.keys(ORIGINAL).length, 5);
  });

  it("gives each post here the original's address its figures come from", async () => {
    const posts = (await readdir(POSTS_DIR)).filter((file) => file.endsWith('.md'));
    assert.equal(posts.length, ORIGINAL_POSTS.length, 'one post here per post of the series');
    for (const name of posts) {
      const file = path.join(POSTS_DIR, name);
      const front = parsePostFrontMatter(await readFile(file, 'utf8'), file);
      const original = ORIGINAL[front.experiment];
      assert.ok(original, `${file}: the original has figures for '${front.experiment}'`);
      assert.equal(new URL(original.post.url).pathname, front.originalUrl, `${file}: originalUrl`);
      assert.equal(original.post.date, front.date.toISOString().slice(0, 10), `${file}: date`);
    }
  });

  it('keys every published figure by a run its experiment trains', async () => {
    for (const [id, original] of Object.entries(ORIGINAL)) {
      const { models, batchSizes } = await definition(id);
      const keys =
        batchSizes.length === 1 ? models : models.flatMap((m) => batchSizes.map((b) => `${m}@${b}`));
      const keyed = [
        ...Object.keys(original.runs),
        ...Object.keys(original.corrections ?? {}),
        ...Object.keys(original.epochs ?? {}),
      ];
      for (const key of keyed)
        assert.ok(keys.includes(key), `${id}: '${key}' is not one of ${keys.join(', ')}`);
    }
  });

  it('holds the fifth post as published, with its slips corrected from its own numbers', async () => {
    const evaluating = ORIGINAL['evaluating-models']!;
    assert.equal(evaluating.post.url, 'https://gouherdanish.github.io/2024/12/13/evaluating-ml-models.html');
    assert.deepEqual(evaluating.runs.lenet5, {
      params: 44_426,
      flops: 2_176_080,
      trainSecondsPerEpoch: 4.75,
      latencyP50Us: 11_100,
    });
    // 784·512 + 512 + 512·10 + 10 parameters; 2 FLOPs per multiply-add.
    assert.equal(evaluating.runs['mlp-512']!.params, 784 * 512 + 512 + 512 * 10 + 10);
    assert.equal(evaluating.runs['mlp-512']!.flops, 2 * (784 * 512 + 512 * 10));
    assert.equal(evaluating.runs['mlp-512']!.trainSecondsPerEpoch, 2.8);
    assert.equal(evaluating.runs['mlp-512']!.latencyP50Us, 24_400);
    const slip = evaluating.corrections!['mlp-512']!.trainSecondsPerEpoch!;
    assert.ok(Math.abs(slip.value - 2.08) < 1e-9);
    assert.equal(slip.how, '20.80 s ÷ 10');
    assert.equal(evaluating.corrections!.lenet5!.flops!.value, 563_280);
    assert.match(evaluating.notes.trainSecondsPerEpoch!, /47\.54 s for LeNet-5, 20\.80 s for the MLP/);
    assert.match(evaluating.notes.latencyP50Us!, /one call on one image, timed once and cold/);
    assert.match(evaluating.notes.flops!, /563,280, fewer than the MLP's 813,056/);
  });

  it('prints accuracies after epochs 1, 5 and 10 of the ten the definition trains', async () => {
    const { epochs } = await definition('evaluating-models');
    const printed = ORIGINAL['evaluating-models']!.epochs!;
    assert.deepEqual(Object.keys(printed), ['lenet5', 'mlp-512']);
    for (const figures of Object.values(printed)) {
      assert.deepEqual(
        figures.map((f) => f.epoch),
        [1, 5, 10],
      );
      assert.ok(figures.every((f) => f.epoch <= epochs));
    }
    assert.deepEqual(printed.lenet5![2], { epoch: 10, trainAccuracy: 0.993, valAccuracy: 0.983 });
    assert.deepEqual(printed['mlp-512']![0], { epoch: 1, trainAccuracy: 0.892, valAccuracy: 0.941 });
    assert.equal(ORIGINAL['mlp-vs-lenet']!.epochs, undefined);
  });

  it('writes its notes for readers, naming no file outside the site', () => {
    const notes = [
      ...Object.values(METHOD_NOTES),
      ...EPOCH_NOTES,
      ...Object.values(ORIGINAL).flatMap((original) => Object.values(original.notes)),
    ].filter((note): note is string => typeof note === 'string');
    for (const note of notes) assert.doesNotMatch(note, /\.md\b|\.\.\/|\/work\//);
  });
});
