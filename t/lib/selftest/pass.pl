#!/usr/bin/perl
# Self-test: blocks that the real Test::Nginx::Socket passes also pass
# under t/lib's runner, with the same number of tests and test names.

use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use SelfTest;
use Test::More;

plan skip_all => 'nginx not found' unless have_nginx();

my $r = run_t(<<'_T_');
use Test::Nginx::Socket;

repeat_each(2);
plan tests => repeat_each() * (3 * blocks() + 4);
no_shuffle();
$ENV{TEST_NGINX_GREETING} = 'hi there';
run_tests();

__DATA__

=== TEST 1: plain body, env substitution, no error in log
--- config
    location /t {
        return 200 "$TEST_NGINX_GREETING\n";
    }
--- request
GET /t
--- response_body
hi there
--- no_error_log
[error]


=== TEST 2: redirect: status, exact/absent/empty headers, body_like
--- config
    location /old {
        add_header X-Foo "bar baz" always;
        return 301 /new;
    }
--- request
    GET /old
--- error_code: 301
--- response_headers
Location: http://localhost:$ServerPort/new
X-Foo: bar baz
!X-Absent
X-Empty:
--- response_body_like: 301 Moved Permanently


=== TEST 3: two requests (request eval array) and more_headers
--- config
    location /a { return 200 "a:$http_x_test"; }
    location /b { return 404; }
--- more_headers
X-Test: yes
--- request eval
["GET /a", "GET /b"]
--- error_code eval
[200, 404]
--- response_body_like eval
["^a:yes\$", "404 Not Found"]


=== TEST 4: request body, HEAD-free, response_headers_like, error_log eval qr
--- config
    location /p {
        return 200 "$request_method $http_content_length $http_host";
    }
--- request
POST /p
hello world
--- response_headers_like
Content-Type: text/.*
--- response_body chomp
POST 11 localhost
--- error_log eval
qr/\[debug\] .*http request line: "POST \/p HTTP\/1\.1"/


=== TEST 5: user_files served by the default location /, HEAD has no body
--- user_files
>>> hello.txt
file body
--- config
--- request
HEAD /hello.txt
--- response_headers
Content-Length: 10
--- response_body


=== TEST 6: must_die (plus a no_error_log check of error.log)
--- config
    location /x { no_such_directive on; }
--- must_die
--- no_error_log
[crit]


=== TEST 7: skipped block is not counted
--- SKIP
--- config
    location /x { return 500; }
--- request
GET /x
_T_

ok_all($r, 2 * (3 * 6 + 4), 'sections that must pass');
like($r->{tests}[0]{name}, qr{^t/gen\.t TEST 1: plain body, env substitution, no error in log - status code ok$},
     'test names look like the real runner\'s');
is(scalar(grep { $_->{name} =~ /TEST 7/ } @{ $r->{tests} }), 0, '--- SKIP block not run');

# The nginx.conf layout of the last block (the must_die one).
my $conf = $r->{conf} // '';
like($conf, qr/\Aworker_processes  1;\ndaemon on;\nmaster_process off;\nerror_log \S+\/logs\/error\.log debug;\npid       \S+\/logs\/nginx\.pid;\n/,
     'nginx.conf preamble');
like($conf, qr/\n    server \{\n        listen          \d+;\n        server_name     'localhost';\n\n        client_max_body_size 30M;\n/,
     'nginx.conf server block');
like($conf, qr/# Begin test case config\.\.\.\n    location \/x \{ no_such_directive on; \}\n\n        # End test case config\.\n\n        location \/ \{\n            root \S+\/html;\n            index index\.html index\.htm;\n        \}\n    \}\n\}\n/,
     'block config comes before the default location /');

# ONLY, LAST, repeat_each default, log_level, master_on/workers,
# TEST_NGINX_LOAD_MODULES placement, `use ... 'no_plan'`.
$r = run_t(<<'_T_', TEST_NGINX_LOAD_MODULES => '/nonexistent/ngx_foo_module.so');
use Test::Nginx::Socket 'no_plan';
log_level('warn');
run_tests();

__DATA__

=== TEST 1: not run because TEST 2 has ONLY
--- config
--- request
GET /nope
--- error_code: 500

=== TEST 2: load_module line is written; nginx fails to load it
--- main_config
worker_rlimit_nofile 1024;
--- config
--- must_die
--- ONLY
_T_
ok_all($r, 1, 'ONLY + must_die + load_module');
like($r->{err}, qr/ngx_foo_module\.so/, 'nginx\'s startup error is shown on stderr');
like($r->{conf} // '', qr/\nworker_rlimit_nofile 1024;\nload_module \/nonexistent\/ngx_foo_module\.so;\n/,
     'load_module lines are appended to main_config');
like($r->{conf} // '', qr/\nerror_log \S+ warn;\n/, 'log_level() is used');
like($r->{err}, qr/I found ONLY/, 'ONLY is reported');

$r = run_t(<<'_T_');
use Test::Nginx::Socket 'no_plan';
no_shuffle();
run_tests();

__DATA__

=== TEST 1: first
--- config
    location /t { return 200 "1"; }
--- request
GET /t
--- response_body chomp
1

=== TEST 2: no config: reuses the previous nginx
--- request
GET /t
--- response_body_like: ^1$
--- LAST

=== TEST 3: after LAST, not run
--- config
--- request
GET /
--- error_code: 599
_T_
ok_all($r, 4, 'LAST + block without config');

done_testing();
