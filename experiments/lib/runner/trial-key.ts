/**
 * A trial's key: SHA-256 over what decides its training and nothing else — its settings (architecture
 * layers, batch size, seed, epochs, optimizer, learning rate, validation size, data limits), the data
 * files' checksums, the backend with its versions, and the meaning of the training code
 * (./code-key.ts). Another experiment, another architecture's file, a comment or the measuring code
 * leave it unchanged.
 */
import type { BackendInfo } from '../backend/select.ts';
import { canonicalHash } from '../contract/definitions.ts';
import type { TrialSettings } from '../contract/trial.ts';
import { combinedHash, type CodeHashes } from './code-key.ts';

/** The backend as far as it decides a trial's numbers. */
export function backendIdentity(backend: BackendInfo): Record<string, unknown> {
  return {
    backend: backend.name,
    backendVersion: backend.version,
    tfjs: backend.tfjs,
    blas: backend.blas,
    threads: backend.threads,
  };
}

export interface KeyContext {
  dataChecksums: Record<string, string>;
  backend: Record<string, unknown>;
  trainCode: CodeHashes;
}

export function trialKey(settings: TrialSettings, context: KeyContext): string {
  return canonicalHash({
    settings,
    data: context.dataChecksums,
    backend: context.backend,
    code: combinedHash(context.trainCode),
  });
}
