/**
 * Text measured with the real font the browser draws it in: fontkit on the very font files the
 * site ships (site/assets/fonts/), pure JavaScript, no vega. The charts install it into vega
 * (text-metrics.ts); the architecture diagrams (site/diagrams/) lay out their labels with it.
 */
import path from 'node:path';
import * as fontkit from 'fontkit';
import { FONTS_DIR, FONT_FILES } from './fonts.ts';

export interface FontSpec {
  /** CSS px. */
  fontSize: number;
  /** CSS weight: a number or `bold` / `normal`; 600 and above use the bold file. */
  fontWeight?: number | string | null;
  fontStyle?: string | null;
}

/** Measures a string's advance width in CSS px, kerning included. */
export type TextMeasurer = (text: string, font: FontSpec) => number;

function fontFileKey(font: FontSpec): keyof typeof FONT_FILES {
  const weight = font.fontWeight === 'bold' ? 700 : Number(font.fontWeight ?? 400);
  const bold = Number.isFinite(weight) && weight >= 600;
  const italic = font.fontStyle === 'italic' || font.fontStyle === 'oblique';
  return `${bold ? 700 : 400}-${italic ? 'italic' : 'normal'}`;
}

/** Loads the shipped font files from `dir` (default FONTS_DIR) and returns a caching measurer. */
export function createTextMeasurer(dir: string = FONTS_DIR): TextMeasurer {
  const fonts = new Map<string, fontkit.Font>();
  const widths = new Map<string, number>();
  const fontFor = (key: keyof typeof FONT_FILES): fontkit.Font => {
    let font = fonts.get(key);
    if (font === undefined) {
      const opened = fontkit.openSync(path.join(dir, FONT_FILES[key]));
      if (!('layout' in opened)) throw new Error(`${FONT_FILES[key]}: a font collection, expected one font`);
      font = opened;
      fonts.set(key, font);
    }
    return font;
  };
  return (text, spec) => {
    if (text === '' || spec.fontSize <= 0) return 0;
    const key = fontFileKey(spec);
    const cacheKey = `${key} ${spec.fontSize} ${text}`;
    let width = widths.get(cacheKey);
    if (width === undefined) {
      const font = fontFor(key);
      width = (font.layout(text).advanceWidth / font.unitsPerEm) * spec.fontSize;
      widths.set(cacheKey, width);
    }
    return width;
  };
}
