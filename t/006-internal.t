# Answered once per request: nginx's internal redirects (error_page,
# named locations) do not look the URL up again; and the query string
# passed on is the client's, placed before a target's #fragment.

use strict;
use warnings;

use FindBin;
use lib $FindBin::Bin;
use Fixture qw(build_map);
use Test::Nginx::Socket 'no_plan';

build_map('edge.map', '--config', 't/fixtures/edge/redirect-map.yaml');

no_shuffle();
run_tests();

__DATA__

=== TEST 1: a 410 entry shows the site's own error page
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/edge.map;
    error_page 410 /errors/gone.html;
    location /errors/ {
        root html;
    }
--- user_files
>>> errors/gone.html
This page has gone for good.
--- request
GET /p/gone.html
--- error_code: 410
--- response_body
This page has gone for good.



=== TEST 2: a map in a named location serves as the 404 fallback
--- config
    absolute_redirect off;
    location /old/ {
        root html;
        try_files $uri =404;
        error_page 404 = @legacy;
    }
    location @legacy {
        legacy_redirect_map $TEST_NGINX_MAP_DIR/edge.map;
        return 404;
    }
--- request
GET /old/page.html
--- error_code: 301
--- response_headers
Location: /new/page



=== TEST 3: ... and a miss there is still a 404
--- config
    location /old/ {
        root html;
        try_files $uri =404;
        error_page 404 = @legacy;
    }
    location @legacy {
        legacy_redirect_map $TEST_NGINX_MAP_DIR/edge.map;
        return 404;
    }
--- request
GET /old/other.html
--- error_code: 404



=== TEST 4: the query string goes before the target's fragment
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/edge.map;
--- request
GET /p/team.html?utm_source=feed&m=1
--- error_code: 301
--- response_headers
Location: /about/?utm_source=feed#team



=== TEST 5: the client's query is passed on, not a rewritten $args
--- config
    absolute_redirect off;
    set $args "$args&added=1";
    legacy_redirect_map $TEST_NGINX_MAP_DIR/edge.map;
--- request
GET /old/page.html?a=1
--- error_code: 301
--- response_headers
Location: /new/page?a=1



=== TEST 6: a capture cannot add query parameters
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/edge.map;
--- request
GET /find/cats%26dogs=1
--- error_code: 301
--- response_headers
Location: /search?q=cats%26dogs=1



=== TEST 7: a capture cannot start a fragment either
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/edge.map;
--- request
GET /find/a%23b
--- error_code: 301
--- response_headers
Location: /search?q=a%23b
