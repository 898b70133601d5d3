#!/usr/bin/env bash
# Builds everything, compiles the example posts and the rules of
# example/redirect-map.yaml into a map, serves the example site with nginx
# on 127.0.0.1:$PORT (default 8080) and shows legacy URLs answered with
# their redirects.  KEEP=1 leaves nginx running.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
port=${PORT:-8080}
out=$root/build/example

bash tools/install-deps.sh
make -s

rm -rf "$out"
mkdir -p "$out/logs"

echo "== redirect-map build --config example/redirect-map.yaml -o build/example/redirects.map"
build/redirect-map build --config example/redirect-map.yaml -o "$out/redirects.map"

echo "== redirect-map dump build/example/redirects.map"
build/redirect-map dump "$out/redirects.map"

sed -e "s|@MODULE@|$root/build/ngx_http_legacy_redirect_module.so|" \
    -e "s|@MAP@|$out/redirects.map|" -e "s|@SITE@|$root/example/site|" \
    -e "s|@PORT@|$port|" -e "s|@OUT@|$out|" \
    example/nginx.conf.in > "$out/nginx.conf"

nginx -p "$out" -c "$out/nginx.conf" -t -q
nginx -p "$out" -c "$out/nginx.conf"
trap '[ "${KEEP:-}" = 1 ] || nginx -p "$out" -c "$out/nginx.conf" -s stop' EXIT

for i in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.1
done

show() {
    echo
    echo "== curl -sI http://127.0.0.1:$port$1"
    curl -sI "http://127.0.0.1:$port$1" | grep -E '^(HTTP|Location)' | tr -d '\r'
}

show "/2019/02/sourdough-starter-week-one.html"
show "/2021/10/nightjet-vienna.html?m=1&utm_source=feed"
show "/2022/05/half-finished-bread-oven.html"
show "/search/label/baking?max-results=20"
show "/feeds/posts/default?alt=rss"
show "/p/about.html"
show "/2019/02/sourdough-starter-week-one/"

echo
echo "== curl -sL http://127.0.0.1:$port/2020/08/plum-jam-without-pectin.html"
curl -sL "http://127.0.0.1:$port/2020/08/plum-jam-without-pectin.html"

if [ "${KEEP:-}" = 1 ]; then
    echo
    echo "nginx keeps running on 127.0.0.1:$port; stop it with:"
    echo "  nginx -p $out -c $out/nginx.conf -s stop"
fi
