#!/usr/bin/env bash
# The README's first command: set up, bring the cloud up, and show it working.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
os() { node "$PWD/bin/run.js" "$@"; }
set -x
os cloud up
os cloud status
set +x
echo
echo "The cloud keeps running. Try: os cloud status · os trace list · os cloud logs keystone · os cloud down"
