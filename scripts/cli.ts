/**
 * What every command-line entry point shares: one-line failures (the stack with --debug) and a
 * clean exit on Ctrl-C (results are written atomically, so an interrupted run leaves earlier ones intact).
 */
export function fail(error: unknown, debug = process.argv.includes('--debug')): never {
  const message =
    error instanceof Error ? (debug ? (error.stack ?? error.message) : error.message) : String(error);
  process.stderr.write(
    `error: ${message.split('\n')[0]}${debug && error instanceof Error ? `\n${error.stack}` : ''}\n`,
  );
  process.exit(1);
}

export function exitOnInterrupt(): void {
  process.once('SIGINT', () => {
    process.stderr.write('\ninterrupted: earlier results are unchanged\n');
    process.exit(130);
  });
}
