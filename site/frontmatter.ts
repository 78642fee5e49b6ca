/**
 * Front matter, validated where it enters: read from the raw file (so a typo such as `claim:` is
 * caught rather than lost in the data cascade) and turned into its proper types once. Before Eleventy
 * reads any template, `strictFrontMatter` checks the YAML of every page and the schema of every
 * post, so a mistake is one line naming the file, the line (and column) and what was expected,
 * rather than Eleventy's multi-line report or a silently rolled-over date.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import yaml from 'js-yaml';
import { z } from 'zod';
import { formatPath } from '../experiments/lib/contract/errors.ts';
import { ContentError } from './errors.ts';
import type { EleventyConfig } from './eleventy.ts';
import { contentPath } from './page.ts';

/**
 * A real calendar date written YYYY-MM-DD, read as UTC midnight. e.g. `2025-02-06`; `2025-13-45`
 * and `2025-02-30` are rejected, not rolled over into another month.
 */
export const CalendarDate = z
  .string({ error: 'expected a date like 2025-02-06' })
  .transform((text, context) => {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    const date = match === null ? null : new Date(Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!));
    if (date === null || date.toISOString().slice(0, 10) !== text) {
      context.addIssue({
        code: 'custom',
        message: `'${text}' is not a calendar date (expected YYYY-MM-DD, e.g. 2025-02-06)`,
      });
      return z.NEVER;
    }
    return date;
  });

export const PostFrontMatter = z
  .object({
    title: z.string().min(1),
    description: z.string().min(1),
    /** The post's date, e.g. `2025-02-06` (read as UTC midnight; it sets the post's URL). */
    date: CalendarDate,
    /** Id of the experiment whose results the post discusses, e.g. `mlp-vs-lenet`. */
    experiment: z.string().min(1),
    /** Extra tags; every post also gets `posts` from the folder data. */
    tags: z.array(z.string().min(1)).default([]),
    /** The path the original blog gave this post; the site answers there too (see redirects.ts). */
    originalUrl: z
      .string()
      .regex(/^\/\d{4}\/\d{2}\/\d{2}\/[a-z0-9-]+\.html$/, {
        error: "expected the original post's path, e.g. /2025/02/06/mlp-vs-lenet-for-digit-recognition.html",
      })
      .optional(),
    /** Statements the prose relies on, checked at build time (see claims.ts). */
    claims: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type PostFrontMatter = z.infer<typeof PostFrontMatter>;

/** The front matter block of a markdown file and the 1-based line its first key is on. */
export function splitFrontMatter(raw: string): { yaml: string; firstLine: number; bodyLine: number } | null {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(raw);
  if (match === null) return null;
  const bodyLine = match[0].split('\n').length - (match[0].endsWith('\n') ? 0 : 1);
  return { yaml: match[1]!, firstLine: 2, bodyLine };
}

/** The line of a top-level front matter key, e.g. `claims`, or the first line of the block. */
function keyLine(block: { yaml: string; firstLine: number }, key: PropertyKey | undefined): number {
  if (typeof key !== 'string') return block.firstLine;
  const index = block.yaml.split(/\r?\n/).findIndex((line) => line.startsWith(`${key}:`));
  return index === -1 ? block.firstLine : block.firstLine + index;
}

/**
 * The YAML of a front matter block as plain data (YAML's core schema: dates stay strings, so a
 * schema can check them), or a one-line ContentError at the file's line and column.
 */
export function loadFrontMatterYaml(block: { yaml: string; firstLine: number }, file: string): unknown {
  try {
    return yaml.load(block.yaml, { schema: yaml.CORE_SCHEMA, filename: file });
  } catch (error) {
    const exception = error as yaml.YAMLException;
    const mark = exception.mark as { line?: number; column?: number } | undefined;
    const line = block.firstLine + (mark?.line ?? 0);
    const reason = (exception.reason ?? exception.message).split('\n')[0];
    throw new ContentError(file, line, `front matter is not valid YAML: ${reason}`, {
      cause: error,
      column: (mark?.column ?? 0) + 1,
    });
  }
}

/** Parses and validates a post's front matter; errors name the file, the line and the field. */
export function parsePostFrontMatter(raw: string, file: string): PostFrontMatter {
  const block = splitFrontMatter(raw);
  if (block === null) throw new ContentError(file, 1, 'a post needs front matter between --- lines');
  const data = loadFrontMatterYaml(block, file);
  const parsed = PostFrontMatter.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path[0];
    const field = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : formatPath(issue.path);
    const reason =
      issue.code === 'unrecognized_keys'
        ? `unknown key (allowed: ${Object.keys(PostFrontMatter.shape).join(', ')})`
        : issue.message;
    throw new ContentError(file, keyLine(block, key), `front matter: ${field}: ${reason}`);
  }
  return parsed.data;
}

/** Every `.md` and `.liquid` file under `dir`, as paths joined onto `dir`. */
async function templateFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) {
      out.push(...(await templateFiles(file)));
    } else if (entry.isFile() && /\.(md|liquid)$/.test(entry.name)) out.push(file);
  }
  return out;
}

/**
 * Checks the front matter of every template in `inputDir` (relative to the working directory):
 * valid YAML everywhere, and the post schema for markdown files in `posts/`.
 */
export async function checkFrontMatter(inputDir: string): Promise<void> {
  for (const found of (await templateFiles(inputDir)).sort()) {
    const raw = await readFile(found, 'utf8');
    const file = contentPath(found);
    const isPost = path.basename(path.dirname(file)) === 'posts' && file.endsWith('.md');
    if (isPost) parsePostFrontMatter(raw, file);
    else {
      const block = splitFrontMatter(raw);
      if (block !== null) loadFrontMatterYaml(block, file);
    }
  }
}

/** Plugin: runs `checkFrontMatter` on the input folder before Eleventy reads the templates. */
export default function strictFrontMatter(eleventyConfig: EleventyConfig): void {
  eleventyConfig.on('eleventy.before', async () => {
    await checkFrontMatter(eleventyConfig.directories.input);
  });
}
