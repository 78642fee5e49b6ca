/**
 * `npm run build:site`: builds _site/ from content/ and experiments/results/, first warning about
 * each results file that is stale for the current definitions and code (the engine's plan says so;
 * `npm run experiments` or `npm run build` brings it up to date). With `--results DIR` the
 * results are someone else's and are not checked.
 * Usage: tsx scripts/build-site.ts [--results DIR] [--reference DIR] [--content DIR] [--output DIR] [--quiet] [--debug]
 */
import { parseArgs } from 'node:util';
import { describeBuildError, describeBuildErrorInFull } from '../site/build-error.ts';
import { buildSite, type BuildSiteOptions } from '../site/build.ts';
import { staleWarning } from './build/stale-warning.ts';

function parseArguments(): BuildSiteOptions & { debug: boolean } {
  const { values } = parseArgs({
    options: {
      results: { type: 'string' },
      reference: { type: 'string' },
      content: { type: 'string' },
      output: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      debug: { type: 'boolean', default: false },
    },
  });
  return {
    resultsDir: values.results,
    referenceDir: values.reference,
    contentDir: values.content,
    outputDir: values.output,
    quiet: values.quiet,
    debug: values.debug,
  };
}

async function warnIfStale(): Promise<void> {
  try {
    const { planRun } = await import('../experiments/lib/runner/runner.ts');
    for (const experiment of (await planRun({ planOnly: true })).experiments) {
      const warning = staleWarning(experiment);
      if (warning !== null) console.warn(warning);
    }
  } catch (error) {
    console.warn(
      `build:site: warning: cannot tell whether the results are current: ${(error as Error).message}`,
    );
  }
}

const options = parseArguments();

async function main(): Promise<void> {
  if (options.resultsDir === undefined) await warnIfStale();
  await buildSite(options);
}

function fail(error: unknown): void {
  console.error(`build:site: ${describeBuildError(error)}`);
  if (options.debug) console.error(describeBuildErrorInFull(error));
  process.exitCode = 1;
}

main().catch(fail);
