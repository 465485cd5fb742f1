#!/usr/bin/env bash
# CI for the VS Code extension: a clean install from package-lock.json, the grammar and unit
# tests, and the .vsix. Needs Node.js 20 or later and npm; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"

npm ci --no-audit --no-fund
npm test
npm run package
