import assert from 'node:assert/strict';
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as prettier from 'prettier';
import {
  LIB_DIR,
  changedFiles,
  closureHashes,
  codeKeys,
  combinedHash,
  ENTRY_POINTS,
} from '../../experiments/lib/runner/code-key.ts';
import { tempDir } from '../helpers/idx-files.ts';

async function tsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((e) => e.endsWith('.ts')).map((e) => path.join(dir, e));
}

async function copyOfLib(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const temp = await tempDir('code-key');
  const dir = path.join(temp.dir, 'lib');
  await cp(LIB_DIR, dir, { recursive: true });
  return { dir, cleanup: temp.cleanup };
}

describe('code keys', () => {
  it('follow the training entry point into every folder it imports, and nothing else', async () => {
    const train = await closureHashes(ENTRY_POINTS.train);
    const files = Object.keys(train);
    for (const expected of ['engine/trial.ts', 'engine/train.ts', 'engine/models.ts', 'backend/select.ts'])
      assert.ok(files.includes(expected), `${expected} in ${files.join(', ')}`);
    assert.ok(
      files.some((f) => f.startsWith('backend/wasm/')),
      'the wasm kernels are part of training',
    );
    for (const f of files) assert.ok(!f.startsWith('runner/'), `${f}: the runner does not decide training`);
    assert.ok(!files.includes('engine/latency.ts'), 'measuring code is not training code');
  });

  it('do not change when every engine file gets a comment and is reformatted', async (t) => {
    const copy = await copyOfLib();
    t.after(copy.cleanup);
    const before = await codeKeys(copy.dir);
    for (const file of await tsFiles(copy.dir)) {
      const source = await readFile(file, 'utf8');
      const reformatted = await prettier.format(`// a comment added to ${path.basename(file)}\n${source}`, {
        parser: 'typescript',
        printWidth: 60,
        singleQuote: false,
      });
      await writeFile(file, `/* and a block comment */\n${reformatted}\n\n`);
    }
    const after = await codeKeys(copy.dir);
    for (const kind of ['train', 'measure', 'report'] as const)
      assert.equal(combinedHash(after[kind]), combinedHash(before[kind]), kind);
  });

  it('name the file whose code changed: a kernel changes the training key, latency only the measuring one', async (t) => {
    const copy = await copyOfLib();
    t.after(copy.cleanup);
    const before = await codeKeys(copy.dir);
    const kernel = Object.keys(before.train).find((f) => f.startsWith('backend/wasm/'))!;
    const kernelFile = path.join(copy.dir, kernel);
    await writeFile(kernelFile, `${await readFile(kernelFile, 'utf8')}\nexport const changed = 1;\n`);
    const latency = path.join(copy.dir, 'engine/latency.ts');
    await writeFile(latency, `${await readFile(latency, 'utf8')}\nexport const alsoChanged = 2;\n`);
    const after = await codeKeys(copy.dir);
    assert.deepEqual(changedFiles(before.train, after.train), [kernel]);
    assert.ok(changedFiles(before.measure, after.measure).includes('engine/latency.ts'));
    assert.ok(!changedFiles(before.train, after.train).includes('engine/latency.ts'));
  });
});
