/** The shipped architectures (experiments/architectures/), read once, for tests that build models. */
import { readArchitectures, type ArchitectureSpec } from '../../experiments/lib/contract/architecture.ts';

export const architectures = await readArchitectures();

/** The shipped spec `id`; throws naming the known ids if there is none. */
export function architecture(id: string): ArchitectureSpec {
  const spec = architectures.get(id);
  if (!spec) throw new Error(`no architecture '${id}' (known: ${[...architectures.keys()].join(', ')})`);
  return spec;
}
