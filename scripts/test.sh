#!/usr/bin/env bash
# The README's test command: installs what it needs (as root on Debian 12), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/ensure-node.sh
need=()
command -v qemu-img >/dev/null || need+=(qemu-utils)
command -v xmllint >/dev/null || need+=(libxml2-utils)
command -v rpmbuild >/dev/null || need+=(rpm)
command -v openssl >/dev/null || need+=(openssl)
command -v script >/dev/null || need+=(bsdutils)
command -v cpio >/dev/null || need+=(cpio)
command -v man >/dev/null || need+=(man-db)
# libfaketime: test/reliability/failing-machine-b.test.ts steps the clock of the bundled command back.
[ -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] || need+=(faketime)
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
npm ci --no-audit --no-fund
# A real oned for test/real/: built from ../shared/opennebula-src/ the first time on a machine
# (about 13 minutes per OpenNebula version on 2 cores), then reused from /var/cache.
bash scripts/real-oned.sh build
npm test
