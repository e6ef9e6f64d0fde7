#!/usr/bin/env bash
# The Node 24 lane: runs the signer-service and operator suites (unit and integration, including the
# operator against the fake API server; not the dotnet e2e tier) with the Node 24 binary of
# scripts/node24-path.sh. Extra arguments filter the test files like scripts/run-tests.mjs does.
set -euo pipefail
cd "$(dirname "$0")/.."
node24="$(bash scripts/node24-path.sh)"
"$node24" --version
filters=("$@")
[ ${#filters[@]} -gt 0 ] || filters=(signer-service/test/unit/ signer-service/test/integration/ operator/test/ test/operator/)
"$node24" scripts/run-tests.mjs "${filters[@]}"
