/**
 * Writes ./module.ts from ./simd.wat: `node --import tsx experiments/lib/backend/wasm/simd/build.ts`
 * after editing the text. tests/backend/wasm/simd.test.ts fails while the two disagree.
 */
import { writeFileSync } from 'node:fs';
import { assembleSimdModule } from './assemble.ts';

const { unshared, shared } = await assembleSimdModule();
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const text = `/**
 * ./simd.wat assembled by ./build.ts (do not edit: edit the text and run that script), base64-encoded:
 * for an unshared memory (the single-threaded build's) and for a shared one (the threaded build's).
 */
export const SIMD_MODULE_BASE64 = {
  unshared:
    '${base64(unshared)}',
  shared:
    '${base64(shared)}',
};
`;
writeFileSync(new URL('./module.ts', import.meta.url), text);
console.log(`module.ts: ${unshared.length} and ${shared.length} bytes`);
