# Hostile requests against the module: very long URIs, broken and odd
# percent-encoding, %00, dot segments and slashes, CR, LF and quotes in
# paths and in captures, thousands of query parameters.  nginx never
# crashes, no header is injected, no rule becomes an open redirect, and
# an ordinary miss logs nothing at error level.
#
# The map is t/fixtures/blogger's: posts, rules ^/go/(.*)$ -> /$1,
# ^/moved/(.*)$ -> $1, ^/search/label/([^/?]+)$ -> /tags/$1, ...

use strict;
use warnings;

use FindBin;
use lib $FindBin::Bin;
use Fixture qw(build_map);
use Test::Nginx::Socket 'no_plan';

build_map('blogger.map', '--config', 't/fixtures/blogger/redirect-map.yaml');

no_shuffle();
no_root_location();
run_tests();

__DATA__

=== TEST 1: an 8 KB URI that is a miss: untouched, nothing logged
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request eval
"GET /" . ("a" x 8000) . ".html"
--- error_code: 200
--- response_body
miss
--- no_error_log
[error]
[crit]
[alert]



=== TEST 2: a 64 KB URI (past the 4096-byte key limit): a miss
--- config
    large_client_header_buffers 4 128k;
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request eval
"GET /go/" . ("%41" x 21800) . " HTTP/1.0\r\n\r\n"
--- error_code: 200
--- response_body
miss
--- no_error_log
[error]
[crit]
[alert]



=== TEST 3: a 64 KB URI with nginx's default buffers: nginx answers 414
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request eval
"GET /" . ("b" x 65536)
--- error_code: 414
--- no_error_log
[crit]
[alert]



=== TEST 4: a rule capture of 4000 bytes that grows past the target limit
--- config
    large_client_header_buffers 4 128k;
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request eval
"GET /go/" . ("%22" x 2000)
--- error_code: 200
--- response_body
miss
--- no_error_log
[error]
[crit]
[alert]



=== TEST 5: invalid percent-encoding: nginx answers 400 before any module
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request
GET /2023/03/%zz%4%%GG%.html
--- error_code: 400
--- no_error_log
[crit]
[alert]



=== TEST 6: a stray % at the end of a rule's capture, in the query of a hit
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request
GET /2023/03/reading-peps-on-train.html?q=%zz%4
--- error_code: 301
--- response_headers
Location: /2023/03/pep-notes?q=%zz%4
--- no_error_log
[error]
[crit]



=== TEST 7: %00 in a path
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request
GET /2023/03/reading-peps-on-train%00.html
--- error_code_like: ^(?:200|400)$
--- no_error_log
[error]
[crit]
[alert]



=== TEST 8: %00 in a rule capture is sent encoded
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request
GET /search/label/a%00b
--- error_code_like: ^(?:301|400)$
--- raw_response_headers_unlike: Location: [^\r\n]*\x00
--- no_error_log
[error]
[crit]
[alert]



=== TEST 9: dot segments resolve to the post, as in the map
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request
GET /2023/./02/../03//reading-peps-on-train.html
--- error_code: 301
--- response_headers
Location: /2023/03/pep-notes



=== TEST 10: climbing above the root is a miss (nginx refuses it first)
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request
GET /../../etc/passwd
--- error_code: 400
--- no_error_log
[crit]
[alert]



=== TEST 11: %2E%2E above the root is not a key either
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request
GET /go/%2E%2E/%2E%2E/%2E%2E/x
--- error_code_like: ^(?:200|400)$
--- raw_response_headers_unlike: Location:
--- no_error_log
[error]
[crit]
[alert]



=== TEST 12: CR and LF in a capture are encoded: no header injection
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request
GET /go/x%0D%0ASet-Cookie:%20evil=1%0D%0A%0D%0A<script>
--- error_code: 301
--- response_headers
Location: /x%0D%0ASet-Cookie:%20evil=1%0D%0A%0D%0A%3Cscript%3E
Set-Cookie:
--- raw_response_headers_unlike: \r\nSet-Cookie
--- no_error_log
[error]
[crit]



=== TEST 13: quotes and backslashes in a capture are encoded
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request
GET /search/label/%22quoted%22'single'%5C
--- error_code: 301
--- response_headers
Location: /tags/%22quoted%22'single'%5C
--- no_error_log
[error]
[crit]



=== TEST 14: a capture cannot make //host (open redirect): not sent, a [warn]
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request
GET /moved/%2F%2Fevil.example/
--- error_code: 200
--- response_body
miss
--- raw_response_headers_unlike: Location:
--- no_error_log
[error]
[crit]



=== TEST 15: a capture cannot make an absolute URL: not sent
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request
GET /moved/https:%2F%2Fevil.example/x
--- error_code: 200
--- response_body
miss
--- raw_response_headers_unlike: Location:
--- no_error_log
[error]
[crit]



=== TEST 16: a backslash after the slash stays encoded (/\host is another host)
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request
GET /go/%5Cevil.example
--- error_code: 301
--- response_headers
Location: /%5Cevil.example
--- no_error_log
[error]
[crit]



=== TEST 17: // after a rule prefix collapses, it does not leave the site
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request
GET /go//evil.example
--- error_code: 301
--- response_headers
Location: /evil.example



=== TEST 18: 5000 query parameters on a hit
--- config
    large_client_header_buffers 4 128k;
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request eval
"GET /2023/03/reading-peps-on-train.html?" . CORE::join("&", map { "p$_=$_" } 1 .. 5000)
--- error_code: 301
--- response_headers_like
Location: ^/2023/03/pep-notes\?p1=1&p2=2&.*&p5000=5000$
--- no_error_log
[error]
[crit]
[alert]



=== TEST 19: 5000 query parameters on a miss
--- config
    large_client_header_buffers 4 128k;
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request eval
"GET /nothing.html?" . CORE::join("&", map { "m=1&p$_=%0D%0A" } 1 .. 5000)
--- error_code: 200
--- response_body
miss
--- no_error_log
[error]
[crit]
[alert]



=== TEST 20: CR, LF and quotes in the query string of a hit stay as sent, encoded
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request
GET /2023/03/reading-peps-on-train.html?a=%0D%0AX-Evil:%201&b="q"
--- error_code: 301
--- raw_response_headers_unlike: \r\nX-Evil
--- no_error_log
[error]
[crit]



=== TEST 21: a raw CR in the request line: nginx refuses it, the module never sees it
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- raw_request eval
"GET /go/a\rb HTTP/1.0\r\nHost: localhost\r\n\r\n"
--- error_code: 400
--- no_error_log
[crit]
[alert]



=== TEST 22: an ordinary miss logs nothing at error level
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 404; }
--- request
GET /2099/01/never-existed.html?m=1
--- error_code: 404
--- no_error_log
[error]
[crit]
[alert]
[warn]



=== TEST 23: a #fragment sent by the client is not part of a match_query subject
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request
GET /feeds/posts/default?alt=rss#top
--- error_code: 301
--- response_headers
Location: /rss.xml



=== TEST 24: a "?" inside a fragment the client sent is no query: none passed on
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request
GET /preview/x#frag?utm=1
--- error_code: 307
--- response_headers
Location: /drafts/x



=== TEST 25: nor does it make a match_query subject
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location / { return 200 "miss\n"; }
--- request
GET /feeds/posts/default#x?alt=rss
--- error_code: 301
--- response_headers
Location: /atom.xml
