/**
 * Assembles ./simd.wat with wabt (a development dependency: only ./build.ts and the tests import this
 * module; the engine loads the committed bytes of ./module.ts and needs no assembler at run time).
 */
import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';

/** The module's text, ./simd.wat. */
export const SIMD_SOURCE_URL = new URL('./simd.wat', import.meta.url);

/** The memory import as ./simd.wat declares it, and as the threaded build's shared memory needs it. */
const MEMORY_IMPORT = '(memory 0)';
const SHARED_MEMORY_IMPORT = '(memory 0 65536 shared)';

/** The binaries of ./simd.wat for an unshared and for a shared memory (e.g. 902 and 905 bytes). */
export async function assembleSimdModule(): Promise<{ unshared: Uint8Array; shared: Uint8Array }> {
  const source = readFileSync(SIMD_SOURCE_URL, 'utf8');
  if (source.split(MEMORY_IMPORT).length !== 2) {
    throw new Error(`${SIMD_SOURCE_URL.pathname}: expected exactly one memory import '${MEMORY_IMPORT}'`);
  }
  const wabt = await wabtInit();
  const assemble = (text: string) => {
    const module = wabt.parseWat('simd.wat', text, { simd: true, threads: true });
    try {
      // Not module.validate(): it ignores the features given to parseWat and rejects shared memory.
      // WebAssembly.Module validates the bytes when the engine (or a test) compiles them.
      return module.toBinary({}).buffer;
    } finally {
      module.destroy();
    }
  };
  return {
    unshared: assemble(source),
    shared: assemble(source.replace(MEMORY_IMPORT, SHARED_MEMORY_IMPORT)),
  };
}
