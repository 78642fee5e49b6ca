import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkProseNumbers, findTypedNumbers } from '../../site/prose-numbers.ts';

test('numerals with a unit or form typed into prose are found with their lines', () => {
  const body = [
    'LeNet-5 reaches 99.9% accuracy and is 50× smaller.',
    'It answers in 120 µs, or 0.12 ms; an epoch takes 1.5 s and the file is 2.3 MB (180 KB zipped).',
    'It needs 563,280 FLOPs and emits 0.2 gCO₂e, four times less, or 4 times, or 1.1–1.4×.',
    'A 5×5 kernel, 24×24 maps, a gap of 2.1 percentage points.',
  ].join('\n');
  assert.deepEqual(
    findTypedNumbers(body, 10).map((n) => `${n.line}: ${n.text}`),
    [
      '10: 99.9%',
      '10: 50×',
      '11: 120 µs',
      '11: 0.12 ms',
      '11: 1.5 s',
      '11: 2.3 MB',
      '11: 180 KB',
      '12: 563,280 FLOPs',
      '12: 0.2 gCO₂e',
      '12: 4 times',
      '12: 1.4×',
      '13: 5×5',
      '13: 24×24',
      '13: 2.1 percentage points',
    ],
  );
});

test('numbers from shortcodes, literals, code, links, HTML and model names are not typed measurements', () => {
  const body = [
    'LeNet-5 and MLP-5 reach {% metric "lenet5" "accuracy" %}, {{ 95 | append: "%" }}, {% seeds %} times each.',
    'A {% literal "5×5" %} kernel; `x = 50%`; [the post](/2025/02/06/a-5x-b.html); <img width="50%">.',
    'CO<sub>2</sub> and CO2 from the 1990s; 784 pixels, 10,000 test images, batch 64, p < 0.001.',
    '```',
    'speed = 3 ms',
    '```',
    'See https://example.org/50%-off and <!-- 99% -->.',
  ].join('\n');
  assert.deepEqual(findTypedNumbers(body), []);
});

test('a typed measurement fails naming the post, the line and the way to bind or declare it', () => {
  assert.throws(
    () => checkProseNumbers('Fine.\n\nLeNet-5 reaches 99.9% accuracy.\n', 'content/posts/x.md', 7),
    {
      name: 'ContentError',
      message:
        'content/posts/x.md:9: \'99.9%\' is typed into the prose: render a result with a shortcode ({% metric %}, {% ratio %}, {% diff %}, …) or mark a set-up number {% literal "99.9%" %}',
    },
  );
});
