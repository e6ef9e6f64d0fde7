#!/usr/bin/env -S node --liftoff-only --heap-growing-percent=50 --expose-gc
// SPDX-License-Identifier: MIT
// `reposign-feed` runs the feed; `reposign-feed admin <command>` runs a maintenance command.

await import(process.argv[2] === 'admin' ? '../dist/src/admin-cli.js' : '../dist/src/server.js');
