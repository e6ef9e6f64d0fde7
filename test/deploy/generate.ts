// SPDX-License-Identifier: MIT
// Writes the derived deployment files (see sources.ts):
//   npm run generate:deploy

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART, chartCrdTemplate, KUSTOMIZE, plainManifests } from './sources.js';

writeFileSync(join(CHART, 'templates/crd-repositorysigners.yaml'), chartCrdTemplate());
writeFileSync(join(KUSTOMIZE, 'reposign.yaml'), plainManifests());
