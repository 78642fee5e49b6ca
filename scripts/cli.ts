/**
 * What every command-line entry point shares: one-line failures (the stack and every cause's with
 * --debug) and a clean exit on Ctrl-C (results are written atomically, so an interrupted run leaves
 * earlier ones intact).
 */

/**
 * The text `fail` prints for `error`: its message's first line; with `debug`, then its stack and the
 * stack of each error in its `cause` chain, each under `caused by:`.
 * e.g. "error: x.json: cannot write: ENOSPC: …\n<stack>\ncaused by: Error: ENOSPC: …\n<stack>"
 */
export function describeError(error: unknown, debug: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = [`error: ${message.split('\n')[0]}`];
  if (!debug) return lines.join('\n');
  const seen = new Set<unknown>();
  let current: unknown = error;
  for (let depth = 0; current !== undefined && !seen.has(current); depth++) {
    seen.add(current);
    const text = current instanceof Error ? (current.stack ?? current.message) : String(current);
    lines.push(depth === 0 ? text : `caused by: ${text}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.join('\n');
}

export function fail(error: unknown, debug = process.argv.includes('--debug')): never {
  process.stderr.write(`${describeError(error, debug)}\n`);
  process.exit(1);
}

export function exitOnInterrupt(): void {
  process.once('SIGINT', () => {
    process.stderr.write('\ninterrupted: earlier results are unchanged\n');
    process.exit(130);
  });
}
