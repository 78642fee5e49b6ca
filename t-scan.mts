import * as fontkit from 'fontkit';
import { readFileSync } from 'node:fs';
import { globSync } from 'node:fs';
const font = fontkit.openSync('site/assets/fonts/inter-latin-400-normal.woff2') as fontkit.Font;
const files = process.argv.slice(2);
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    for (const c of new Set(line)) {
      const cp = c.codePointAt(0)!;
      if (cp > 127 && !font.hasGlyphForCodePoint(cp)) console.log(`${f}:${i + 1}: ${c} U+${cp.toString(16)}`);
    }
  });
}
