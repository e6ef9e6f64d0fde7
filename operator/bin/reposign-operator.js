#!/usr/bin/env node
// The compiled operator; `npm ci` builds dist/ through the root `prepare` script.
import '../dist/src/main.js';
