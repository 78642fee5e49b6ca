import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { inputsHash, removeStamp, upToDate, writeStamp } from '../../site/build-stamp.ts';

let root: string;
let site: string;

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'site-stamp-'));
  site = path.join(root, '_site');
  await mkdir(path.join(root, 'content', 'posts'), { recursive: true });
  await mkdir(path.join(root, 'experiments', 'results'), { recursive: true });
  await mkdir(path.join(root, 'experiments', '.trials', 'abc'), { recursive: true });
  await mkdir(path.join(site, 'posts'), { recursive: true });
  await writeFile(path.join(root, 'content', 'posts', 'a.md'), 'One.\n');
  await writeFile(path.join(root, 'experiments', 'results', 'a.json'), '{}');
  await writeFile(path.join(site, 'index.html'), '<p>One.</p>');
  await writeFile(path.join(site, 'posts', 'a.html'), '<p>A</p>');
});

after(() => rm(root, { recursive: true, force: true }));

test('a site is up to date only for the inputs it was built from, with every output intact', async () => {
  const inputs = await inputsHash(root);
  assert.equal(await upToDate(site, inputs), false, 'no stamp yet');
  await writeStamp(site, inputs);
  assert.equal(await upToDate(site, inputs), true);

  await writeFile(path.join(root, 'content', 'posts', 'a.md'), 'Two.\n');
  const edited = await inputsHash(root);
  assert.notEqual(edited, inputs, 'an edited post changes the inputs');
  assert.equal(await upToDate(site, edited), false);

  await writeStamp(site, edited);
  await writeFile(path.join(root, 'experiments', '.trials', 'abc', 'record.json'), '{}');
  assert.equal(await inputsHash(root), edited, 'the trial store is not an input');
  await writeFile(path.join(root, 'experiments', 'results', 'b.json'), '{}');
  assert.notEqual(await inputsHash(root), edited, 'a new results file is');
  await rm(path.join(root, 'experiments', 'results', 'b.json'));

  await writeFile(path.join(site, 'posts', 'a.html'), '<p>Changed by hand</p>');
  assert.equal(await upToDate(site, edited), false, 'an output of another size');
  await writeStamp(site, edited);
  await rm(path.join(site, 'index.html'));
  assert.equal(await upToDate(site, edited), false, 'a missing output');

  await writeFile(path.join(site, 'index.html'), '<p>One.</p>');
  await writeStamp(site, edited);
  await removeStamp(site);
  assert.equal(await upToDate(site, edited), false, 'the stamp is removed before a build');
});
