/**
 * `npm run serve`: the development server (server.ts) in this process and the builder (builder.ts)
 * in a child process. The builder rebuilds on content, layout and results changes and reports
 * each build; this process passes the outcome to open pages (reload, or the error overlay) and
 * prints one line per build. A change to code (site modules, the Eleventy config, the results
 * contract, folder data files) restarts the builder, since a module cannot be imported anew.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { watch } from 'chokidar';
import { isCodeFile, SITE_INPUT_DIRS, type BuilderMessage, type BuilderOptions } from './builder.ts';
import { startDevServer } from './server.ts';

export interface ServeOptions {
  contentDir?: string;
  resultsDir?: string;
  /** The PyTorch reference's folder; default experiments/reference. */
  referenceDir?: string;
  outputDir?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Print each failure's whole chain of stacks, not only its line. */
  debug?: boolean;
  /** Where lines go; default: successes to stdout, failures to stderr. */
  log?: (line: string, kind: 'info' | 'error') => void;
  /** Called after every build, with what the builder reported (tests wait on it). */
  onBuild?: (message: BuilderMessage) => void;
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:8080` */
  origin: string;
  close(): Promise<void>;
}

const BUILDER_PROCESS = fileURLToPath(new URL('./builder-process.ts', import.meta.url));

/** What a code change can affect, relative to the repository root, beside the content folder's data files. */
const CODE_PATHS = ['site', 'eleventy.config.js', 'experiments/lib/contract'];

const defaultLog = (line: string, kind: 'info' | 'error') =>
  (kind === 'error' ? process.stderr : process.stdout).write(`${line}\n`);

export async function serveSite(options: ServeOptions = {}): Promise<RunningServer> {
  const builderOptions: BuilderOptions = {
    contentDir: options.contentDir ?? 'content',
    resultsDir: options.resultsDir ?? 'experiments/results',
    referenceDir: options.referenceDir ?? 'experiments/reference',
    outputDir: options.outputDir ?? '_site',
  };
  const log = options.log ?? defaultLog;
  const server = await startDevServer({
    root: builderOptions.outputDir,
    host: options.host,
    port: options.port,
  });
  log(
    `serve: ${server.origin}/ (building ${builderOptions.contentDir} into ${builderOptions.outputDir})`,
    'info',
  );

  let builder: ChildProcess | null = null;
  let closing = false;

  const onMessage = (message: BuilderMessage) => {
    const cause = message.changed.length === 0 ? 'start' : message.changed.join(', ');
    if (message.type === 'built') {
      server.setState({ status: 'ok' });
      log(`serve: built in ${message.ms} ms (${cause})`, 'info');
    } else {
      server.setState({ status: 'failed', message: message.message });
      log(`serve: ${message.message}`, 'error');
      if (options.debug) log(message.detail, 'error');
    }
    options.onBuild?.(message);
  };

  // Every builder ever started, so `close()` can end them all: a results change and a code change
  // at once could otherwise start two, and a forgotten one keeps this process alive.
  const children = new Set<ChildProcess>();
  const startBuilder = () => {
    if (builder !== null) return;
    const child = fork(BUILDER_PROCESS, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, SERVE_BUILDER_OPTIONS: JSON.stringify(builderOptions) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(child);
    child.on('message', (message) => onMessage(message as BuilderMessage));
    child.on('exit', (code, signal) => {
      if (builder !== child || closing) return;
      builder = null;
      const message = `the builder stopped (${signal ?? `exit code ${code}`}); save a file to restart it`;
      server.setState({ status: 'failed', message });
      log(`serve: ${message}`, 'error');
    });
    builder = child;
  };

  const stopBuilder = async () => {
    const child = builder;
    builder = null;
    if (child === null || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await exited;
  };

  const codeWatcher = watch([...CODE_PATHS, builderOptions.contentDir], {
    ignoreInitial: true,
    ignored: (file, stats) => stats?.isFile() === true && !isCodeFile(file),
  });
  const inputWatcher = watch(
    [builderOptions.contentDir, builderOptions.resultsDir, builderOptions.referenceDir, ...SITE_INPUT_DIRS],
    { ignoreInitial: true },
  );
  const restart = async (file: string) => {
    if (closing || !isCodeFile(file)) return;
    log(`serve: ${file} changed: restarting the builder`, 'info');
    await stopBuilder();
    if (!closing) startBuilder();
  };
  codeWatcher.on('change', restart).on('add', restart).on('unlink', restart);
  // After the builder stopped on its own, any change starts it again.
  inputWatcher.on('all', () => {
    if (builder === null && !closing) startBuilder();
  });
  await Promise.all(
    [codeWatcher, inputWatcher].map((w) => new Promise<void>((resolve) => w.once('ready', () => resolve()))),
  );
  startBuilder();

  return {
    origin: server.origin,
    async close() {
      closing = true;
      await Promise.all([codeWatcher.close(), inputWatcher.close()]);
      await stopBuilder();
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await server.close();
    },
  };
}
