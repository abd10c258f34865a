#!/usr/bin/env bash
# The README's first command: set up, bring the cloud up, and show it working.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
os() { node "$PWD/bin/run.js" "$@"; }
step() { printf '\n$ os %s\n' "$*"; os "$@"; }

step cloud up
step compute service list
step image list
step server create --flavor m1.tiny --image cirros --wait demo-vm
step server list
step trace list --limit 5
cat <<'MSG'

The cloud keeps running (state in ${POCKETSTACK_HOME:-~/.pocketstack}). Next:
  os console log show demo-vm        the guest's serial console (a real QEMU guest when qemu is installed)
  os trace show <request id>         how the create flowed through nova-api, conductor, scheduler, placement, compute
  os cloud status | os cloud logs nova-conductor | os cloud down
  source ~/.pocketstack/admin-openrc && openstack server list     (the real client works too)
MSG
