# A map that cannot be served stops the configuration from loading, as
# any nginx configuration error does: "nginx -t" fails and a running
# nginx keeps its old configuration.  (The [emerg] messages themselves
# are checked in t/tool/nginx-t.t: Debian's nginx writes them to stderr.)

use strict;
use warnings;

use FindBin;
use lib $FindBin::Bin;
use Fixture qw(build_map damage_map map_dir);
use Test::Nginx::Socket 'no_plan';

my $good = build_map('blog.map', 't/fixtures/blog');

damage_map($good, 'truncated.map', sub { substr(${$_[0]}, -20) = '' });
damage_map($good, 'flipped.map', sub { vec(${$_[0]}, 8 * 300 + 3, 1) ^= 1 });
damage_map($good, 'version9.map', sub { substr(${$_[0]}, 8, 4) = pack('V', 9) });
damage_map($good, 'text.map', sub { ${$_[0]} = "/old.html /new\n" });
mkdir map_dir() . '/folder.map';

no_shuffle();
run_tests();

__DATA__

=== TEST 1: a good map loads
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    location /t {
        return 200 "up\n";
    }
--- request
GET /t
--- response_body
up



=== TEST 2: a missing map is refused
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/no-such.map;
--- must_die



=== TEST 3: a truncated map is refused
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/truncated.map;
--- must_die



=== TEST 4: a map with one flipped bit is refused
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/flipped.map;
--- must_die



=== TEST 5: a map of another format version is refused
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/version9.map;
--- must_die



=== TEST 6: a text file is not a map
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/text.map;
--- must_die



=== TEST 7: a folder is not a map
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/folder.map;
--- must_die



=== TEST 8: a damaged map in an inner location is refused too
--- config
    location /2023/ {
        legacy_redirect_map $TEST_NGINX_MAP_DIR/flipped.map;
    }
--- must_die



=== TEST 9: the directive takes one argument
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map $TEST_NGINX_MAP_DIR/blog.map;
--- must_die



=== TEST 10: the directive cannot be repeated in one context
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blog.map;
    legacy_redirect_map off;
--- must_die
