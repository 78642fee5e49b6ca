/**
 * Whether _site/ already holds the build of exactly these inputs, so `npm run build` can skip
 * Eleventy (about a second) when nothing changed, as make skips an up-to-date target.
 *
 * The inputs are the contents of every file the site is built from or with: content/, site/,
 * experiments/ (results, reference data, definitions, architectures and the engine, whose plan
 * decides staleness; not the trial store), scripts/, the Eleventy config, package.json and the lock
 * file (dependency versions), and the Node.js version. After a build the stamp records their hash
 * and the size of every file written; a later build skips only if the hash is the same and every
 * output is still there at its size. Content hashes, not times: a checkout or a copy changes
 * modification times without changing what the site is.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const STAMP_FILE = '.build-stamp.json';

/** Folders and files the site depends on, relative to the repository root. */
const INPUTS = [
  'content',
  'site',
  'experiments',
  'scripts',
  'eleventy.config.js',
  'package.json',
  'package-lock.json',
];

/** Never inputs: the trial store (only the plan's cache), the runner's lock, byte-code, temporary files. */
const IGNORED = new Set(['.trials', 'node_modules', '.git', '.lock', '__pycache__']);
const ignored = (name: string) => IGNORED.has(name) || name.endsWith('.tmp');

interface Stamp {
  inputs: string;
  outputs: Record<string, number>;
}

async function filesUnder(entry: string): Promise<string[]> {
  let info;
  try {
    info = await stat(entry);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  if (!info.isDirectory()) return [entry];
  const names = (await readdir(entry)).filter((name) => !ignored(name)).sort();
  return (await Promise.all(names.map((name) => filesUnder(path.join(entry, name))))).flat();
}

/** The hash of every input file's path and contents, and the Node.js version, under `root`. */
export async function inputsHash(root: string): Promise<string> {
  const hash = createHash('sha256').update(`node ${process.version}\n`);
  const files = (await Promise.all(INPUTS.map((entry) => filesUnder(path.join(root, entry))))).flat();
  const contents = await Promise.all(files.map((file) => readFile(file)));
  files.forEach((file, i) => {
    hash.update(`${path.relative(root, file)}\0${contents[i]!.length}\0`);
    hash.update(contents[i]!);
  });
  return hash.digest('hex');
}

async function readStamp(outputDir: string): Promise<Stamp | null> {
  try {
    return JSON.parse(await readFile(path.join(outputDir, STAMP_FILE), 'utf8')) as Stamp;
  } catch {
    return null;
  }
}

/** True when `outputDir` holds the build of inputs hashing to `inputs`, every output intact. */
export async function upToDate(outputDir: string, inputs: string): Promise<boolean> {
  const stamp = await readStamp(outputDir);
  if (stamp === null || stamp.inputs !== inputs) return false;
  const sizes = await Promise.all(
    Object.keys(stamp.outputs).map((file) =>
      stat(path.join(outputDir, file)).then(
        (info) => info.size,
        () => -1,
      ),
    ),
  );
  return Object.values(stamp.outputs).every((size, i) => sizes[i] === size);
}

/** Removes the stamp before a build, so a build that fails half-way is never taken for up to date. */
export async function removeStamp(outputDir: string): Promise<void> {
  await rm(path.join(outputDir, STAMP_FILE), { force: true });
}

/** Records that `outputDir` now holds the build of `inputs` (written atomically, after the build). */
export async function writeStamp(outputDir: string, inputs: string): Promise<void> {
  const outputs: Record<string, number> = {};
  for (const file of await filesUnder(outputDir)) {
    const relative = path.relative(outputDir, file);
    if (relative !== STAMP_FILE) outputs[relative] = (await stat(file)).size;
  }
  const target = path.join(outputDir, STAMP_FILE);
  const temporary = `${target}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify({ inputs, outputs } satisfies Stamp));
  await rename(temporary, target);
}
