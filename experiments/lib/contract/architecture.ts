/**
 * Architectures as data: one JSON file per architecture under experiments/architectures/, id = file
 * name, or a spec written inline in a definition. A spec is a display label and a layer list; the
 * input is always one 28×28×1 image (./image.ts) and the last layer gives the 10 logits.
 *
 * Layers, in order (defaults filled in when a spec is read, so a parsed spec is canonical):
 *   { "kind": "flatten" }
 *   { "kind": "crop", "size": 20 }                    centre crop to size × size
 *   { "kind": "dense", "units": 120, "activation": "tanh" }
 *   { "kind": "conv", "filters": 6, "kernel": 5, "stride": 1, "padding": "valid", "activation": "tanh" }
 *   { "kind": "avgpool", "size": 2, "stride": 2 }     also "maxpool"; stride defaults to size
 *
 * `planLayers` infers every layer's input and output shape and its name (conv1, pool1, fc1, flatten,
 * crop), and rejects a list whose shapes do not fit with an error naming the layer and the field.
 * Pure: no tfjs here (the site imports this folder).
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ArchitectureError, formatPath } from './errors.ts';
import { INPUT_SHAPE, NUM_CLASSES } from './image.ts';

export const ARCHITECTURES_DIR = 'experiments/architectures';

/** Activation functions a dense or conv layer may use (tfjs-layers identifiers). */
export const ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'tanh',
  'sigmoid',
  'elu',
  'selu',
  'softplus',
  'softsign',
] as const;
export type Activation = (typeof ACTIVATIONS)[number];

const count = z.number().int().positive();
const activation = z.enum(ACTIVATIONS);

const LayerSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('flatten') }),
  z.strictObject({ kind: z.literal('crop'), size: count }),
  z.strictObject({ kind: z.literal('dense'), units: count, activation }),
  z.strictObject({
    kind: z.literal('conv'),
    filters: count,
    kernel: count,
    stride: count.default(1),
    padding: z.enum(['valid', 'same']).default('valid'),
    activation,
  }),
  z.strictObject({ kind: z.literal('avgpool'), size: count.default(2), stride: count.optional() }),
  z.strictObject({ kind: z.literal('maxpool'), size: count.default(2), stride: count.optional() }),
]);

/** One layer of a parsed spec, defaults filled in. */
export type Layer =
  | Exclude<z.infer<typeof LayerSchema>, { kind: 'avgpool' | 'maxpool' }>
  | { kind: 'avgpool' | 'maxpool'; size: number; stride: number };
export type LayerKind = Layer['kind'];

const idPattern = /^[a-z0-9][a-z0-9-]*$/;
const fields = {
  label: z.string().min(1),
  description: z.string().min(1).optional(),
  /** Where the architecture comes from (a paper, a post), free text. */
  source: z.string().min(1).optional(),
  layers: z.array(LayerSchema).min(1),
};
/** A file in experiments/architectures/: the id is the file name. */
const FileSchema = z.strictObject(fields);
/** A spec written inline in a definition's `models`: it names its own id. */
const InlineSchema = z.strictObject({
  id: z.string().regex(idPattern, 'must be lowercase letters, digits and dashes'),
  ...fields,
});

/** A validated architecture. `file` is where it was declared (an architecture file or a definition). */
export interface ArchitectureSpec {
  id: string;
  label: string;
  description?: string;
  source?: string;
  layers: Layer[];
  file: string;
}

/** Shape of one sample: [height, width, channels] for an image, [n] once flat. */
export type Shape = number[];

/** One layer with what `planLayers` inferred for it. */
export interface PlannedLayer {
  layer: Layer;
  /** Position in the layer list. */
  index: number;
  /** conv1, conv2, pool1, fc1, …; `flatten`, `crop` (crop2, … for later crops). */
  name: string;
  inputShape: Shape;
  outputShape: Shape;
}

const formatShape = (shape: Shape): string => shape.join('×');
const plane = (shape: Shape): string => `${shape[0]}×${shape[1]}`;

/**
 * Every layer's name and shapes, from the 28×28×1 input on. Throws an ArchitectureError
 * `<file>: <field>[i].<key>: <reason>` for a list that does not fit: a dense layer before the flatten,
 * a window (kernel, crop, pool) larger than its input, pooling that does not tile its input, a last
 * layer that is not a linear dense layer of 10 units.
 */
export function planLayers(
  layers: readonly Layer[],
  where: { file: string; field: string } = { file: '(architecture)', field: 'layers' },
): PlannedLayer[] {
  let shape: Shape = [...INPUT_SHAPE];
  const counts = new Map<string, number>();
  const name = (prefix: string, plain: boolean): string => {
    const n = (counts.get(prefix) ?? 0) + 1;
    counts.set(prefix, n);
    return plain && n === 1 ? prefix : `${prefix}${n}`;
  };
  return layers.map((layer, index) => {
    const fail = (key: string, reason: string): never => {
      throw new ArchitectureError(where.file, `${where.field}[${index}].${key}`, reason);
    };
    const image = (what: string): [number, number, number] => {
      if (shape.length !== 3)
        fail('kind', `${what} needs an image input, got a flat ${shape[0]} (put it before the flatten)`);
      return shape as [number, number, number];
    };
    const window = (key: string, size: number, [h, w]: number[]) => {
      if (size > h! || size > w!) fail(key, `${size} exceeds the ${h}×${w} input`);
    };
    const inputShape = shape;
    let layerName: string;
    switch (layer.kind) {
      case 'flatten':
        if (shape.length !== 3) fail('kind', `the input is already flat (${shape[0]})`);
        layerName = name('flatten', true);
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'crop': {
        const [h, w, c] = image('a crop');
        window('size', layer.size, shape);
        if ((h - layer.size) % 2 !== 0 || (w - layer.size) % 2 !== 0)
          fail('size', `a centred ${layer.size}×${layer.size} crop of ${plane(shape)} needs even margins`);
        layerName = name('crop', true);
        shape = [layer.size, layer.size, c];
        break;
      }
      case 'conv': {
        const [h, w] = image('a conv layer');
        window('kernel', layer.kernel, shape);
        const side = (n: number) =>
          layer.padding === 'same'
            ? Math.ceil(n / layer.stride)
            : Math.floor((n - layer.kernel) / layer.stride) + 1;
        layerName = name('conv', false);
        shape = [side(h), side(w), layer.filters];
        break;
      }
      case 'avgpool':
      case 'maxpool': {
        const [h, w, c] = image('pooling');
        window('size', layer.size, shape);
        if ((h - layer.size) % layer.stride !== 0 || (w - layer.size) % layer.stride !== 0)
          fail(
            'size',
            `${layer.size}×${layer.size} pooling at stride ${layer.stride} does not divide the ${plane(shape)} input`,
          );
        const side = (n: number) => (n - layer.size) / layer.stride + 1;
        layerName = name('pool', false);
        shape = [side(h), side(w), c];
        break;
      }
      case 'dense':
        if (shape.length !== 1)
          fail(
            'kind',
            `a dense layer needs a flat input, got ${formatShape(shape)} (add {"kind": "flatten"} before it)`,
          );
        layerName = name('fc', false);
        shape = [layer.units];
        break;
    }
    if (index === layers.length - 1) {
      if (layer.kind !== 'dense')
        fail('kind', `the last layer must be a dense layer of ${NUM_CLASSES} units, got ${layer.kind}`);
      else if (layer.units !== NUM_CLASSES)
        fail('units', `the last layer must have ${NUM_CLASSES} units, one per class, got ${layer.units}`);
      else if (layer.activation !== 'linear')
        fail('activation', `the last layer gives logits, so it must be 'linear', got '${layer.activation}'`);
    }
    return { layer, index, name: layerName, inputShape, outputShape: shape };
  });
}

/** Each layer kind's fields, for messages. */
const LAYER_FIELDS = new Map<string, string[]>(
  LayerSchema.options.map((o) => [o.shape.kind.value, Object.keys(o.shape)]),
);

/** Turns a zod issue on `json` into the one-line field and reason of an error. */
function describeIssue(
  issue: z.core.$ZodIssue,
  json: unknown,
  topFields: string[],
  prefix: string,
): { field: string; reason: string } {
  const at = (p: readonly PropertyKey[]) => (prefix === '' ? formatPath(p) : formatPath([prefix, ...p]));
  const valueAt = (p: readonly PropertyKey[]) =>
    p.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k], json);
  if (issue.code === 'invalid_union' && issue.path.at(-1) === 'kind') {
    const kind = valueAt(issue.path);
    return {
      field: at(issue.path),
      reason: `${kind === undefined ? 'missing' : `unknown kind ${JSON.stringify(kind)}`} (expected ${[...LAYER_FIELDS.keys()].join(', ')})`,
    };
  }
  if (issue.code === 'unrecognized_keys') {
    const kind = (valueAt(issue.path) as { kind?: unknown }).kind;
    const known = issue.path.length > 0 ? LAYER_FIELDS.get(String(kind)) : topFields;
    const what = issue.path.length > 0 ? `a ${String(kind)} layer` : 'an architecture';
    return {
      field: at([...issue.path, issue.keys[0]!]),
      reason: `unknown field for ${what}${known ? ` (expected ${known.join(', ')})` : ''}`,
    };
  }
  return { field: at(issue.path), reason: issue.message };
}

/** The parsed layers with the defaults that depend on other fields (a pool's stride) filled in. */
function normalise(layers: z.infer<typeof LayerSchema>[]): Layer[] {
  return layers.map((l) =>
    l.kind === 'avgpool' || l.kind === 'maxpool' ? { ...l, stride: l.stride ?? l.size } : l,
  );
}

function validated(
  data: z.infer<typeof FileSchema>,
  id: string,
  file: string,
  field: string,
): ArchitectureSpec {
  const layers = normalise(data.layers);
  planLayers(layers, { file, field: field === '' ? 'layers' : `${field}.layers` });
  return { id, ...data, layers, file };
}

/** Validates an architecture file's parsed JSON; the id is the file name. `file` names it in errors. */
export function parseArchitecture(json: unknown, file: string): ArchitectureSpec {
  const parsed = FileSchema.safeParse(json);
  if (!parsed.success) {
    const { field, reason } = describeIssue(parsed.error.issues[0]!, json, Object.keys(FileSchema.shape), '');
    throw new ArchitectureError(file, field, reason);
  }
  const id = path.basename(file, '.json');
  if (!idPattern.test(id))
    throw new ArchitectureError(
      file,
      '(file name)',
      `id '${id}' must be lowercase letters, digits and dashes`,
    );
  return validated(parsed.data, id, file, '');
}

/**
 * Validates a spec written inline, `{ "id": …, "label": …, "layers": […] }`, found at `field` (e.g.
 * `models[2]`) of `file`; errors name `<file>: models[2].layers[3].kernel`.
 */
export function parseInlineArchitecture(json: unknown, file: string, field: string): ArchitectureSpec {
  const parsed = InlineSchema.safeParse(json);
  if (!parsed.success) {
    const { field: at, reason } = describeIssue(
      parsed.error.issues[0]!,
      json,
      Object.keys(InlineSchema.shape),
      field,
    );
    throw new ArchitectureError(file, at, reason);
  }
  const { id, ...data } = parsed.data;
  return validated(data, id, file, field);
}

export async function readArchitecture(file: string): Promise<ArchitectureSpec> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ArchitectureError(file, '(file)', (error as Error).message, { cause: error });
  }
  return parseArchitecture(json, file);
}

/** Every architecture in `dir` by id, in id order. */
export async function readArchitectures(dir = ARCHITECTURES_DIR): Promise<Map<string, ArchitectureSpec>> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const specs = await Promise.all(files.map((f) => readArchitecture(path.join(dir, f))));
  return new Map(specs.map((spec) => [spec.id, spec]));
}
