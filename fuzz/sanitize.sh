#!/usr/bin/env bash
# make sanitize: the Test::Nginx suite (t/*.t) with the module built with
# ASan+UBSan (build/nginx-asan) loaded into Debian's nginx, which runs
# with libasan preloaded; then the tool's tests (t/tool/*.t) with
# redirect-map built with ASan+UBSan, in a copy of the tree
# (build/asan-tree) so the normal build is left alone.
#
# Every sanitizer report goes to a file under build/sanitize-logs; the
# run fails when there is any, or when a test fails.
#
#   make valgrind: the same Test::Nginx suite with nginx under valgrind
#   (TEST_NGINX_USE_VALGRIND=1), see MODE=valgrind below.
set -uo pipefail

cd "$(dirname "$0")/.."
root=$PWD
BUILD=${BUILD:-build}
MODE=${MODE:-asan}
export TEST_NGINX_PORT=${TEST_NGINX_PORT:-1990}
export TEST_NGINX_SERVROOT=${TEST_NGINX_SERVROOT:-/tmp/servroot-sanitize}
nginx=${TEST_NGINX_REAL_BINARY:-$(command -v nginx || echo /usr/sbin/nginx)}
runner=()
perl -MTest::Nginx::Socket -e 1 2>/dev/null || runner=(-I t/lib)
logs=$root/$BUILD/sanitize-logs
rm -rf "$logs"
mkdir -p "$logs"
fail=0

if [ "$MODE" = valgrind ]; then
    echo "== Test::Nginx suite, nginx under valgrind"
    TEST_NGINX_USE_VALGRIND=1 TEST_NGINX_BINARY=$nginx \
    TEST_NGINX_LOAD_MODULES=$root/$BUILD/ngx_http_legacy_redirect_module.so \
        prove "${runner[@]}" t/*.t 2>&1 | tee "$logs/valgrind.out" || fail=1
    reports=$(grep -c '^==[0-9]*== .*\(Invalid\|uninitialised\|definitely lost\)' \
              "$logs/valgrind.out" "$TEST_NGINX_SERVROOT"/logs/error.log 2>/dev/null \
              | awk -F: '{s += $NF} END {print s + 0}')
    echo "valgrind reports: $reports"
    [ "$reports" = 0 ] || fail=1
    exit $fail
fi

asan_rt=$(gcc -print-file-name=libasan.so)
wrapper=$root/$BUILD/asan-bin/nginx
mkdir -p "$(dirname "$wrapper")"
cat >"$wrapper" <<WRAP
#!/bin/sh
# nginx with libasan preloaded, for a module built with -fsanitize
LD_PRELOAD=$asan_rt \\
ASAN_OPTIONS=detect_leaks=0:log_path=$logs/asan-nginx:handle_segv=1 \\
UBSAN_OPTIONS=print_stacktrace=1:log_path=$logs/ubsan-nginx \\
exec $nginx "\$@"
WRAP
chmod +x "$wrapper"

export TEST_NGINX_BINARY=$wrapper
export TEST_NGINX_LOAD_MODULES=$root/$BUILD/nginx-asan/objs/ngx_http_legacy_redirect_module.so

echo "== Test::Nginx suite, module built with ASan+UBSan"
prove "${runner[@]}" t/*.t || fail=1

echo "== tool tests, redirect-map built with ASan+UBSan ($BUILD/asan-tree)"
tree=$root/$BUILD/asan-tree
mkdir -p "$tree"
tar -C "$root" --exclude=./build --exclude=./.git --exclude="./$BUILD" -cf - . \
    | tar -C "$tree" -xf -
make -s -C "$tree" BUILD=build CC=gcc \
    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
    LDFLAGS="-fsanitize=address,undefined" tool || exit 1
(
    cd "$tree"
    export ASAN_OPTIONS=detect_leaks=1:log_path=$logs/asan-tool
    export UBSAN_OPTIONS=print_stacktrace=1:log_path=$logs/ubsan-tool
    export HOSTILE_NO_VMEM=1
    prove "${runner[@]}" t/tool/
) || fail=1

reports=$(find "$logs" -type f | wc -l)
echo "sanitizer reports: $reports (in $logs)"
find "$logs" -type f | head -20
[ "$reports" = 0 ] || fail=1
exit $fail
