// SPDX-License-Identifier: MIT
// The shape of the in-process key formats (PEM text, PKCS#12 bytes, a .NET store directory) that
// the local backends read their key material with.

import type { SigningKey } from '../../signing-key.js';
import type { ConfigProblem } from '../signing-provider.js';

/** How the opened key presents itself. */
export interface KeyLoaderOptions {
  /** The backend kind the key reports; the format's own name by default. */
  readonly kind?: string | undefined;
  /** Reports the revision of the files the key was read from. */
  readonly revision?: (() => Promise<string>) | undefined;
}

/** A key format: checks a spec without I/O, then opens the key it describes. Throws ReposignError (KEY_* or CERTIFICATE_*). */
export interface KeyLoader<Spec> {
  validate(spec: Spec): readonly ConfigProblem[];
  open(spec: Spec, options?: KeyLoaderOptions): Promise<SigningKey>;
}
