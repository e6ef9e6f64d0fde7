// SPDX-License-Identifier: MIT
// A remote provider's failure as the ProviderReady verdict: the engine's error code decides the
// reason (unreachable service, refused credentials, a key or certificate NuGet cannot use, a
// setting to correct) and the message carries the code (and the NuGet NU code) after the text.

import { isReposignError, ProviderSettingError } from '@reposign/signing';
import type { ProviderVerdict } from '../reconcile/observed.js';

/** The not-ready verdict for `error`, thrown while opening or checking a remote key. */
export function providerFailure(error: unknown): ProviderVerdict {
  if (!isReposignError(error)) {
    return { ready: false, reason: 'Unreachable', message: `The provider failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  const codes = error.nugetCode === undefined ? error.code : `${error.code}, ${error.nugetCode}`;
  const message = `${error instanceof ProviderSettingError ? `${error.setting}: ` : ''}${error.message} (${codes})`;
  if (error.code === 'KEY_ACCESS_DENIED') return { ready: false, reason: 'AccessDenied', message };
  if (error.origin === 'service' || error.code === 'SIGNING_ABORTED') return { ready: false, reason: 'Unreachable', message };
  if (error.origin === 'caller') return { ready: false, reason: 'InvalidProviderConfig', message };
  return { ready: false, reason: 'KeyRejected', message };
}
