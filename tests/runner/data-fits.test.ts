import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MNIST_FILES } from '../../experiments/lib/engine/dataset.ts';
import { idxBytes, tempDir } from '../helpers/idx-files.ts';

describe('the experiment runner on a data folder smaller than the definition needs', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ dir, cleanup } = await tempDir('data-fits'));
    const data = path.join(dir, 'data');
    const count = 100;
    const images = idxBytes([count, 28, 28], new Uint8Array(count * 784).fill(7));
    const labels = idxBytes(
      [count],
      Array.from({ length: count }, (_, i) => i % 10),
    );
    await mkdir(data);
    await writeFile(path.join(data, MNIST_FILES.trainImages), images);
    await writeFile(path.join(data, MNIST_FILES.trainLabels), labels);
    await writeFile(path.join(data, MNIST_FILES.testImages), images);
    await writeFile(path.join(data, MNIST_FILES.testLabels), labels);
  });
  after(() => cleanup());

  it('stops before training with one line naming the folder, the definition and both counts', () => {
    const data = path.join(dir, 'data');
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/experiments.ts',
        '--definitions-dir',
        'tests/fixtures/definitions',
        '--results-dir',
        path.join(dir, 'results'),
        '--data-dir',
        data,
        '--backend',
        'cpu',
        '--quick',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(run.status, 1, run.stderr);
    assert.equal(
      run.stderr.trim().split('\n').at(-1),
      `error: ${data}: holds 100 training images but tests/fixtures/definitions/smoke.json needs 2400 (2000 to train on and 400 for validation)`,
    );
    assert.doesNotMatch(run.stdout, /epoch/);
  });
});
