import assert from 'node:assert/strict';
import { test } from 'node:test';
import { staleWarning } from '../../scripts/build/stale-warning.ts';

const trial = (action: 'cached' | 'measure' | 'train') => ({ action }) as never;

test('build:site names a stale results file and what the plan would do to it', () => {
  const file = 'experiments/results/mlp-vs-lenet.json';
  assert.equal(staleWarning({ file, trials: [trial('cached')], writeReason: null }), null);
  assert.equal(
    staleWarning({
      file,
      trials: [trial('cached'), trial('train'), trial('train'), trial('measure')],
      writeReason: 'trials to train or measure',
    }),
    `build:site: warning: ${file} is stale for the current code and definitions (2 trials to train, 1 to measure); npm run experiments brings it up to date`,
  );
  assert.match(staleWarning({ file, trials: [], writeReason: 'no results yet' })!, /\(no results yet\)/);
});
