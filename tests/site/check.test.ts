import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkShortcodeCalls, findShortcodeCalls, type VerdictLookup } from '../../site/check.ts';
import { CHART_SHORTCODES } from '../../site/charts/plugin.ts';
import { requireVerdict } from '../../site/reproduction.ts';
import { SITE_SHORTCODES } from '../../site/shortcodes.ts';
import { makeReference } from '../fixtures/reference-fixture.ts';
import { makeResults } from '../fixtures/results-fixture.ts';

const FILE = 'content/posts/x.md';
const SPECS = { ...SITE_SHORTCODES, ...CHART_SHORTCODES };
const NAMES = new Set(Object.keys(SPECS));
const results = makeResults({ id: 'mlp1-vs-mlp2' });
const reference = makeReference({ mlp1: [9700, 9710, 9720] });
const verdict: VerdictLookup = (model, where) =>
  requireVerdict({ 'mlp1-vs-mlp2': results }, reference, model, 'mlp1-vs-mlp2', where);

const check = (text: string, lookup: VerdictLookup | null = verdict) =>
  checkShortcodeCalls(findShortcodeCalls(text, NAMES, 10), SPECS, results, FILE, lookup);

test('reproduction and seedDistributions calls are checked against the verdicts', () => {
  assert.doesNotThrow(() => check('p {% reproduction "mlp1" "welchP" %}\n{% seedDistributions "mlp1" %}'));
});

test('a reproduction call with an unknown field, or a model without a verdict, fails at its line', () => {
  assert.throws(() => check('Text.\n\np {% reproduction "mlp1" "pValue" %}'), {
    name: 'ContentError',
    message: /^content\/posts\/x\.md:12: unknown reproduction field 'pValue' \(known: reproduced, /,
  });
  assert.throws(() => check('{% seedDistributions "mlp2" %}'), {
    message: "content/posts/x.md:10: the PyTorch reference has fewer than two seeds of 'mlp2' (models: mlp1)",
  });
  assert.throws(() => check('{% reproduction "mlp1" %}'), {
    message: 'content/posts/x.md:10: {% reproduction %} takes 2 (verdictModel, verdictField), got 1',
  });
});

test('a verdict shortcode in a build without verdicts fails at its line', () => {
  assert.throws(() => check('\n{% seedDistributions "mlp1" %}', null), {
    message: 'content/posts/x.md:11: {% seedDistributions %}: no reproduction verdicts in this build',
  });
});
