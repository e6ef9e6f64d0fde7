// SPDX-License-Identifier: MIT
// The handler of each signing mode a RepositorySigner can name.

import type { ModeHandler } from './mode-handler.js';
import { remoteKeyMode } from './remote-key-mode.js';
import { selfSignedMode } from './self-signed-mode.js';
import { storedCertificateMode } from './stored-certificate-mode.js';

const HANDLERS: Readonly<Record<string, ModeHandler>> = { SelfSigned: selfSignedMode, StoredCertificate: storedCertificateMode };

/** The handler of `mode`: every other mode keeps its key in a vault or HSM and is opened through the engine's provider. */
export function modeHandler(mode: string): ModeHandler {
  return HANDLERS[mode] ?? remoteKeyMode;
}
