/**
 * Numbers in a post's prose are bound or declared: a numeral with a measurement unit or form
 * (99.9%, 50×, 120 µs, 1.2 s, 3 MB, 5 FLOPs, 0.2 gCO₂e, "4 times") that is typed into the text
 * rather than rendered by a shortcode or filter fails the build at its line. A number that
 * describes the set-up rather than a result (a 5×5 kernel, a 95% interval) is written
 * `{% literal "5×5" %}`, which renders the text as it is and keeps every such number greppable.
 *
 * What is not prose is blanked out first, keeping line numbers: Liquid tags and outputs, code,
 * HTML tags and comments, link targets and bare URLs.
 */
import { ContentError } from './errors.ts';

/** The shortcode that declares a set-up number: `{% literal "24×24" %}`. */
export const LITERAL_SHORTCODE = 'literal';

/** Units and forms after a numeral that make it a measurement (case-sensitive where case is meaning). */
const UNITS = [
  '%',
  'percent\\b',
  'percentage points?\\b',
  'points?\\b',
  '×(?:\\d+(?:\\.\\d+)?)?',
  'x\\b',
  'times\\b',
  '-?fold\\b',
  '[µμ]s\\b',
  'us\\b',
  'ns\\b',
  'ms\\b',
  's\\b',
  'sec(?:onds?)?\\b',
  'min(?:utes?)?\\b',
  'hours?\\b',
  'h\\b',
  '[kKMGT]i?B\\b',
  'bytes?\\b',
  'B\\b',
  '[kKMGT]?FLOP(?:s|/s)?',
  '(?:[mk]?g\\s*)?CO(?:₂|2)e?',
  'kWh\\b',
  'W\\b',
  'GHz\\b',
];

/** A numeral (not part of a word such as MLP-5 or CO2) followed by a unit. */
const MEASUREMENT = new RegExp(
  `(?<![\\p{L}\\p{N}_.,])(?<!\\p{L}-)(\\d+(?:,\\d{3})*(?:\\.\\d+)?)([ \\u00a0\\u2009\\u202f]?)(${UNITS.join('|')})`,
  'gu',
);

/** Replaces every match of `pattern` in `text` with spaces, keeping newlines (so line numbers stay true). */
function blank(text: string, pattern: RegExp): string {
  return text.replace(pattern, (match) => match.replace(/[^\n]/g, ' '));
}

/** The prose of a markdown body with everything that is not prose blanked out. */
export function proseOnly(body: string): string {
  let text = body;
  text = blank(text, /\{%-?\s*raw\s*-?%\}[\s\S]*?\{%-?\s*endraw\s*-?%\}/g);
  text = blank(text, /\{%[\s\S]*?%\}/g);
  text = blank(text, /\{\{[\s\S]*?\}\}/g);
  text = blank(text, /^(```|~~~)[\s\S]*?^\1/gm);
  text = blank(text, /`[^`\n]*`/g);
  text = blank(text, /<!--[\s\S]*?-->/g);
  text = blank(text, /<[^>\n]*>/g);
  text = blank(text, /\]\([^)\n]*\)/g);
  text = blank(text, /^\s*\[[^\]\n]+\]:.*$/gm);
  text = blank(text, /https?:\/\/\S+/g);
  return text
    .replace(/&times;|&#215;/g, (entity) => '×' + ' '.repeat(entity.length - 1))
    .replace(/&nbsp;|&thinsp;/g, (entity) => ' '.repeat(entity.length));
}

/** A measurement typed into prose: its text and 1-based line in the file. e.g. { text: '99.9%', line: 12 } */
export interface TypedNumber {
  text: string;
  line: number;
}

/** Every typed measurement in a markdown body; `firstLine` is the body's first line in the file. */
export function findTypedNumbers(body: string, firstLine = 1): TypedNumber[] {
  const prose = proseOnly(body);
  const found: TypedNumber[] = [];
  for (const match of prose.matchAll(MEASUREMENT)) {
    const [text, digits, space, unit] = match as unknown as [string, string, string, string];
    // A decade (the 1990s) is a date, not a number of seconds.
    if (unit === 's' && space === '' && /^\d{3}0$/.test(digits)) continue;
    const line = firstLine + prose.slice(0, match.index).split('\n').length - 1;
    found.push({ text: text.trim(), line });
  }
  return found;
}

/** Fails on the first typed measurement, naming the post and line, e.g. `content/posts/x.md:12: …`. */
export function checkProseNumbers(body: string, file: string, firstLine = 1): void {
  const [first] = findTypedNumbers(body, firstLine);
  if (first === undefined) return;
  throw new ContentError(
    file,
    first.line,
    `'${first.text}' is typed into the prose: render a result with a shortcode ({% metric %}, {% ratio %}, {% diff %}, …) or mark a set-up number {% ${LITERAL_SHORTCODE} "${first.text}" %}`,
  );
}
