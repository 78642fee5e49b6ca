/**
 * `npm run serve`: builds the site, serves _site/ on http://localhost:8080 with live reload and
 * rebuilds on changes. Usage: tsx scripts/serve.ts [--port N] [--results DIR]
 */
import { parseArgs } from 'node:util';
import { serveSite } from '../site/build.ts';

function parseArguments(): { port: number; resultsDir: string | undefined } {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '8080' }, results: { type: 'string' } },
  });
  return { port: Number(values.port), resultsDir: values.results };
}

async function main(): Promise<void> {
  await serveSite(parseArguments());
}

function fail(error: unknown): void {
  console.error(`serve: ${(error as Error).message}`);
  process.exitCode = 1;
}

main().catch(fail);
