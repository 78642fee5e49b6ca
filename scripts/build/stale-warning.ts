import type { PlannedExperiment } from '../../experiments/lib/runner/plan.ts';

/** What `build:site` says of a results file that is stale: the file, then what the plan would do. */
export function staleWarning(
  experiment: Pick<PlannedExperiment, 'file' | 'trials' | 'writeReason'>,
): string | null {
  if (experiment.writeReason === null) return null;
  const count = (action: string) => experiment.trials.filter((t) => t.action === action).length;
  const work = [
    count('train') > 0 ? `${count('train')} trials to train` : '',
    count('measure') > 0 ? `${count('measure')} to measure` : '',
  ].filter(Boolean);
  return (
    `build:site: warning: ${experiment.file} is stale for the current code and definitions` +
    ` (${work.length > 0 ? work.join(', ') : experiment.writeReason}); npm run experiments brings it up to date`
  );
}
