/**
 * `npm run build:site`: builds _site/ from content/ and experiments/results/.
 * Usage: tsx scripts/build-site.ts [--results DIR] [--content DIR] [--output DIR] [--quiet] [--debug]
 */
import { parseArgs } from 'node:util';
import { buildSite, type BuildSiteOptions } from '../site/build.ts';
import { fail } from './cli.ts';

function parseArguments(): BuildSiteOptions & { debug: boolean } {
  const { values } = parseArgs({
    options: {
      results: { type: 'string' },
      content: { type: 'string' },
      output: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      debug: { type: 'boolean', default: false },
    },
  });
  return {
    resultsDir: values.results,
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

main().catch((error: unknown) => fail(error, options.debug));
