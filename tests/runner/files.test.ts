import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import fsPromises from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { FileError } from '../../experiments/lib/contract/errors.ts';
import { writeFileAtomic } from '../../experiments/lib/runner/files.ts';

describe('atomic writes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'files-test-'));
  });
  afterEach(async () => {
    mock.restoreAll();
    syncBuiltinESMExports();
    await rm(dir, { recursive: true, force: true });
  });

  it('names the target when the disk is full (ENOSPC), keeps the cause and leaves no temporary file', async () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    mock.method(fsPromises, 'writeFile', async () => {
      throw enospc;
    });
    syncBuiltinESMExports();
    const target = path.join(dir, 'results.json');
    const error = await writeFileAtomic(target, '{}').then(
      () => assert.fail('expected the write to fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof FileError);
    assert.equal(error.message, `${target}: cannot write: ENOSPC: no space left on device, write`);
    assert.equal(error.cause, enospc);
    assert.deepEqual(await readdir(dir), []);
  });

  it('names the target when its folder cannot be made (a file stands in the way)', async () => {
    await writeFile(path.join(dir, 'blocker'), '');
    const target = path.join(dir, 'blocker', 'results.json');
    await assert.rejects(writeFileAtomic(target, '{}'), (error: Error) => {
      assert.match(
        error.message,
        new RegExp(`^${target.replaceAll('/', '\\/')}: cannot write: (ENOTDIR|EEXIST)`),
      );
      assert.equal((error.cause as NodeJS.ErrnoException).code?.startsWith('E'), true);
      return true;
    });
  });
});
