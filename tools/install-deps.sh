#!/usr/bin/env bash
# Installs, with apt-get, the Debian packages this project needs and that
# are not installed yet.  Does nothing when everything is there.
#
#   tools/install-deps.sh          what building and the example need
#   tools/install-deps.sh test     also what the test suite needs
#   tools/install-deps.sh bench    also what the benchmark (bench/) needs
set -euo pipefail

packages=(build-essential nginx nginx-dev libyaml-dev libpcre2-dev curl perl)

case "${1:-}" in
test)
    # haproxy and apache2-bin (the server alone, no service) run the
    # exports of redirect-map dump in t/tool/export-*.t; fincore, in
    # util-linux-extra, sees the page cache in t/tool/page-cache.t
    packages+=(clang libclang-rt-dev valgrind debhelper dpkg-dev lintian man-db
               haproxy apache2-bin util-linux-extra)
    ;;
bench)
    # wrk, HAProxy and tinycdb to compare with, GNU time for peak memory,
    # taskset, perf and valgrind for profiles
    packages+=(wrk haproxy libcdb-dev time util-linux linux-perf valgrind)
    ;;
esac

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
            | grep -q 'ok installed'; then
        missing+=("$p")
    fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
