/**
 * Claims: statements a post's prose relies on, listed in its front matter and checked against the
 * results at build time, e.g. `lenet5.accuracy > mlp5.accuracy` or `mlp5.sizeBytes / lenet5.sizeBytes > 10`.
 *
 * Grammar (parsed by jsep, then evaluated by walking only the whitelisted nodes below; nothing is
 * ever passed to eval): numbers; `run.metric` references, where a run key that is not an identifier
 * is quoted (`'mlp1@64'.accuracy`, `'mlp-128'.params`); unary minus; `+ - * /`; `< <= > >= == !=`;
 * `and`/`&&`, `or`/`||`; parentheses. A reference stands for the metric's value, the mean for a Stat.
 * A run's learning curves (learning-curves.ts) are read the same way: `lenet5.plateauEpoch` and
 * `lenet5.peakEpoch`, and `lenet5.epoch5.valAccuracy` for a field of the epoch log after an epoch,
 * the mean over seeds.
 *
 * `reproduction.model.field` refers to a model's reproduction verdict against PyTorch
 * (reproduction.ts; the fields are VERDICT_FIELDS'), e.g. `reproduction.mlp1.welchP >= 0.05`. A
 * field that is a yes/no (`reproduced`, `originalInRange`) is a statement of its own:
 * `reproduction.mlp1.reproduced and reproduction.mlp2.reproduced`. A model id that is not an
 * identifier is quoted in brackets: `reproduction['mlp-1024'].welchP`. (`reproduction` is no run key
 * claims can name.)
 */
import jsep from 'jsep';
import type { Results } from '../experiments/lib/contract/results.ts';
import { ClaimError, ContentError } from './errors.ts';
import {
  CURVE_QUANTITIES,
  EPOCH_FIELDS,
  epochOfName,
  epochSummary,
  isCurveQuantity,
  isEpochField,
  runEpochs,
} from './learning-curves.ts';
import { verdictField, type Verdict } from './reproduction.ts';
import { getRun, lookup, type Where } from './results.ts';

let wordOperatorsAdded = false;

/** jsep with the word operators `and` and `or` (same precedence as `&&` and `||`). */
function parser(): typeof jsep {
  if (!wordOperatorsAdded) {
    jsep.addBinaryOp('or', 1);
    jsep.addBinaryOp('and', 2);
    wordOperatorsAdded = true;
  }
  return jsep;
}

const ARITHMETIC = new Set(['+', '-', '*', '/']);
const COMPARISON = new Set(['<', '<=', '>', '>=', '==', '!=']);
const LOGICAL = new Set(['and', 'or', '&&', '||']);

const ALLOWED =
  'numbers, run.metric, run.epochN.field, reproduction.model.field, + - * /, comparisons, and/or';

/** The namespace of verdict references: `reproduction.mlp1.welchP`. */
export const REPRODUCTION = 'reproduction';

/** A value used while evaluating: its text in the claim and the value it had. e.g. { text: 'lenet5.accuracy', value: 0.981 } */
export interface ClaimValue {
  text: string;
  value: number | boolean;
}

/** What claims may refer to besides the page's experiment. */
export interface ClaimContext {
  /** The reproduction verdict of a model as the post's page shows it; throws a ContentError when there is none. */
  verdict?: (model: string) => Verdict;
}

export interface ClaimOutcome {
  holds: boolean;
  /** Every run.metric reference, in order of appearance, with its value. */
  values: ClaimValue[];
}

/** Thrown inside evaluation; turned into a ClaimError that names the post and the claim. */
class Unsupported extends Error {}
/** A claim inside the grammar that still says nothing: no reference to the results, or a non-finite value. */
class Meaningless extends Error {}

/**
 * Evaluates one claim against an experiment's results. Throws ClaimError if the claim cannot be
 * parsed, uses anything outside the grammar, or names an unknown run or metric; returns whether it holds.
 */
export function evaluateClaim(
  claim: string,
  experiment: Results,
  post: string,
  context: ClaimContext = {},
): ClaimOutcome {
  let tree: jsep.Expression;
  try {
    tree = parser()(claim);
  } catch (error) {
    throw new ClaimError(post, claim, `cannot be parsed: ${(error as Error).message}`);
  }
  const values: ClaimValue[] = [];

  const number = (node: jsep.Expression): number => {
    const result = evaluate(node);
    if (typeof result !== 'number') throw new Unsupported('a comparison cannot be used as a number');
    return result;
  };
  const truth = (node: jsep.Expression): boolean => {
    const result = evaluate(node);
    if (typeof result !== 'boolean') throw new Unsupported('a number cannot be used as a statement');
    return result;
  };

  function evaluate(node: jsep.Expression): number | boolean {
    switch (node.type) {
      case 'Literal': {
        const { value } = node as jsep.Literal;
        if (typeof value !== 'number')
          throw new Unsupported(`the literal ${String(node.raw)} is not a number`);
        return value;
      }
      case 'MemberExpression': {
        const member = node as jsep.MemberExpression;
        if (isVerdictReference(member)) return verdictReference(member);
        const { runKey, quoted, names } = reference(member);
        const value = referenceValue(experiment, runKey, names, { file: post, line: null });
        const text = [quoted ? `'${runKey}'` : runKey, ...names].join('.');
        values.push({ text, value });
        if (!Number.isFinite(value)) throw new Meaningless(`${text} is ${value}`);
        return value;
      }
      case 'UnaryExpression': {
        const unary = node as jsep.UnaryExpression;
        if (unary.operator !== '-') throw new Unsupported(`the operator '${unary.operator}' is not allowed`);
        return -number(unary.argument);
      }
      case 'BinaryExpression': {
        const { operator, left, right } = node as jsep.BinaryExpression;
        if (ARITHMETIC.has(operator)) {
          const [a, b] = [number(left), number(right)];
          const result =
            operator === '+' ? a + b : operator === '-' ? a - b : operator === '*' ? a * b : a / b;
          if (!Number.isFinite(result)) {
            throw new Meaningless(`${show(a)} ${operator} ${show(b)} gives ${result}, not a finite number`);
          }
          return result;
        }
        if (COMPARISON.has(operator)) {
          const [a, b] = [number(left), number(right)];
          const compare: Record<string, boolean> = {
            '<': a < b,
            '<=': a <= b,
            '>': a > b,
            '>=': a >= b,
            '==': a === b,
            '!=': a !== b,
          };
          return compare[operator]!;
        }
        if (LOGICAL.has(operator)) {
          // Both sides are evaluated so every reference is checked and reported.
          const [a, b] = [truth(left), truth(right)];
          return operator === 'and' || operator === '&&' ? a && b : a || b;
        }
        throw new Unsupported(`the operator '${operator}' is not allowed`);
      }
      case 'Identifier':
        throw new Unsupported(`'${(node as jsep.Identifier).name}' is not a run.metric reference`);
      default:
        throw new Unsupported(`${describe(node.type)} is not allowed`);
    }
  }

  /** Whether a reference reads `reproduction.model.field` (or `reproduction['model-id'].field`). */
  function isVerdictReference(member: jsep.MemberExpression): boolean {
    const inner = member.object;
    return (
      inner.type === 'MemberExpression' &&
      (inner as jsep.MemberExpression).object.type === 'Identifier' &&
      ((inner as jsep.MemberExpression).object as jsep.Identifier).name === REPRODUCTION
    );
  }

  /** The value of a verdict field: a number or, for a yes/no field, a statement. */
  function verdictReference(member: jsep.MemberExpression): number | boolean {
    const inner = member.object as jsep.MemberExpression;
    const model =
      !inner.computed && inner.property.type === 'Identifier'
        ? (inner.property as jsep.Identifier).name
        : inner.computed &&
            inner.property.type === 'Literal' &&
            typeof (inner.property as jsep.Literal).value === 'string'
          ? ((inner.property as jsep.Literal).value as string)
          : null;
    if (
      inner.object.type !== 'Identifier' ||
      (inner.object as jsep.Identifier).name !== REPRODUCTION ||
      model === null ||
      member.computed ||
      member.property.type !== 'Identifier'
    ) {
      throw new Unsupported(`references must read ${REPRODUCTION}.model.field`);
    }
    const name = (member.property as jsep.Identifier).name;
    const text = `${REPRODUCTION}${inner.computed ? `['${model}']` : `.${model}`}.${name}`;
    const field = verdictField(name, { file: post, line: null });
    if (field.value === undefined) throw new Unsupported(`${text} is text, not a number or a statement`);
    if (context.verdict === undefined)
      throw new Meaningless(`${text}: no reproduction verdicts in this build`);
    const value = field.value(context.verdict(model));
    values.push({ text, value });
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Meaningless(`${text} is ${value}`);
    return value;
  }

  try {
    const holds = truth(tree);
    if (values.length === 0) throw new Meaningless('it refers to no results (write run.metric)');
    return { holds, values };
  } catch (error) {
    if (error instanceof Unsupported) {
      throw new ClaimError(post, claim, `cannot be evaluated: ${error.message} (allowed: ${ALLOWED})`, null, {
        cause: error,
      });
    }
    if (error instanceof Meaningless) {
      throw new ClaimError(post, claim, `cannot be evaluated: ${error.message}`, null, { cause: error });
    }
    if (error instanceof ContentError) {
      throw new ClaimError(post, claim, `cannot be evaluated: ${error.reason}`, null, { cause: error });
    }
    throw error;
  }
}

/** The run key and the names after it of `run.metric` or `run.epochN.field`; anything else is Unsupported. */
function reference(member: jsep.MemberExpression): { runKey: string; quoted: boolean; names: string[] } {
  const names: string[] = [];
  let node: jsep.Expression = member;
  while (node.type === 'MemberExpression') {
    const { object, property, computed } = node as jsep.MemberExpression;
    if (computed || property.type !== 'Identifier') throw new Unsupported('references must read run.metric');
    names.unshift((property as jsep.Identifier).name);
    node = object;
  }
  const quoted = node.type === 'Literal' && typeof (node as jsep.Literal).value === 'string';
  if ((node.type !== 'Identifier' && !quoted) || names.length > 2) {
    throw new Unsupported('references must read run.metric or run.epochN.field');
  }
  const runKey = quoted ? ((node as jsep.Literal).value as string) : (node as jsep.Identifier).name;
  return { runKey, quoted, names };
}

/** The value of a reference: a metric, a learning-curve quantity, or an epoch-log field after an epoch. */
function referenceValue(experiment: Results, runKey: string, names: string[], where: Where): number {
  if (names.length === 1) {
    const [name] = names as [string];
    if (isCurveQuantity(name)) return CURVE_QUANTITIES[name](getRun(experiment, runKey, where));
    return lookup(experiment, runKey, name, where).value;
  }
  const [epochName, field] = names as [string, string];
  const run = getRun(experiment, runKey, where);
  const epoch = epochOfName(epochName);
  if (epoch === null) {
    throw new Unsupported(
      `'${epochName}' is not an epoch (write run.epochN.field, e.g. ${runKey}.epoch1.valAccuracy)`,
    );
  }
  if (!isEpochField(field)) {
    throw new ContentError(
      where.file,
      where.line,
      `unknown epoch field '${field}' (known: ${EPOCH_FIELDS.join(', ')})`,
    );
  }
  const summary = epochSummary(run, field, epoch);
  if (summary === null) {
    const epochs = runEpochs(run);
    throw new ContentError(
      where.file,
      where.line,
      `run '${runKey}' has no epoch ${epoch} (trained: ${epochs[0]}–${epochs.at(-1)})`,
    );
  }
  return summary.mean;
}

function describe(type: string): string {
  const names: Record<string, string> = {
    CallExpression: 'a function call',
    Compound: 'more than one expression',
    ConditionalExpression: 'a conditional',
    ArrayExpression: 'an array',
    ThisExpression: 'this',
  };
  return names[type] ?? `a ${type}`;
}

/** A value as it appears in claim messages: four significant figures. e.g. 0.981134 → "0.9811", false → "false" */
function show(value: number | boolean): string {
  return typeof value === 'boolean' ? String(value) : String(Number(value.toPrecision(4)));
}

/**
 * Checks every claim of a post; throws ClaimError naming the first false one, its line (from
 * `lineOf`, when given) and the values it used.
 */
export function checkClaims(
  claims: readonly string[],
  experiment: Results,
  post: string,
  lineOf: (claim: string) => number | null = () => null,
  context: ClaimContext = {},
): void {
  for (const claim of claims) {
    let outcome: ClaimOutcome;
    try {
      outcome = evaluateClaim(claim, experiment, post, context);
    } catch (error) {
      if (error instanceof ClaimError) {
        throw new ClaimError(post, claim, error.actual, lineOf(claim), { cause: error.cause });
      }
      throw error;
    }
    if (!outcome.holds) {
      const unique = [...new Map(outcome.values.map((v) => [v.text, v])).values()];
      const actual = unique.map((v) => `${v.text} = ${show(v.value)}`).join(', ');
      throw new ClaimError(post, claim, `is false${actual === '' ? '' : `: ${actual}`}`, lineOf(claim));
    }
  }
}
