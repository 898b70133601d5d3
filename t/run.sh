#!/usr/bin/env bash
# The whole test suite: unit tests of the shared core and the tool, then
# the Test::Nginx suite (t/*.t) and the tool's tests (t/tool/*.t), against
# Debian's nginx with the freshly built module.
#
# OpenResty's Test::Nginx::Socket is used when it is installed; otherwise
# the compatible runner in t/lib is put on the path (and only then).
set -euo pipefail

cd "$(dirname "$0")/.."

bash tools/install-deps.sh test
make -s all unit
make -s module-compat   # the root config, as upstream nginx source uses it

echo "== unit tests"
build/test_lrmap
build/test_posts

# short libFuzzer runs (ASan+UBSan) of every target, seeds and findings
# first; make fuzz-long for the long runs (docs/robustness.md)
echo "== fuzz targets, ${FUZZ_SECONDS:-20} s each"
make -s fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-20}"

export TEST_NGINX_BINARY=${TEST_NGINX_BINARY:-$(command -v nginx || echo /usr/sbin/nginx)}
export TEST_NGINX_LOAD_MODULES=${TEST_NGINX_LOAD_MODULES:-$PWD/build/ngx_http_legacy_redirect_module.so}

runner=()
if ! perl -MTest::Nginx::Socket -e 1 2>/dev/null; then
    echo "== Test::Nginx::Socket is not installed: using t/lib's runner"
    prove t/lib/selftest/*.pl
    runner=(-I t/lib)
fi

echo "== Test::Nginx suite and tool tests"
prove "${runner[@]}" -r t/
