/**
 * `npm run serve` (and `npm start`): builds the site, serves it on http://127.0.0.1:8080 with live
 * reload and rebuilds on every change; a failed build shows its error in place of the page.
 * Usage: tsx scripts/serve.ts [--host H] [--port N] [--results DIR] [--reference DIR] [--content DIR] [--output DIR] [--debug]
 */
import { parseArgs } from 'node:util';
import { serveSite, type ServeOptions } from '../site/serve/serve.ts';

function parseArguments(): ServeOptions {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      results: { type: 'string' },
      reference: { type: 'string' },
      content: { type: 'string' },
      output: { type: 'string' },
      debug: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port: expected a port number from 0 to 65535, got '${values.port}'`);
  }
  return {
    host: values.host,
    port,
    resultsDir: values.results,
    referenceDir: values.reference,
    contentDir: values.content,
    outputDir: values.output,
    debug: values.debug,
  };
}

async function main(): Promise<void> {
  const server = await serveSite(parseArguments());
  process.once('SIGINT', () => void server.close().then(() => process.exit(0)));
}

function fail(error: unknown): void {
  const debug = process.argv.includes('--debug');
  console.error(debug && error instanceof Error ? error.stack : `serve: ${(error as Error).message}`);
  process.exitCode = 1;
}

main().catch(fail);
