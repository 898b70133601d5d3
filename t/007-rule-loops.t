# A pattern rule with captures can only be judged on a request: where its
# answer would bring the client straight back to the same rule, the module
# answers nothing (and logs why) instead of a redirect loop; where the path
# or the query changes, it redirects.  Rules from t/fixtures/loops/.

use strict;
use warnings;

use FindBin;
use lib $FindBin::Bin;
use Fixture qw(build_map);
use Test::Nginx::Socket 'no_plan';

build_map('loops.map', '--config', 't/fixtures/loops/redirect-map.yaml');
build_map('loops-caseless.map', '--config', 't/fixtures/loops/caseless.yaml');

no_shuffle();
run_tests();

__DATA__

=== TEST 1: a rule that adds a slash redirects once
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/loops.map;
--- request
GET /blog/x
--- error_code: 301
--- response_headers
Location: /blog/x/
--- no_error_log
redirects "/blog/x" to itself
[error]



=== TEST 2: ...and not again: /blog/x// is /blog/x/ once normalised
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/loops.map;
    location /blog/ {
        return 200 "served\n";
    }
--- request
GET /blog/x/
--- error_code: 200
--- response_headers
!Location
--- response_body
served
--- error_log
rule 1 (
redirects "/blog/x/" to itself, not redirected
--- no_error_log
[error]



=== TEST 3: its own path written with an escape: no redirect to itself
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/loops.map;
    location /same/ {
        return 200 "served $legacy_redirect_uri.\n";
    }
--- request
GET /same/%79
--- error_code: 200
--- response_body
served .
--- error_log
redirects "/same/y" to itself
--- no_error_log
[error]



=== TEST 4: a rule on the path alone loops whatever query its target adds
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/loops.map;
    location /tag/ {
        return 200 "served\n";
    }
--- request
GET /tag/x?from=blogger
--- error_code: 200
--- response_body
served
--- error_log
redirects "/tag/x" to itself



=== TEST 5: match_query, the query passed on: the same request again
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/loops.map;
    location = /search {
        return 200 "served\n";
    }
--- request
GET /search?q=bees&m=1
--- error_code: 200
--- response_body
served
--- error_log
redirects "/search?q=bees" to itself



=== TEST 6: match_query with legacy_redirect_query drop: the query goes, one redirect
--- config
    absolute_redirect off;
    legacy_redirect_query drop;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/loops.map;
--- request
GET /search?q=bees
--- error_code: 301
--- response_headers
Location: /search
--- no_error_log
to itself



=== TEST 7: match_query with the rule's own "query: drop": one redirect
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/loops.map;
--- request
GET /find?q=bees
--- error_code: 301
--- response_headers
Location: /find
--- no_error_log
to itself



=== TEST 8: match_query, a target with a query of its own: a redirect
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/loops.map;
--- request
GET /label?name=bees
--- error_code: 301
--- response_headers
Location: /label?tag=bees&name=bees
--- no_error_log
to itself



=== TEST 9: match_query, the target's own query equals the request's once it is dropped
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/loops.map;
    location = /p {
        return 200 "served\n";
    }
--- request
GET /p?id=3
--- error_code: 200
--- response_body
served
--- error_log
rule 7 (
redirects "/p?id=3" to itself



=== TEST 10: match_query on a request without a query: the same request again
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/loops.map;
    location = /s {
        return 200 "served\n";
    }
--- request
GET /s
--- error_code: 200
--- response_body
served
--- error_log
redirects "/s" to itself



=== TEST 11: match_query, the query dropped by the server: one redirect
--- config
    absolute_redirect off;
    legacy_redirect_query drop;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/loops.map;
--- request
GET /s?x=1
--- error_code: 301
--- response_headers
Location: /s
--- no_error_log
to itself



=== TEST 12: ...but kept by the rule's "query: keep": the same request again
--- config
    legacy_redirect_query drop;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/loops.map;
    location = /k {
        return 200 "served\n";
    }
--- request
GET /k?x=1
--- error_code: 200
--- response_body
served
--- error_log
redirects "/k?x=1" to itself



=== TEST 13: a rule on the path that adds a query an earlier match_query rule answers
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/loops.map;
--- request
GET /feeds/posts/default
--- error_code: 301
--- response_headers
Location: /feeds/posts/default?alt=rss
--- no_error_log
to itself



=== TEST 14: ...which answers the next request
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/loops.map;
--- request
GET /feeds/posts/default?alt=rss
--- error_code: 301
--- response_headers
Location: /feed.xml?alt=rss



=== TEST 15: caseless map: /Old/x goes to /old/x, which the rule matches too
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/loops-caseless.map;
    location /Old/ {
        return 200 "served\n";
    }
--- request
GET /Old/x
--- error_code: 200
--- response_body
served
--- error_log
redirects "/old/x" to itself
