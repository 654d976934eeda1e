#!/usr/bin/env bash
# Build OpenNebula's oned from a source tarball in ../shared/opennebula-src/, once per machine and
# version, cached outside the checkout and keyed by the tarball's sha256.
#
#   scripts/real-oned.sh deps             install the Debian packages the build and oned need
#   scripts/real-oned.sh build [TARBALL]  build (or reuse) every tarball, or the one named
#   scripts/real-oned.sh list             print "VERSION INSTALL_DIR" for every built tarball
#   scripts/real-oned.sh dir TARBALL      print the install directory of a built tarball
#
# Instances are started and stopped by test/real/oned.ts (a random loopback port, their own
# database and datastores, fixtures); this script only makes the binaries.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src_dir=${VMCHNDL_ON_ONED_SRC:-$here/../shared/opennebula-src}
cache=${VMCHNDL_ON_ONED_CACHE:-/var/cache/vmcatcher-eventhndl-on/oned}
jobs=${VMCHNDL_ON_ONED_JOBS:-$(nproc)}

deps=(scons g++ make libxmlrpc-c++8-dev libsqlite3-dev libxml2-dev libssl-dev
  libcurl4-openssl-dev libsystemd-dev pkg-config ruby ruby-nokogiri ruby-ffi-rzmq libzmq5
  ruby-treetop ruby-ipaddress ruby-parse-cron)

say() { printf 'real-oned: %s\n' "$*" >&2; }

install_deps() {
  local missing=() p
  for p in "${deps[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  [ "$(id -u)" -eq 0 ] || { say "not root: cannot install ${missing[*]}"; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

tarballs() {
  ls "$src_dir"/one-release-*.tar.gz 2>/dev/null || { say "no tarball in $src_dir"; exit 1; }
}

version_of() { basename "$1" .tar.gz | sed 's/^one-release-//'; }

scons_flags() {
  case "$1" in
    6.*) echo "sqlite=yes mysql=no new_xmlrpc=yes systemd=no svncterm=no" ;;
    *) echo "sqlite=yes mysql=no systemd=no svncterm=no grpc=no" ;;
  esac
}

build_one() {
  local tarball=$1 version sha dest work started
  version=$(version_of "$tarball")
  sha=$(sha256sum "$tarball" | cut -d' ' -f1)
  dest="$cache/$sha"
  mkdir -p "$cache"
  exec 9>"$cache/.lock-$sha"
  flock 9
  if [ -f "$dest/.complete" ]; then
    say "oned $version: cached in $dest"
    return 0
  fi
  install_deps
  started=$(date +%s)
  say "oned $version: building from $(basename "$tarball") (about 10 minutes on 2 cores, once per machine)"
  work=$(mktemp -d "$cache/.build-XXXXXX")
  rm -rf "$dest"
  tar xzf "$tarball" -C "$work"
  (cd "$work"/one-release-* \
    && scons -j"$jobs" $(scons_flags "$version") >"$work/scons.log" 2>&1) \
    || { tail -40 "$work/scons.log" >&2; say "oned $version: build failed (log: $work/scons.log)"; exit 1; }
  # install.sh also tries Sunstone/FireEdge files that were not built: those errors are harmless,
  # what matters is that oned and the drivers are there afterwards.
  (cd "$work"/one-release-* && ./install.sh -d "$dest" >"$work/install.log" 2>&1) || true
  [ -x "$dest/bin/oned" ] || { tail -40 "$work/install.log" >&2; say "oned $version: install failed"; exit 1; }
  printf '%s\n' "$version" >"$dest/.version"
  date -u +%FT%TZ >"$dest/.complete"
  rm -rf "$work"
  say "oned $version: built in $(( $(date +%s) - started )) s into $dest"
}

cmd=${1:-build}
case "$cmd" in
  deps) install_deps ;;
  build)
    if [ $# -ge 2 ]; then build_one "$2"; else for t in $(tarballs); do build_one "$t"; done; fi ;;
  list)
    for t in $(tarballs); do
      sha=$(sha256sum "$t" | cut -d' ' -f1)
      [ -f "$cache/$sha/.complete" ] && printf '%s %s\n' "$(version_of "$t")" "$cache/$sha"
    done ;;
  dir)
    sha=$(sha256sum "$2" | cut -d' ' -f1)
    [ -f "$cache/$sha/.complete" ] || { say "$(basename "$2") is not built: run $0 build"; exit 1; }
    printf '%s\n' "$cache/$sha" ;;
  *) say "usage: $0 deps | build [TARBALL] | list | dir TARBALL"; exit 2 ;;
esac
