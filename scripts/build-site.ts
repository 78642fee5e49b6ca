/**
 * `npm run build:site`: builds _site/ from content/ and experiments/results/.
 * Usage: tsx scripts/build-site.ts [--results DIR] [--reference DIR] [--content DIR] [--output DIR] [--quiet] [--debug]
 */
import { parseArgs } from 'node:util';
import { describeBuildError, describeBuildErrorInFull } from '../site/build-error.ts';
import { buildSite, type BuildSiteOptions } from '../site/build.ts';

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

const options = parseArguments();

async function main(): Promise<void> {
  await buildSite(options);
}

function fail(error: unknown): void {
  console.error(`build:site: ${describeBuildError(error)}`);
  if (options.debug) console.error(describeBuildErrorInFull(error));
  process.exitCode = 1;
}

main().catch(fail);
