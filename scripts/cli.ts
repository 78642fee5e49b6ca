import { readFileSync } from 'node:fs';

/**
 * What every command-line entry point shares: one-line failures (the whole chain of causes with
 * --debug) and a clean exit on Ctrl-C or SIGTERM (results are written atomically, so an interrupted
 * run leaves earlier ones intact).
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

/** On SIGINT or SIGTERM: `cleanUp()` (synchronous), a line saying nothing was lost, exit 130 / 143. */
export function exitOnSignals(cleanUp: () => void = () => undefined): void {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      cleanUp();
      process.stderr.write(`\ninterrupted (${signal}): earlier results are unchanged\n`);
      process.exit(code);
    });
  }
}

/** One process of the ancestor chain: its pid and the command name /proc gives it. */
export interface Ancestor {
  pid: number;
  comm: string;
}

/** This process's ancestors, nearest first, up to (not including) init; [] off Linux. */
function ancestors(): Ancestor[] {
  const chain: Ancestor[] = [];
  let pid = process.ppid;
  try {
    while (pid > 1 && chain.length < 32) {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces or parentheses.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      chain.push({ pid, comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) });
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    }
  } catch {
    return chain.length > 0 ? chain : [{ pid: process.ppid, comm: '' }];
  }
  return chain;
}

/**
 * The ancestors whose end should end this process: the chain up to and including the nearest npm
 * (`npm run x` runs `sh -c`, which runs node, and a signal to npm kills only the shell), none when
 * npm did not start it (signals then reach this process itself). Never the shells above npm:
 * `nohup npm run experiments &` must outlive the terminal that started it.
 * e.g. [sh, npm, bash, sshd] → [sh, npm]; [bash, sshd] → []
 */
export function watchedAncestors(chain: Ancestor[]): Ancestor[] {
  const npm = chain.findIndex((a) => a.comm === 'npm' || a.comm.startsWith('npm '));
  return chain.slice(0, npm + 1);
}

/**
 * Exits like SIGTERM when a watched ancestor (`watchedAncestors`) ends. `npm run` forwards SIGTERM to
 * its shell, which dies without passing it on, so a signal to npm would otherwise leave this process
 * running (checked every half second; the timer does not keep the process alive).
 */
export function exitWithAncestors(cleanUp: () => void = () => undefined): void {
  const watched = watchedAncestors(ancestors()).map((a) => a.pid);
  if (watched.length === 0) return;
  const timer = setInterval(() => {
    const gone = watched.find((pid) => {
      try {
        process.kill(pid, 0);
        return false;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'ESRCH';
      }
    });
    if (gone === undefined && process.ppid === watched[0]) return;
    clearInterval(timer);
    cleanUp();
    process.stderr.write(
      `\nstopped: the process that started this one (pid ${gone ?? watched[0]}) ended; earlier results are unchanged\n`,
    );
    process.exit(143);
  }, 500);
  timer.unref();
}

/** Kept for the entry points that only need Ctrl-C. */
export function exitOnInterrupt(): void {
  exitOnSignals();
}
