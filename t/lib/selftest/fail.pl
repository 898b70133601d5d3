#!/usr/bin/perl
# Self-test: blocks that the real Test::Nginx::Socket fails must fail under
# t/lib's runner too (each case is run as its own generated .t file), and
# so must the few, in @stricter, that only t/lib refuses.

use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use SelfTest;
use Test::More;

plan skip_all => 'nginx not found' unless have_nginx();

my $head = <<'_T_';
use Test::Nginx::Socket 'no_plan';
run_tests();

__DATA__

=== TEST 1: case
--- config
    location /t {
        add_header X-Foo bar;
        return 200 "hello\n";
    }
    location /r { return 302 /t; }
_T_

# [description, block sections, regex on the name of the failing test]
my @cases = (
    ['wrong error_code', "--- request\nGET /t\n--- error_code: 404\n",
     qr/TEST 1: case - status code ok$/],
    ['default error_code is 200', "--- request\nGET /r\n",
     qr/status code ok$/],
    ['wrong header value', "--- request\nGET /t\n--- response_headers\nX-Foo: baz\n",
     qr/header X-Foo ok$/],
    ['header that must be absent is present',
     "--- request\nGET /t\n--- response_headers\n!X-Foo\n",
     qr/header X-Foo not present in the raw headers$/],
    ['header with empty value expected, but has one',
     "--- request\nGET /t\n--- response_headers\nX-Foo:\n",
     qr/header X-Foo ok$/],
    ['response_headers_like is anchored',
     "--- request\nGET /t\n--- response_headers_like\nX-Foo: ba\n",
     qr/header X-Foo like ok$/],
    ['Location is absolute (http://localhost:PORT/t)',
     "--- request\nGET /r\n--- error_code: 302\n--- response_headers\nLocation: /t\n",
     qr/header Location ok$/],
    ['response_body mismatch', "--- request\nGET /t\n--- response_body\nhello!\n",
     qr/response_body - response is expected/],
    ['response_body keeps the trailing newline',
     "--- request\nGET /t\n--- response_body chomp\nhello\n",
     qr/response_body - response is expected/],
    ['response_body_like mismatch', "--- request\nGET /t\n--- response_body_like: ^bye\n",
     qr/response_body_like - response is expected/],
    ['error_log pattern missing',
     "--- request\nGET /t\n--- error_log\nno such line in the log\n",
     qr/pattern "no such line in the log" should match a line in error\.log/],
    ['error_log eval qr// missing',
     "--- request\nGET /t\n--- error_log eval\nqr/never logged \\d+/\n",
     qr/should match a line in error\.log/],
    ['no_error_log pattern present',
     "--- request\nGET /t\n--- no_error_log\nhttp request line\n",
     qr/pattern "http request line" should not match any line in error\.log/],
    ['must_die, but nginx starts fine',
     "--- must_die\n",
     qr/die as expected$/],
    ['must_die with a wrong error_log pattern',
     "--- must_die\n--- error_log\nunknown directive\n",
     qr/should match a line in error\.log/],
);

# Stricter than the real runner, on purpose: these pass there (it has a
# response_body_filters section, and Test::Base ignores a section name it
# does not know), but a check that t/lib cannot run, or a misspelt one,
# must never pass here.
my @stricter = (
    ['unsupported section', "--- request\nGET /t\n--- response_body_filters\nuc\n",
     qr/unsupported section\(s\).*--- response_body_filters/],
    ['misspelt section', "--- request\nGET /t\n--- response_header\nX-Foo: bar\n",
     qr/unsupported section\(s\).*--- response_header\b/],
);

# must_die + error_log: the real runner reads servroot/logs/error.log, where
# config errors land only if nginx's compiled-in error log path is relative
# (OpenResty, default builds); Debian's nginx writes them to stderr only.
my $startup_block = "--- config\n    location /x { no_such_directive on; }\n"
    . "--- must_die\n--- error_log\nunknown directive \"no_such_directive\"\n";
if (startup_errors_in_log()) {
    ok_all(run_t($head =~ s/--- config.*//sr . $startup_block), 2,
           'must_die + error_log on a config error (nginx logs it to error.log)');
} else {
    fails_with(run_t($head =~ s/--- config.*//sr . $startup_block),
               qr/should match a line in error\.log/,
               'must_die + error_log on a config error (this nginx writes it to stderr only)');
}

for my $c (@cases, @stricter) {
    my ($desc, $sections, $re) = @$c;
    my $r = run_t($head . $sections);
    fails_with($r, $re, $desc);
}

# Cases where the run must abort (die or bail out) rather than fail a test.
my $r = run_t($head . "--- request\nGET /t\n--- response_body bogus_filter\nx\n");
ok($r->{exit} != 0 && $r->{err} =~ /Can't find a function or method for 'bogus_filter' filter/,
   'unknown filter dies') or diag($r->{out}, $r->{err});

$r = run_t($head . "--- response_body\nx\n");
ok($r->{exit} != 0 && $r->{out} =~ /^Bail out!.*Request line should be non-empty/m,
   'missing --- request bails out') or diag($r->{out}, $r->{err});

$r = run_t(<<'_T_');
use Test::Nginx::Socket 'no_plan';
run_tests();
__DATA__
=== TEST 1: undefined env var
--- config
    location /t { return 200 "$TEST_NGINX_NOT_DEFINED_ANYWHERE"; }
--- request
GET /t
_T_
ok($r->{exit} != 0 && $r->{out} =~ /^Bail out!.*No environment TEST_NGINX_NOT_DEFINED_ANYWHERE defined/m,
   'undefined $TEST_NGINX_* variable bails out') or diag($r->{out}, $r->{err});

$r = run_t(<<'_T_');
use Test::Nginx::Socket;
plan tests => 5 * blocks();
run_tests();
__DATA__
=== TEST 1: plan count mismatch
--- config
    location /t { return 200 "x"; }
--- request
GET /t
_T_
ok($r->{exit} != 0 && $r->{err} =~ /planned 5 tests but ran 1/,
   'plan tests => N mismatch fails') or diag($r->{out}, $r->{err});

$r = run_t(<<'_T_');
use Test::Nginx::Socket 'no_plan';
run_tests();
__DATA__
=== TEST 1: nginx config error outside must_die
--- config
    location /t { no_such_directive; }
--- request
GET /t
_T_
ok($r->{exit} != 0 && $r->{out} =~ /^Bail out!.*Cannot start nginx/m,
   'nginx failing to start bails out') or diag($r->{out}, $r->{err});

done_testing();
