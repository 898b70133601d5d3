#!/usr/bin/perl
# Self-test: TEST_NGINX_USE_VALGRIND=1 runs nginx under memcheck (daemon
# off, stopped after each block); a clean run passes with the usual tests.

use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use SelfTest;
use Test::More;

plan skip_all => 'nginx not found' unless have_nginx();
plan skip_all => 'valgrind not found' unless `valgrind --version 2>&1` =~ /valgrind/;

my $r = run_t(<<'_T_', TEST_NGINX_USE_VALGRIND => 1);
use Test::Nginx::Socket 'no_plan';
no_shuffle();
run_tests();

__DATA__

=== TEST 1: a request under valgrind
--- config
    location /t { return 200 "hello"; }
--- request
GET /t
--- response_body chomp
hello

=== TEST 2: a redirect under valgrind
--- config
    location /r { return 301 /x; }
--- request
GET /r
--- error_code: 301
--- response_headers
Location: http://localhost:$ServerPort/x
_T_

ok_all($r, 4, 'valgrind mode');
like($r->{conf} // '', qr/^daemon off;$/m, 'nginx runs in the foreground under valgrind');
unlike($r->{err}, qr/==\d+== .*definitely lost/, 'no leak reports');

done_testing();
