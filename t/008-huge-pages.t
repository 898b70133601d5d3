# legacy_redirect_huge_pages: the copy of a map in the kernel's pool of
# huge pages (vm.nr_hugepages).  As root, this file makes room for a page
# or two in the pool and gives it back at exit; where it cannot, the
# blocks that need a pool are skipped.  The pool's accounting (one copy
# for all workers, reloads, a pool too small) is checked in
# t/tool/huge-pages.t.

use strict;
use warnings;

use FindBin;
use lib $FindBin::Bin;
use Fixture qw(build_map huge_pool);
use Test::Nginx::Socket 'no_plan';

build_map('blog.map', 't/fixtures/blog');

# blocks are run one at a time, each with a single map of one page
my ($free) = huge_pool(2);
our $NoPool = !$free || $free < 2;

no_shuffle();
run_tests();

__DATA__

=== TEST 1: "try" serves the map, in huge pages or not
--- http_config
    legacy_redirect_huge_pages try;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- config
    absolute_redirect off;
--- request
GET /2023/03/wintering-bees-in-cold-attic.html
--- error_code: 301
--- response_headers
Location: /2023/03/wintering-bees
--- no_error_log
[emerg]



=== TEST 2: "on" puts the copy in huge pages, and the status says so
--- skip_eval: 4: $::NoPool
--- http_config
    legacy_redirect_huge_pages on;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- config
    absolute_redirect off;
    location = /legacy-status {
        legacy_redirect_status;
    }
--- request eval
["GET /2023/03/wintering-bees-in-cold-attic.html", "GET /legacy-status"]
--- error_code eval
[301, 200]
--- response_body_like eval
[qr/301 Moved Permanently/, qr{"path": "[^"]+/blog\.map", .*"huge_pages": true, }]



=== TEST 3: "try" takes huge pages when the pool has them
--- skip_eval: 2: $::NoPool
--- http_config
    legacy_redirect_huge_pages try;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
--- config
    location = /legacy-status {
        legacy_redirect_status;
    }
--- request
GET /legacy-status
--- response_body_like: "huge_pages": true,



=== TEST 4: "off", the default, keeps the copy in ordinary memory
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    location = /legacy-status {
        legacy_redirect_status;
    }
--- request
GET /legacy-status
--- response_body_like: "huge_pages": false,



=== TEST 5: "off" said outright
--- http_config
    legacy_redirect_huge_pages off;
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    location = /legacy-status {
        legacy_redirect_status;
    }
--- request
GET /legacy-status
--- response_body_like: "huge_pages": false,



=== TEST 6: the directive must come before the first map
--- http_config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    legacy_redirect_huge_pages on;
--- config
--- must_die



=== TEST 7: only off, try or on
--- http_config
    legacy_redirect_huge_pages yes;
--- config
--- must_die



=== TEST 8: the directive belongs to the http block, not to a server
--- config
    legacy_redirect_huge_pages try;
--- must_die



=== TEST 9: the directive is given once
--- http_config
    legacy_redirect_huge_pages try;
    legacy_redirect_huge_pages on;
--- config
--- must_die



=== TEST 10: a map named off does not count as a map
--- http_config
    legacy_redirect_map off;
    legacy_redirect_huge_pages try;
--- config
    location /t {
        return 200 "up\n";
    }
--- request
GET /t
--- response_body
up
