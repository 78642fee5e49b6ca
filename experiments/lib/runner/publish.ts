/**
 * Writing an experiment's results so that nothing is lost: the saved models go first, each into a
 * new folder named by its trial key (`<id>/models/<run>-<key>`), then the results file is renamed into
 * place, and only then are model folders the new results no longer name removed. A kill or a full disk
 * at any step leaves the old results with the models they name, or the new results with theirs.
 */
import { access, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Results } from '../contract/results.ts';
import type { SavedFiles } from '../engine/save.ts';
import { failpoint, temporaryName, withPath, writeJson } from './files.ts';
import { writeModelFiles } from './store.ts';

export function resultsFile(resultsDir: string, id: string): string {
  return path.join(resultsDir, `${id}.json`);
}

/** The folder (relative to the results folder) a run's saved model goes to. */
export function savedModelPath(experiment: string, runKey: string, trialKey: string): string {
  return path.posix.join(experiment, 'models', `${runKey}-${trialKey.slice(0, 12)}`);
}

async function exists(target: string): Promise<boolean> {
  return access(target).then(
    () => true,
    () => false,
  );
}

export async function publishResults(
  resultsDir: string,
  results: Results,
  models: Map<string, () => Promise<SavedFiles>>,
): Promise<string> {
  for (const run of results.runs) {
    if (run.savedModel === null) continue;
    const target = path.join(resultsDir, run.savedModel);
    if (await exists(path.join(target, 'model.json'))) continue;
    const temporary = temporaryName(target);
    try {
      await mkdir(temporary, { recursive: true });
      await writeModelFiles(temporary, await models.get(run.key)!());
      await rm(target, { recursive: true, force: true });
      await rename(temporary, target);
    } catch (error) {
      throw withPath(error, target);
    } finally {
      await rm(temporary, { recursive: true, force: true });
    }
  }
  failpoint('models');
  const file = resultsFile(resultsDir, results.experiment.id);
  await writeJson(file, results, 'results');
  const modelsDir = path.join(resultsDir, results.experiment.id, 'models');
  const keep = new Set(
    results.runs.flatMap((r) => (r.savedModel === null ? [] : [path.posix.basename(r.savedModel)])),
  );
  const entries = await readdir(modelsDir).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((e) => !keep.has(e) && !e.startsWith('.tmp-'))
      .map((e) => rm(path.join(modelsDir, e), { recursive: true, force: true })),
  );
  return file;
}
