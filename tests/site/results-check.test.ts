/**
 * Results files that are schema-valid but wrong: each is refused with the file and the JSON path.
 * Every case starts from a good fixture (tests/fixtures/results-fixture.ts) and breaks one thing.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Results } from '../../experiments/lib/contract/results.ts';
import { RunMetrics, Stat } from '../../experiments/lib/contract/results.ts';
import { buildSite } from '../../site/build.ts';
import { CHECKED_STATS, checkResults } from '../../site/results-check.ts';
import { loadResults } from '../../site/results.ts';
import { makeResults } from '../fixtures/results-fixture.ts';

const FILE = 'experiments/results/mlp-vs-lenet.json';

/** A fresh copy of the three-seed fixture, changed by `edit`. */
function broken(edit: (r: Results) => void, options: Parameters<typeof makeResults>[0] = {}): Results {
  const results = structuredClone(makeResults(options));
  edit(results);
  return results;
}

function refuses(results: Results, message: string): void {
  assert.throws(
    () => checkResults(results, FILE),
    (error: unknown) => {
      assert.ok(error instanceof Error && error.name === 'ResultsError', String(error));
      assert.equal(error.message, `${FILE}: ${message}`);
      return true;
    },
  );
}

describe('results checked for meaning', () => {
  it('accepts the fixtures and every committed results file', async () => {
    checkResults(makeResults(), FILE);
    checkResults(makeResults({ id: 'batch-size', seeds: [1] }), FILE);
    checkResults(makeResults({ id: 'depth-and-width', seeds: [1, 2] }), FILE);
    const committed = await loadResults('experiments/results');
    assert.ok(committed.size >= 4);
  });

  it('refuses a mean that contradicts its values', () => {
    const results = broken((r) => (r.runs[0]!.metrics.accuracy.mean = 0.2));
    const values = results.runs[0]!.metrics.accuracy.values;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    refuses(
      results,
      `runs[0].metrics.accuracy.mean: 0.2 contradicts its values (their mean is ${Number(mean.toPrecision(6))})`,
    );
  });

  it('refuses an sd and a 95% interval that contradict the values', () => {
    refuses(
      broken((r) => (r.runs[1]!.metrics.testLoss.sd *= 2)),
      /* the message names the recomputed sd */ (() => {
        const s = makeResults().runs[1]!.metrics.testLoss;
        return `runs[1].metrics.testLoss.sd: ${Number((s.sd * 2).toPrecision(6))} contradicts its values (their sample sd is ${Number(s.sd.toPrecision(6))})`;
      })(),
    );
    const good = makeResults().runs[0]!.metrics.latencyP50Us;
    const show = (v: number) => Number(v.toPrecision(6));
    refuses(
      broken((r) => (r.runs[0]!.metrics.latencyP50Us.ci95 = [good.ci95![0] - 1, good.ci95![1] + 1])),
      `runs[0].metrics.latencyP50Us.ci95: [${show(good.ci95![0] - 1)}, ${show(good.ci95![1] + 1)}] contradicts its values (their 95% interval is [${show(good.ci95![0])}, ${show(good.ci95![1])}])`,
    );
    refuses(
      broken((r) => (r.runs[0]!.metrics.accuracy.ci95 = null)),
      'runs[0].metrics.accuracy.ci95: is null but there are 3 trials',
    );
  });

  it('refuses summary values that differ from the trials they summarise', () => {
    refuses(
      broken((r) => (r.runs[0]!.metrics.accuracy.values[1] = 0.5)),
      `runs[0].metrics.accuracy.values[1]: 0.5 differs from trial 1's value (${makeResults().runs[0]!.trials[1]!.test.accuracy})`,
    );
  });

  it('refuses two runs under one key', () => {
    refuses(
      broken((r) => (r.runs[1]!.key = 'mlp5')),
      "runs[1].key: 'mlp5' is also the key of runs[0]; run keys must be unique",
    );
  });

  it('refuses an accuracy of 7.5 and a fraction outside [0, 1]', () => {
    refuses(
      broken((r) => (r.runs[0]!.trials[2]!.test.accuracy = 7.5)),
      'runs[0].trials[2].test.accuracy: 7.5 is outside [0, 1]',
    );
    refuses(
      broken((r) => (r.runs[1]!.trials[0]!.epochs[1]!.valAccuracy = -0.1)),
      'runs[1].trials[0].epochs[1].valAccuracy: -0.1 is outside [0, 1]',
    );
    refuses(
      broken((r) => (r.runs[0]!.trials[0]!.test.perClassAccuracy[3] = 1.2)),
      'runs[0].trials[0].test.perClassAccuracy[3]: 1.2 is outside [0, 1]',
    );
  });

  it('refuses an accuracy that is not correct / total', () => {
    const trial = makeResults().runs[0]!.trials[0]!;
    refuses(
      broken((r) => (r.runs[0]!.trials[0]!.test.accuracy = 0.5)),
      `runs[0].trials[0].test.accuracy: 0.5 contradicts correct / total (${trial.test.correct} / ${trial.test.total})`,
    );
  });

  it('refuses times that are not positive and finite', () => {
    refuses(
      broken((r) => (r.runs[0]!.trials[0]!.epochs[0]!.trainSeconds = 0)),
      'runs[0].trials[0].epochs[0].trainSeconds: 0 must be positive',
    );
    refuses(
      broken((r) => (r.runs[0]!.trials[1]!.latency.batch1.p99Us = Infinity)),
      'runs[0].trials[1].latency.batch1.p99Us: Infinity is not a finite number',
    );
    refuses(
      broken((r) => (r.provenance.wallSeconds = -3)),
      'provenance.wallSeconds: -3 must be positive',
    );
  });

  it('refuses counts that are not non-negative integers and totals that differ from the layers', () => {
    refuses(
      broken((r) => (r.dataset.testSize = -1)),
      'dataset.testSize: -1 must be a non-negative integer',
    );
    refuses(
      broken((r) => (r.runs[1]!.metrics.params += 1)),
      'runs[1].metrics.params: 44427 differs from the sum over layers[].params (44426)',
    );
  });

  it('refuses a date that is not a real UTC time', () => {
    for (const date of [
      'Invalid Date',
      '2026-02-30T10:00:00.000Z',
      '2026-11-26 14:18:19',
      '2026-11-26T25:00:00Z',
    ]) {
      refuses(
        broken((r) => (r.provenance.date = date)),
        `provenance.date: '${date}' is not a valid ISO 8601 UTC time (e.g. 2025-03-01T12:00:00.000Z)`,
      );
    }
  });

  it('refuses a p-value that contradicts the discordant counts, and a comparison of an unknown run', () => {
    const c = makeResults().comparisons[0]!;
    refuses(
      broken((r) => (r.comparisons[0]!.pValue = 0.5)),
      `comparisons[0].pValue: 0.5 contradicts onlyACorrect ${c.onlyACorrect} and onlyBCorrect ${c.onlyBCorrect} (McNemar's exact p is ${Number(c.pValue.toPrecision(6))})`,
    );
    refuses(
      broken((r) => (r.comparisons[0]!.b = 'lenet6')),
      "comparisons[0].b: unknown run 'lenet6' (known: mlp5, lenet5)",
    );
  });

  it('refuses trials that do not follow provenance.seeds', () => {
    refuses(
      broken((r) => (r.provenance.seeds = [1, 2])),
      'runs[0].trials: holds 3 trials but provenance.seeds lists 2',
    );
    refuses(
      broken((r) => (r.runs[0]!.trials[1]!.seed = 9)),
      'runs[0].trials[1].seed: 9 differs from provenance.seeds[1] (2)',
    );
  });

  it('checks every Stat metric of the schema against the trials', () => {
    const stats = Object.entries(RunMetrics.shape)
      .filter(([, schema]) => schema === Stat)
      .map(([name]) => name);
    assert.ok(stats.length > 10);
    assert.deepEqual([...CHECKED_STATS].sort(), stats.sort());
  });

  it('keeps fields the schema does not know out of the way (a later trialKey, for one)', () => {
    const results = broken((r) => Object.assign(r.runs[0]!.trials[0]!, { trialKey: 'mlp5#1' }));
    checkResults(results, FILE);
  });
});

describe('loadResults', () => {
  it('refuses the duplicate-key and the contradicting-mean files, naming each file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'results-check-'));
    try {
      const duplicate = broken((r) => r.runs.push(structuredClone(r.runs[0]!)));
      await writeFile(path.join(dir, 'mlp-vs-lenet.json'), JSON.stringify(duplicate));
      await assert.rejects(loadResults(dir), {
        message: `${path.join(dir, 'mlp-vs-lenet.json')}: runs[2].key: 'mlp5' is also the key of runs[0]; run keys must be unique`,
      });
      await rm(path.join(dir, 'mlp-vs-lenet.json'));
      const mean = broken((r) => (r.runs[1]!.metrics.accuracy.mean = 0.2), { id: 'batch-size' });
      await writeFile(path.join(dir, 'batch-size.json'), JSON.stringify(mean));
      await assert.rejects(loadResults(dir), {
        message: new RegExp(
          `^${path.join(dir, 'batch-size.json')}: runs\\[1\\]\\.metrics\\.accuracy\\.mean: 0\\.2 contradicts its values`,
        ),
      });
      assert.deepEqual(await readdir(dir), ['batch-size.json']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the site build', () => {
  it('refuses a results file with two runs under one key, naming the file and the path', async () => {
    await mkdir('tests/artifacts', { recursive: true });
    const dir = path.relative(process.cwd(), await mkdtemp(path.join('tests/artifacts', 'results-check-')));
    try {
      const results = path.join(dir, 'results');
      await mkdir(results);
      const duplicate = broken((r) => (r.runs[1]!.key = 'mlp5'));
      await writeFile(path.join(results, 'mlp-vs-lenet.json'), JSON.stringify(duplicate));
      await assert.rejects(
        buildSite({
          resultsDir: results,
          contentDir: 'tests/fixtures/site/content',
          outputDir: path.join(dir, 'out'),
          quiet: true,
        }),
        {
          name: 'ResultsError',
          message: `${results}/mlp-vs-lenet.json: runs[1].key: 'mlp5' is also the key of runs[0]; run keys must be unique`,
        },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
