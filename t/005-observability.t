# What the module tells about itself: $legacy_redirect_source, the debug
# header and the legacy_redirect_status JSON.  (Counts summed across
# several workers are checked in t/tool/status.t.)

use strict;
use warnings;

use FindBin;
use lib $FindBin::Bin;
use Fixture qw(build_map);
use Test::Nginx::Socket 'no_plan';

build_map('blog.map', 't/fixtures/blog');
build_map('blogger.map', '--config', 't/fixtures/blogger/redirect-map.yaml');

no_shuffle();
run_tests();

__DATA__

=== TEST 1: $legacy_redirect_source names the post and line
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    add_header X-Source $legacy_redirect_source always;
--- request
GET /2023/03/wintering-bees-in-cold-attic.html
--- error_code: 301
--- response_headers_like
X-Source: /.+/t/fixtures/blog/posts/wintering-bees/index\.md:9



=== TEST 2: ... and the config line of a rule
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    add_header X-Source $legacy_redirect_source always;
--- request
GET /search/label/Python
--- error_code: 301
--- response_headers_like
X-Source: /.+/t/fixtures/blogger/redirect-map\.yaml:6



=== TEST 3: ... and is empty on a miss
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    location /t {
        return 200 "[$legacy_redirect_source]\n";
    }
--- request
GET /t
--- response_body
[]



=== TEST 4: legacy_redirect_debug_header on adds the source to a hit
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    legacy_redirect_debug_header on;
--- request
GET /2019/01/winter-list.html
--- error_code: 302
--- response_headers_like
X-Legacy-Redirect-Source: /.+/t/fixtures/blogger/moved\.tsv:2



=== TEST 5: ... and to a 410
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    legacy_redirect_debug_header on;
--- request
GET /p/old-about.html
--- error_code: 410
--- response_headers_like
X-Legacy-Redirect-Source: /.+/redirect-map\.yaml:\d+



=== TEST 6: no debug header unless asked for
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /2019/01/winter-list.html
--- error_code: 302
--- response_headers
!X-Legacy-Redirect-Source



=== TEST 7: legacy_redirect_status describes every map loaded
--- http_config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- config
    location /legacy-status {
        legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
        legacy_redirect_status;
    }
--- request
GET /legacy-status
--- error_code: 200
--- response_headers
Content-Type: application/json
--- response_body_like eval
qr{"path": "[^"]+/blog\.map", "format_version": 2, "entries": 7, "rules": 0, .*"checksum": "[0-9a-f]{16}", "built": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "tool": "redirect-map [\d.]+", "hits": 0, "gone": 0, "misses": 0\}.*"path": "[^"]+/blogger\.map", .*"rules": 10,}s



=== TEST 8: a HEAD of the status is fine, a POST is not allowed
--- config
    location /legacy-status {
        legacy_redirect_status;
    }
--- request
POST /legacy-status
x
--- error_code: 405



=== TEST 9: one file named two ways is one map in the status
--- http_config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- config
    location /legacy-status {
        legacy_redirect_map $TEST_NGINX_MAP_DIR//blog.map;
        legacy_redirect_status;
    }
    location /a {
        legacy_redirect_map $TEST_NGINX_MAP_DIR/./blog.map;
    }
--- request
GET /legacy-status
--- error_code: 200
--- response_body_like eval
qr{\A(?!.*"path".*"path")\{\s*"maps": \[\s*\{"path": "[^"]+/blog\.map", }s
