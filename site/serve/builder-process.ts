/**
 * Entry point of the builder child process that serve.ts starts (`node --import tsx`): runs the
 * builder with the options in the SERVE_BUILDER_OPTIONS environment variable (JSON of
 * BuilderOptions) and sends each BuilderMessage to the parent over the IPC channel.
 */
import { runBuilder, type BuilderMessage, type BuilderOptions } from './builder.ts';

const options = JSON.parse(process.env.SERVE_BUILDER_OPTIONS ?? '{}') as BuilderOptions;

await runBuilder(options, (message: BuilderMessage) => process.send?.(message));
// Stop with the parent: the IPC channel closes when it exits or kills this process.
process.on('disconnect', () => process.exit(0));
