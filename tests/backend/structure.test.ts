import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const LIB = resolve(import.meta.dirname, '..', '..', 'experiments', 'lib');
const BACKEND = join(LIB, 'backend');

/** Every .ts file under `directory`, absolute paths. */
function sources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The relative imports and re-exports of a module, as absolute paths (type-only ones included). */
function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.{1,2}\/[^']+)'/gms)].map((match) =>
    resolve(dirname(file), match[1]!),
  );
}

test('the backend imports of the engine only its kernel names, and nothing of the runner', () => {
  const outside = sources(BACKEND).flatMap((file) =>
    localImports(file)
      .filter((target) => !target.startsWith(BACKEND + '/'))
      .map((target) => `${relative(LIB, file)} → ${relative(LIB, target)}`),
  );
  const allowed = /→ (engine\/kernel-names\.ts|contract\/[a-z-]+\.ts)$/;
  assert.deepEqual(
    outside.filter((edge) => !allowed.test(edge)),
    [],
  );
});

test('the engine imports nothing of the backend or the runner (imports point scripts → runner → engine → contract)', () => {
  const engine = join(LIB, 'engine');
  const outside = sources(engine).flatMap((file) =>
    localImports(file)
      .filter((target) => !target.startsWith(engine + '/') && !target.startsWith(join(LIB, 'contract') + '/'))
      .map((target) => `${relative(LIB, file)} → ${relative(LIB, target)}`),
  );
  assert.deepEqual(outside, []);
});

test('the backend has no import cycle', () => {
  const graph = new Map(sources(BACKEND).map((file) => [file, localImports(file)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(LIB, f)).join(' → '));
      return;
    }
    state.set(file, 'visiting');
    for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  assert.deepEqual(cycles, []);
});

test('no backend module is over 300 lines (the assembled SIMD module aside, which is data)', () => {
  const long = sources(BACKEND)
    .filter((file) => !file.endsWith(join('simd', 'module.ts')))
    .map((file) => ({ file: relative(LIB, file), lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
    .filter(({ lines }) => lines > 300);
  assert.deepEqual(long, []);
});
