// Copies what `tsc -b` does not emit into the build: the feed's SQL migrations, which the
// production entry point (signer-service/dist/src/server.js) reads beside its compiled migrate.js.
import { cpSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const assets = [['signer-service/src/db/migrations', 'signer-service/dist/src/db/migrations']];
for (const [from, to] of assets) {
  mkdirSync(`${root}${to}`, { recursive: true });
  cpSync(`${root}${from}`, `${root}${to}`, { recursive: true, filter: (path) => !path.endsWith('~') });
}
