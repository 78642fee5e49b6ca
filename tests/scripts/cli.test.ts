import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import {
  DatasetError,
  DefinitionError,
  FileError,
  ResultsError,
  UsageError,
} from '../../experiments/lib/contract/errors.ts';
import { ClaimError, ContentError } from '../../site/errors.ts';
import { describeError, watchedAncestors } from '../../scripts/cli.ts';

describe('command-line errors', () => {
  it('prints one line without --debug', () => {
    const error = new ResultsError('r.json', 'runs[0]', 'bad\nsecond line', { cause: new Error('inner') });
    assert.equal(describeError(error, false), 'error: r.json: runs[0]: bad');
  });

  it('prints the stack of every error in the cause chain with --debug', () => {
    const root = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const middle = new FileError('experiments/results/x.json', 'write', root);
    const top = new UsageError('the run failed', { cause: middle });
    const text = describeError(top, true);
    const lines = text.split('\n');
    assert.equal(lines[0], 'error: the run failed');
    assert.equal(lines[1], 'UsageError: the run failed');
    assert.ok(
      text.includes(
        '\ncaused by: FileError: experiments/results/x.json: cannot write: ENOSPC: no space left on device, write\n',
      ),
      text,
    );
    assert.ok(text.includes('\ncaused by: Error: ENOSPC: no space left on device, write\n'), text);
    assert.ok(
      lines.some((line) => line.includes('cli.test.ts')),
      'stack frames are printed',
    );
  });

  it('stops at a cause that is not an Error and at a cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    assert.equal(describeError(b, true).split('caused by:').length, 2);
    assert.match(describeError(new Error('x', { cause: 'plain text' }), true), /caused by: plain text$/);
  });

  it('gives every error class a cause', () => {
    const cause = new Error('inner');
    const errors = [
      new DatasetError('d', 'r', { cause }),
      new DefinitionError('f', 'x', 'r', { cause }),
      new ResultsError('f', 'x', 'r', { cause }),
      new UsageError('m', { cause }),
      new FileError('p', 'read', cause),
      new ContentError('c.md', 3, 'r', { cause }),
      new ClaimError('c.md', 'a > b', 'is false', 4, { cause }),
    ];
    for (const error of errors) assert.equal(error.cause, cause, error.name);
  });
});

test('watchedAncestors: the chain up to npm, none without npm, never the shells above npm', () => {
  const chain = [
    { pid: 40, comm: 'sh' },
    { pid: 30, comm: 'npm run experim' },
    { pid: 20, comm: 'bash' },
    { pid: 10, comm: 'sshd' },
  ];
  assert.deepEqual(
    watchedAncestors(chain).map((a) => a.pid),
    [40, 30],
  );
  assert.deepEqual(
    watchedAncestors([{ pid: 7, comm: 'npm' }, ...chain.slice(2)]).map((a) => a.pid),
    [7],
  );
  assert.deepEqual(watchedAncestors(chain.slice(2)), []);
});
