// SPDX-License-Identifier: MIT
// Writes the generated CRDs into the repository's top-level crds/ folder.

import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { crdFiles } from '../api/v1alpha1/crd-files.js';

const crdsDir = fileURLToPath(new URL('../../../crds/', import.meta.url));
mkdirSync(crdsDir, { recursive: true });
for (const file of crdFiles()) {
  writeFileSync(crdsDir + file.name, file.content);
  console.log(`wrote crds/${file.name}`);
}
