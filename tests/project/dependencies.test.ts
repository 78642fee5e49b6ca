/**
 * package.json against the code: every package the code imports is declared, in the section its use
 * needs (code that runs in the engine, the site build or the scripts: `dependencies`; type-only
 * imports and tests: any section), and every runtime dependency is imported somewhere or has a
 * stated reason.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';

/** Runtime dependencies that no file imports by name, and why each is declared all the same. */
const DECLARED_FOR: Record<string, string> = {
  'markdown-it': "peer dependency of markdown-it-anchor; the instance is Eleventy's",
  tsx: 'the loader every npm script runs TypeScript with (node --import tsx)',
};

const SOURCE_DIRS = ['experiments', 'site', 'scripts', 'tests'];
const RUNTIME_DIRS = ['experiments', 'site', 'scripts'];
const SKIP = new Set(['node_modules', 'results', 'artifacts', 'vendor']);

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP.has(entry.name) && !entry.name.startsWith('.')) out.push(...(await sourceFiles(file)));
    } else if (/\.(ts|js|mjs|cjs)$/.test(entry.name)) out.push(file);
  }
  return out;
}

/** The package a specifier names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

interface Use {
  file: string;
  name: string;
  typeOnly: boolean;
}

/** Packages a source file uses: imports, dynamic imports, require and require.resolve, and '@scope/…' literals of installed packages. */
function usesOf(file: string, text: string): Use[] {
  const uses: Use[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    if (specifier.startsWith('.') || specifier.startsWith('node:') || specifier.startsWith('/')) return;
    const name = packageOf(specifier);
    if (builtinModules.includes(name)) return;
    uses.push({ file, name, typeOnly });
  };
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)) {
    add(m[3]!, m[2] !== undefined);
  }
  for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm)) add(m[1]!, false);
  for (const m of text.matchAll(
    /(?:\bimport|\brequire(?:\.resolve)?|createRequire\([^)]*\))\(\s*'([^']+)'/g,
  )) {
    add(m[1]!, text.slice(Math.max(0, m.index - 7), m.index).endsWith('typeof '));
  }
  // Package names held in tables and loaded by name later (e.g. the backends' packages).
  for (const m of text.matchAll(/'(@[a-z0-9-]+\/[a-z0-9.-]+)'/g)) {
    if (existsSync(path.join('node_modules', m[1]!, 'package.json'))) add(m[1]!, false);
  }
  return uses;
}

describe('dependencies', async () => {
  const manifest = JSON.parse(await readFile('package.json', 'utf8')) as Record<
    string,
    Record<string, string> | undefined
  >;
  const runtime = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
  ]);
  const declared = new Set([...runtime, ...Object.keys(manifest.devDependencies ?? {})]);
  const files = [
    ...(await Promise.all(SOURCE_DIRS.map(sourceFiles))).flat(),
    ...(await readdir('.')).filter((f) => /\.(ts|js|mjs|cjs)$/.test(f)),
  ];
  const uses = (
    await Promise.all(files.map(async (file) => usesOf(file, await readFile(file, 'utf8'))))
  ).flat();

  it('finds the imports it checks (the scan itself works)', () => {
    const names = new Set(uses.map((u) => u.name));
    for (const name of ['zod', '@11ty/eleventy', '@tensorflow/tfjs', 'esbuild', 'cephes']) {
      assert.ok(names.has(name), `expected the scan to find ${name}`);
    }
  });

  it('declares every package the code imports', () => {
    const missing = uses.filter((u) => !declared.has(u.name)).map((u) => `${u.name} (${u.file})`);
    assert.deepEqual([...new Set(missing)], []);
  });

  it('lists what the engine, the site build and the scripts load at run time under dependencies', () => {
    const misfiled = uses
      .filter((u) => !u.typeOnly && RUNTIME_DIRS.some((dir) => u.file.startsWith(`${dir}/`)))
      .filter((u) => declared.has(u.name) && !runtime.has(u.name))
      .map((u) => `${u.name} (${u.file})`);
    assert.deepEqual([...new Set(misfiled)], []);
  });

  it('imports every runtime dependency somewhere, or says why it is declared', () => {
    const used = new Set(uses.filter((u) => !u.typeOnly).map((u) => u.name));
    const unused = [...runtime].filter((name) => !used.has(name) && !Object.hasOwn(DECLARED_FOR, name));
    assert.deepEqual(unused, []);
  });
});
