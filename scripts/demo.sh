#!/usr/bin/env bash
# The README's first command: installs what it needs (as root on Debian 12), builds the bundle and
# runs the hook on an embedded default site (oned simulator, real image, real vmcatcher events).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/ensure-node.sh
command -v qemu-img >/dev/null || apt_install qemu-utils
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run demo
