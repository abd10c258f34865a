#!/usr/bin/env bash
# The README's first command: install, bring the cloud up, run the nova lab (a server from the API call
# to a guest at its login prompt, with the trace of the whole flow), then list the traces it left.
#
#   bash scripts/quickstart.sh [os cloud up flags…]     e.g. --driver fake, --set api.keystone_port=5001
#
# The cloud's state goes to $POCKETSTACK_HOME (default ~/.pocketstack). POCKETSTACK_SKIP_SETUP=1 skips
# the install (a machine set up already); POCKETSTACK_DEV=1 runs the CLI from src/ through tsx (no build).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${POCKETSTACK_SKIP_SETUP:-}" != 1 ]; then bash scripts/setup.sh; fi
if [ "${POCKETSTACK_DEV:-}" = 1 ]; then
  os() { node --import tsx "$PWD/bin/dev.js" "$@"; }
else
  os() { node "$PWD/bin/run.js" "$@"; }
fi
show() { printf '\n$ os %s\n' "$*"; }

# A failure here (QEMU asked for but missing, a port taken, a state dir that cannot be written) is one
# line on stderr saying what to do; stop there.
show cloud up "$@"
os cloud up "$@"

show lab run nova
lab=0
os lab run nova || lab=$?

show trace list --limit 5
os trace list --limit 5 || true

home="${POCKETSTACK_HOME:-~/.pocketstack}"
if [ "$lab" -ne 0 ]; then
  cat >&2 <<MSG

The nova lab failed at the step named above. Its services' logs: os cloud logs <service> (in $home/logs).
Rerun one step after fixing: os lab run nova --step N
MSG
  exit "$lab"
fi
cat <<MSG

The cloud keeps running (state in $home). Five things to try next:
  os lab run keystone                  tokens, roles, and the reader who may not list projects
  os server create --flavor m1.tiny --image cirros --wait vm1 && os console log show vm1
                                       a server of your own, and its serial console up to login:
  os console url show --novnc vm1      open the URL in a browser: the guest's screen
  os trace watch                       each request's flow across the services, live
  os cloud down                        stop exactly what was started (os cloud up brings it back)
More labs: os lab list. The real client works too: source $home/admin-openrc && openstack server list
MSG
