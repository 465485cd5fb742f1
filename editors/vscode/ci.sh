#!/usr/bin/env bash
# CI for the VS Code extension: a clean install from package-lock.json, the grammar
# assertions and the Node tests, the .vsix, and a check of what the .vsix holds.
# Needs Node.js 20 or later and npm; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"

npm ci --no-audit --no-fund
npm test
npm run package
npm run check:vsix
