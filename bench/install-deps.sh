#!/usr/bin/env bash
# Installs, with apt-get, the Debian packages the benchmark (bench/) needs
# on top of tools/install-deps.sh's, when they are missing: wrk, HAProxy,
# tinycdb's library, GNU time (peak memory), perf and valgrind (profiles).
set -euo pipefail

bash "$(dirname "$0")/../tools/install-deps.sh"

packages=(wrk haproxy libcdb-dev time util-linux linux-perf valgrind)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
            | grep -q 'ok installed'; then
        missing+=("$p")
    fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "bench/install-deps: missing packages: ${missing[*]}" >&2
    echo "bench/install-deps: run as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi

echo "bench/install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
