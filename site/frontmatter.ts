/**
 * A post's own front matter, validated where it enters: read from the raw file (so a typo such as
 * `claim:` is caught rather than lost in the data cascade) and turned into its proper types once.
 */
import yaml from 'js-yaml';
import { z } from 'zod';
import { formatPath } from '../experiments/lib/contract/errors.ts';
import { ContentError } from './errors.ts';

export const PostFrontMatter = z
  .object({
    title: z.string().min(1),
    description: z.string().min(1),
    /** The post's date, e.g. `2025-02-06` (a YAML date, read as UTC midnight). */
    date: z.date({ error: 'expected a date like 2025-02-06' }),
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

/** Parses and validates a post's front matter; errors name the file, the line and the field. */
export function parsePostFrontMatter(raw: string, file: string): PostFrontMatter {
  const block = splitFrontMatter(raw);
  if (block === null) throw new ContentError(file, 1, 'a post needs front matter between --- lines');
  let data: unknown;
  try {
    data = yaml.load(block.yaml);
  } catch (error) {
    const mark = (error as yaml.YAMLException).mark as { line?: number } | undefined;
    const line = mark?.line === undefined ? block.firstLine : block.firstLine + mark.line;
    throw new ContentError(
      file,
      line,
      `front matter is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
    );
  }
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
