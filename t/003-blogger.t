# Every shape of an old Blogger URL, answered by one map built from
# t/fixtures/blogger/redirect-map.yaml: posts, pattern rules, extra pairs
# and imported lists (TSV, JSON, Netlify _redirects).

use strict;
use warnings;

use FindBin;
use lib $FindBin::Bin;
use Fixture qw(build_map);
use Test::Nginx::Socket 'no_plan';

build_map('blogger.map', '--config', 't/fixtures/blogger/redirect-map.yaml');
build_map('blogger-nosrc.map', '--no-sources', '--config',
          't/fixtures/blogger/redirect-map.yaml');
build_map('caseless.map', '--config', 't/fixtures/caseless/redirect-map.yaml');

no_shuffle();
run_tests();

__DATA__

=== TEST 1: a post's own legacy URL
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /2023/03/reading-peps-on-train.html
--- error_code: 301
--- response_headers
Location: /2023/03/pep-notes



=== TEST 2: ?m=1 on a post is removed, never passed on
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /2023/03/reading-peps-on-train.html?m=1
--- error_code: 301
--- response_headers
Location: /2023/03/pep-notes



=== TEST 3: ?m=0 goes, other parameters stay in their order
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /2023/03/reading-peps-on-train.html?utm_source=feed&m=0&utm_medium=rss
--- error_code: 301
--- response_headers
Location: /2023/03/pep-notes?utm_source=feed&utm_medium=rss



=== TEST 4: a comment link (?showComment=) finds the post
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /2023/03/reading-peps-on-train.html?showComment=1678300000000#c123
--- error_code: 301
--- response_headers
Location: /2023/03/pep-notes?showComment=1678300000000



=== TEST 5: legacy_redirect_query drop passes no query on
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    legacy_redirect_query drop;
--- request
GET /2023/03/reading-peps-on-train.html?showComment=1678300000000&m=1
--- error_code: 301
--- response_headers
Location: /2023/03/pep-notes



=== TEST 6: a label page, by pattern rule
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /search/label/Python
--- error_code: 301
--- response_headers
Location: /tags/Python



=== TEST 7: a label page with Blogger's paging parameters
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /search/label/Python?updated-max=2023-03-08T10:00:00%2B01:00&max-results=20&m=1
--- error_code: 301
--- response_headers
Location: /tags/Python?updated-max=2023-03-08T10:00:00%2B01:00&max-results=20



=== TEST 8: a monthly archive, with its trailing slash
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /2023/03/
--- error_code: 301
--- response_headers
Location: /blog/2023/03/



=== TEST 9: ... and without
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /2023/03
--- error_code: 301
--- response_headers
Location: /blog/2023/03/



=== TEST 10: the RSS feed (?alt=rss, matched by a match_query rule)
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /feeds/posts/default?alt=rss
--- error_code: 301
--- response_headers
Location: /rss.xml



=== TEST 11: ... with ?m=1 as well
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /feeds/posts/default?alt=rss&m=1
--- error_code: 301
--- response_headers
Location: /rss.xml



=== TEST 12: the Atom feed, its query dropped by the rule
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /feeds/posts/default?max-results=50
--- error_code: 301
--- response_headers
Location: /atom.xml



=== TEST 13: a "_6.html" collision suffix, by pattern rule
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /2023/03/reading-peps-on-train_6.html
--- error_code: 301
--- response_headers
Location: /2023/03/reading-peps-on-train



=== TEST 14: an exact entry wins over a rule that also matches
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /2024/04/release-notes-april_6.html
--- error_code: 301
--- response_headers
Location: /2024/04/release-notes



=== TEST 15: a static /p/ page, from the config's redirects
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /p/about.html
--- error_code: 301
--- response_headers
Location: /about/



=== TEST 16: a 308 pair
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /p/contact.html
--- error_code: 308
--- response_headers
Location: /contact/



=== TEST 17: a 410 rule: Gone, no Location
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /p/old-about.html
--- error_code: 410
--- response_headers
!Location



=== TEST 18: a chain collapses into one hop
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /old-feed.xml
--- error_code: 301
--- response_headers
Location: /about/



=== TEST 19: imported TSV, with its 302
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /2019/01/winter-list.html
--- error_code: 302
--- response_headers
Location: /notes/winter-list/



=== TEST 20: imported TSV, default status
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /2019/02/spring-list.html
--- error_code: 301
--- response_headers
Location: /notes/spring-list/



=== TEST 21: imported JSON, a plain pair
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /2018/05/summer-list.html
--- error_code: 301
--- response_headers
Location: /notes/summer-list/



=== TEST 22: imported JSON, a pair with its 303
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /2018/06/autumn-list.html
--- error_code: 303
--- response_headers
Location: /notes/autumn-list/



=== TEST 23: imported Netlify _redirects, a plain line
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /2017/01/old-garden.html
--- error_code: 301
--- response_headers
Location: /notes/old-garden/



=== TEST 24: imported Netlify _redirects, a splat
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /archive/2016/index.html
--- error_code: 301
--- response_headers
Location: /blog/2016/index.html



=== TEST 25: a 307 rule keeps the query even under "drop"
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    legacy_redirect_query drop;
--- request
GET /preview/spring?token=abc
--- error_code: 307
--- response_headers
Location: /drafts/spring?token=abc



=== TEST 26: a capture cannot reach another host through "//"
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /go//evil.example/x
--- error_code: 301
--- response_headers
Location: /evil.example/x



=== TEST 27: a capture cannot add a scheme: refused and logged
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location /moved/ {
        return 200 "not redirected\n";
    }
--- request
GET /moved/https:%2F%2Fevil.example
--- error_code: 200
--- response_body
not redirected
--- error_log
gives an unsafe target
--- no_error_log
[error]



=== TEST 28: in a map without sources the refused rule is named by its number
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger-nosrc.map;
    location /moved/ {
        return 200 "not redirected\n";
    }
--- request
GET /moved/https:%2F%2Fevil.example
--- error_code: 200
--- response_body
not redirected
--- error_log eval
qr/blogger-nosrc\.map": rule 8 gives an unsafe target for "[^"]+", not redirected/
--- no_error_log
(:0)
[error]



=== TEST 29: CR and LF in a capture stay encoded: no header injection
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /search/label/a%0D%0ASet-Cookie:%20x=1
--- error_code: 301
--- response_headers
Location: /tags/a%0D%0ASet-Cookie:%20x=1
!Set-Cookie



=== TEST 30: quotes and angle brackets in a capture are encoded
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
--- request
GET /search/label/%22%3Cb%3E
--- error_code: 301
--- response_headers
Location: /tags/%22%3Cb%3E



=== TEST 31: a caseless map matches any case
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/caseless.map;
--- request
GET /2016/09/mixed-case-title.html
--- error_code: 301
--- response_headers
Location: /2016/09/Mixed-Case



=== TEST 32: ... in upper case too
--- config
    absolute_redirect off;
    legacy_redirect_map $TEST_NGINX_MAP_DIR/caseless.map;
--- request
GET /2016/09/MIXED-CASE-TITLE.HTML
--- error_code: 301
--- response_headers
Location: /2016/09/Mixed-Case



=== TEST 33: a case-sensitive map does not
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location /2023/ {
        return 200 "miss\n";
    }
--- request
GET /2023/03/READING-PEPS-ON-TRAIN.html
--- error_code: 200
--- response_body
miss



=== TEST 34: an unmatched old-looking URL goes on untouched
--- config
    legacy_redirect_map $TEST_NGINX_MAP_DIR/blogger.map;
    location /2022/ {
        return 200 "miss\n";
    }
--- request
GET /2022/07/never-existed.html?m=1
--- error_code: 200
--- response_body
miss
--- no_error_log
[error]
[warn]
