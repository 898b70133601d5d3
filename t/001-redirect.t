# Hits, misses and how a hit is answered.  The maps are built from
# t/fixtures by build/redirect-map when this file starts.

use strict;
use warnings;

use FindBin;
use lib $FindBin::Bin;
use Fixture qw(build_map);
use Test::Nginx::Socket 'no_plan';

build_map('blog.map', 't/fixtures/blog');
build_map('shop.map', 't/fixtures/shop');

no_shuffle();
run_tests();

__DATA__

=== TEST 1: a legacy URL answers 301 with the post's new path
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- request
GET /2023/03/wintering-bees-in-cold-attic.html
--- error_code: 301
--- response_headers
Location: /2023/03/wintering-bees
--- no_error_log
[error]



=== TEST 2: Location is absolute by default, built like "return 301"
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- request
GET /2023/03/wintering-bees-in-cold-attic.html
--- error_code: 301
--- response_headers_like
Location: http://localhost(:\d+)?/2023/03/wintering-bees



=== TEST 3: server_name_in_redirect uses the server's name
--- config
    server_name_in_redirect on;
    port_in_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- request
GET /2023/03/wintering-bees-in-cold-attic.html
--- more_headers
Host: other.example
--- error_code: 301
--- response_headers
Location: http://localhost/2023/03/wintering-bees



=== TEST 4: HEAD gets the same redirect
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- request
HEAD /2023/03/wintering-bees-in-cold-attic.html
--- error_code: 301
--- response_headers
Location: /2023/03/wintering-bees
--- response_body



=== TEST 5: the query string is passed on to the target
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- request
GET /2024/04/tomato-blight-diary.html?utm_source=feed&utm_medium=rss
--- error_code: 301
--- response_headers
Location: /2024/04/tomato-blight-diary?utm_source=feed&utm_medium=rss



=== TEST 6: a second legacy URL of the same post (from an absolute URL)
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- request
GET /2024/04/tomato-blight-diary_6.html
--- error_code: 301
--- response_headers
Location: /2024/04/tomato-blight-diary



=== TEST 7: percent-encoded and literal UTF-8 forms of one path match
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- request
GET /2022/11/caf%C3%A9-on-harbour-street.html
--- error_code: 301
--- response_headers
Location: /2022/11/caf-review



=== TEST 8: lowercase escapes, doubled slashes and a slash after .html
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- request
GET //2022//11/caf%c3%a9-on-harbour-street.html/
--- error_code: 301
--- response_headers
Location: /2022/11/caf-review



=== TEST 9: a miss goes on untouched
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    location /2023/ {
        return 200 "page $uri\n";
    }
--- request
GET /2023/03/wintering-bees
--- error_code: 200
--- response_body
page /2023/03/wintering-bees
--- response_headers
!Location
--- no_error_log
[error]



=== TEST 10: matching is case-sensitive by default
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    location /2023/ {
        return 200 "miss\n";
    }
--- request
GET /2023/03/Wintering-Bees-In-Cold-Attic.html
--- error_code: 200
--- response_body
miss



=== TEST 11: a legacy URL is answered where try_files would give 404
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    location /2023/ {
        try_files $uri =404;
    }
--- request
GET /2023/03/wintering-bees-in-cold-attic.html
--- error_code: 301
--- response_headers
Location: /2023/03/wintering-bees



=== TEST 12: ... and before proxying
--- config
    absolute_redirect off;
    location /2023/ {
        legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
        proxy_pass http://127.0.0.1:1/;
    }
--- request
GET /2023/03/wintering-bees-in-cold-attic.html
--- error_code: 301
--- response_headers
Location: /2023/03/wintering-bees
--- no_error_log
[error]



=== TEST 13: "off" in an inner location switches the map off there
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    location /2024/ {
        legacy_redirect_map off;
        return 200 "kept\n";
    }
--- request
GET /2024/04/tomato-blight-diary.html
--- error_code: 200
--- response_body
kept



=== TEST 14: the outer map still answers next to that location
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    location /2024/ {
        legacy_redirect_map off;
        return 200 "kept\n";
    }
--- request
GET /2023/03/wintering-bees-in-cold-attic.html
--- error_code: 301
--- response_headers
Location: /2023/03/wintering-bees



=== TEST 15: set at http level, inherited by the server
--- http_config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- config
    absolute_redirect off;
--- request
GET /2019/07/crlf-post.html
--- error_code: 301
--- response_headers
Location: /2019/07/crlf-post



=== TEST 16: two servers, two maps: the shop's server answers the shop's map
--- http_config
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name shop.example;
        absolute_redirect off;
        legacy_redirect_map $TEST_NGINX_MAP_DIR/shop.map;
        location / {
            return 200 "shop\n";
        }
    }
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- request
GET /2018/04/spring-sale.html
--- more_headers
Host: shop.example
--- error_code: 301
--- response_headers
Location: /2018/04/spring-sale



=== TEST 17: ... and the blog's server does not know the shop's URLs
--- http_config
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name shop.example;
        legacy_redirect_map $TEST_NGINX_MAP_DIR/shop.map;
    }
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    location /2018/ {
        return 200 "blog\n";
    }
--- request
GET /2018/04/spring-sale.html
--- error_code: 200
--- response_body
blog



=== TEST 18: the same file named in two servers is accepted
--- http_config
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name shop.example;
        legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    }
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- request
GET /2023/03/wintering-bees-in-cold-attic.html
--- error_code: 301
--- response_headers
Location: /2023/03/wintering-bees



=== TEST 19: $legacy_redirect_uri holds the target on a hit
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    add_header X-Legacy-Target $legacy_redirect_uri always;
--- request
GET /2023/03/wintering-bees-in-cold-attic.html?x=1
--- error_code: 301
--- response_headers
X-Legacy-Target: /2023/03/wintering-bees
Location: /2023/03/wintering-bees?x=1



=== TEST 20: $legacy_redirect_uri is empty on a miss
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    location /t {
        return 200 "[$legacy_redirect_uri]\n";
    }
--- request
GET /t
--- error_code: 200
--- response_body
[]



=== TEST 21: the redirect comes before "if" and "return" of the location
--- config
    absolute_redirect off;
    location /2023/ {
        legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
        if ($uri) {
            return 200 "if\n";
        }
        return 200 "return\n";
    }
--- request
GET /2023/03/wintering-bees-in-cold-attic.html
--- error_code: 301
--- response_headers
Location: /2023/03/wintering-bees



=== TEST 22: $legacy_redirect_uri feeds a map block
--- http_config
    map $legacy_redirect_uri $legacy_kind {
        ""       none;
        default  moved;
    }
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    add_header X-Legacy-Kind $legacy_kind always;
--- request
GET /2023/03/wintering-bees-in-cold-attic.html
--- error_code: 301
--- response_headers
X-Legacy-Kind: moved



=== TEST 23: ... and is "none" there on a miss
--- http_config
    map $legacy_redirect_uri $legacy_kind {
        ""       none;
        default  moved;
    }
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    location /t {
        return 200 "$legacy_kind\n";
    }
--- request
GET /t
--- error_code: 200
--- response_body
none



=== TEST 24: a draft with a legacy URL answers 410 Gone, no Location
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- request
GET /2020/06/never-finished.html
--- error_code: 410
--- response_headers
!Location



=== TEST 25: a post from an .mdx file, dated with "date"
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- request
GET /2021/01/query-target.html
--- error_code: 301
--- response_headers
Location: /2021/01/with-query



=== TEST 26: a file without front matter gives no redirect
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    location /not/ {
        return 200 "miss\n";
    }
--- request
GET /not/a/post.html
--- error_code: 200
--- response_body
miss



=== TEST 27: an overlong path is a miss, not an error
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    location /a {
        return 200 "miss\n";
    }
--- request eval
"GET /" . ("a" x 6000)
--- error_code: 200
--- response_body
miss
--- no_error_log
[error]



=== TEST 28: POST to a legacy URL is redirected too, as "return 301" does
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- request
POST /2023/03/wintering-bees-in-cold-attic.html
hello
--- error_code: 301
--- response_headers
Location: /2023/03/wintering-bees
