#!/usr/bin/env bash
# Install everything pocketstack needs on a fresh Debian 12 machine: system packages, npm packages, the build.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

# System packages: QEMU (TCG guests) and what the guest image recipe needs, noVNC for browser consoles,
# the real openstack client with its placement plugin (parity tests; handy for users), tmux and chromium
# (terminal UI and browser-console tests).
APT_PACKAGES=(
  qemu-system-x86 qemu-utils genisoimage dosfstools mtools syslinux syslinux-common fdisk cpio
  novnc openssh-client
  python3-openstackclient python3-osc-placement
  tmux chromium
)
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "==> npm ci (compiles better-sqlite3: about 2 minutes)"
npm ci --no-fund --no-audit --loglevel=error

echo "==> build"
npm run --silent build

# `os` on the PATH (a link to this checkout's bin/run.js).
if ! command -v os >/dev/null 2>&1 || [ "$(readlink -f "$(command -v os)")" != "$(readlink -f bin/run.js)" ]; then
  $SUDO npm link --no-fund --no-audit --loglevel=error >/dev/null 2>&1 || echo "(npm link failed: use ./bin/run.js instead of os)"
fi
echo "==> ready: $(node bin/run.js --version)"
