/**
 * `npm run serve`: builds the site, serves _site/ on http://localhost:8080 with live reload and
 * rebuilds on changes. Usage: tsx scripts/serve.ts [--port N] [--results DIR]
 */
import { parseArgs } from 'node:util';
import { serveSite } from '../site/build.ts';
import { fail } from './cli.ts';

function parseArguments(): { port: number; resultsDir: string | undefined } {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '8080' }, results: { type: 'string' } },
  });
  return { port: Number(values.port), resultsDir: values.results };
}

async function main(): Promise<void> {
  await serveSite(parseArguments());
}

main().catch((error: unknown) => fail(error));
