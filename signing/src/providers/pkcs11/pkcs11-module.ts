// SPDX-License-Identifier: MIT
// PKCS#11 modules are process-wide (C_Initialize once, C_Finalize once): one loaded module per
// path, shared by every open key and finalised when the last of them closes, so a reload that opens
// the new key before closing the old one keeps working.

import type * as Pkcs11Js from 'pkcs11js';

/** The pkcs11js module namespace (constants and the PKCS11 class). */
export type Pkcs11Api = typeof Pkcs11Js;

interface LoadedModule {
  readonly module: Pkcs11Js.PKCS11;
  users: number;
}

const loaded = new Map<string, LoadedModule>();

/** A module acquired by one key: release it exactly once. */
export interface AcquiredModule {
  readonly module: Pkcs11Js.PKCS11;
  release(): void;
}

/** Loads and initialises the module at `path`, or shares the one already loaded. Throws the module's error. */
export function acquireModule(api: Pkcs11Api, path: string): AcquiredModule {
  let entry = loaded.get(path);
  if (entry === undefined) {
    const module = new api.PKCS11();
    module.load(path);
    try {
      module.C_Initialize({ flags: api.CKF_OS_LOCKING_OK });
    } catch (error) {
      module.close();
      throw error;
    }
    entry = { module, users: 0 };
    loaded.set(path, entry);
  }
  entry.users += 1;
  const acquired = entry;
  let released = false;
  return {
    module: acquired.module,
    release() {
      if (released) return;
      released = true;
      acquired.users -= 1;
      if (acquired.users > 0) return;
      loaded.delete(path);
      acquired.module.C_Finalize();
      acquired.module.close();
    },
  };
}
