import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadReference, parseReference } from '../../site/reference.ts';
import { makeReference, writeFixtureReference } from '../fixtures/reference-fixture.ts';

const FILE = 'experiments/reference/pytorch.json';
let dir: string;

before(async () => {
  await mkdir('tests/artifacts', { recursive: true });
  dir = path.relative(process.cwd(), await mkdtemp(path.join('tests/artifacts', 'reference-')));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The fixture as plain JSON, changed by `edit`. */
function edited(edit: (json: ReturnType<typeof plain>) => void) {
  const json = plain();
  edit(json);
  return json;
}
function plain() {
  return JSON.parse(JSON.stringify(makeReference({ mlp1: [9650, 9641, 9660] }))) as {
    environment: Record<string, unknown>;
    models: Record<string, { runs: Record<string, unknown>[] }>;
  } & Record<string, unknown>;
}

test('a reference folder with pytorch.json loads, its runs by model and seed', async () => {
  const folder = path.join(dir, 'good');
  await writeFixtureReference(folder, makeReference({ mlp1: [9650, 9641], mlp2: [9700, 9710] }));
  const reference = await loadReference(folder);
  assert.deepEqual(Object.keys(reference!.models), ['mlp1', 'mlp2']);
  assert.deepEqual(
    reference!.models.mlp1!.runs.map((r) => [r.seed, r.accuracy]),
    [
      [1, 0.965],
      [2, 0.9641],
    ],
  );
});

test('a missing reference folder or file gives no reference, not an error', async () => {
  assert.equal(await loadReference(path.join(dir, 'nowhere')), null);
  await mkdir(path.join(dir, 'empty'), { recursive: true });
  assert.equal(await loadReference(path.join(dir, 'empty')), null);
});

test('a file that is not JSON fails naming the file', async () => {
  const folder = path.join(dir, 'broken');
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'pytorch.json'), '{ "schemaVersion": 1,');
  await assert.rejects(loadReference(folder), {
    name: 'ResultsError',
    message: new RegExp(`^${folder}/pytorch\\.json: \\(file\\): not valid JSON: `),
  });
});

test('a field that breaks the schema fails naming the file and the JSON path', () => {
  const json = edited((j) => {
    j.models.mlp1!.runs[1]!.correct = 'many';
  });
  assert.throws(() => parseReference(json, FILE), {
    name: 'ResultsError',
    message: /^experiments\/reference\/pytorch\.json: models\.mlp1\.runs\[1\]\.correct: /,
  });
  assert.throws(
    () =>
      parseReference(
        edited((j) => delete j.environment.blas),
        FILE,
      ),
    {
      message: /^experiments\/reference\/pytorch\.json: environment\.blas: /,
    },
  );
  assert.throws(
    () =>
      parseReference(
        edited((j) => (j.schemaVersion = 2)),
        FILE,
      ),
    {
      message: /^experiments\/reference\/pytorch\.json: schemaVersion: /,
    },
  );
});

test('an accuracy that contradicts correct / total fails at its path', () => {
  const json = edited((j) => {
    j.models.mlp1!.runs[2]!.accuracy = 0.9;
  });
  assert.throws(() => parseReference(json, FILE), {
    message:
      'experiments/reference/pytorch.json: models.mlp1.runs[2].accuracy: 0.9 contradicts correct / total (9660 / 10000)',
  });
});

test('a seed listed twice, more correct than images, a total other than the test set and a bad date each fail at their path', () => {
  assert.throws(
    () =>
      parseReference(
        edited((j) => (j.models.mlp1!.runs[2]!.seed = 1)),
        FILE,
      ),
    {
      message: 'experiments/reference/pytorch.json: models.mlp1.runs[2].seed: 1 is also the seed of runs[0]',
    },
  );
  assert.throws(
    () =>
      parseReference(
        edited((j) => {
          j.models.mlp1!.runs[0]!.correct = 10_001;
          j.models.mlp1!.runs[0]!.accuracy = 1;
        }),
        FILE,
      ),
    {
      message:
        'experiments/reference/pytorch.json: models.mlp1.runs[0].correct: 10001 is more than the 10000 test images',
    },
  );
  assert.throws(
    () =>
      parseReference(
        edited((j) => (j.models.mlp1!.runs[0]!.total = 12_000)),
        FILE,
      ),
    {
      message:
        'experiments/reference/pytorch.json: models.mlp1.runs[0].total: 12000 differs from setup.testSize (10000)',
    },
  );
  assert.throws(
    () =>
      parseReference(
        edited((j) => (j.models.mlp1!.runs[1]!.date = 'yesterday')),
        FILE,
      ),
    {
      message:
        "experiments/reference/pytorch.json: models.mlp1.runs[1].date: 'yesterday' is not an ISO 8601 UTC time",
    },
  );
});

test('the committed reference, when present, is valid and holds at least ten seeds per model', async () => {
  const reference = await loadReference();
  if (reference === null) return;
  for (const [model, { runs }] of Object.entries(reference.models)) {
    assert.ok(runs.length >= 10, `${model}: ${runs.length} seeds`);
  }
});
