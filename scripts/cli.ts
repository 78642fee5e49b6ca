/**
 * What every command-line entry point shares: one-line failures (the stack with --debug) and a
 * clean exit on Ctrl-C (results are written atomically, so an interrupted run leaves earlier ones intact).
 */
export function fail(error: unknown, debug = process.argv.includes('--debug')): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message.split('\n')[0]}\n${debug ? `${stackWithCauses(error)}\n` : ''}`);
  process.exit(1);
}

/** The stack of an error and of each of its causes (`{ cause }`), for --debug. */
export function stackWithCauses(error: unknown): string {
  const stacks: string[] = [];
  for (let current = error; current !== undefined && stacks.length < 10;) {
    stacks.push(current instanceof Error ? (current.stack ?? current.message) : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return stacks.join('\ncaused by: ');
}

export function exitOnInterrupt(): void {
  process.once('SIGINT', () => {
    process.stderr.write('\ninterrupted: earlier results are unchanged\n');
    process.exit(130);
  });
}
