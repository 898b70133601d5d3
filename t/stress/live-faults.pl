#!/usr/bin/env perl
# Live faults (make stress): while nginx (2 workers) serves checking
# clients and, when wrk is installed, wrk's load, the map file is
# truncated in place, overwritten in place, deleted and replaced.  No
# worker dies, every answer stays the loaded map's until a reload, and a
# reload with a damaged map keeps the old workers serving and says why;
# a map rewritten in place is read again on reload.
#
#   perl t/stress/live-faults.pl        (STRESS_SECONDS per fault, 3)

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin", "$FindBin::Bin/..";
use Fixture qw(build_map slurp);
use Stress qw(start_nginx stop_nginx nginx_cmd workers master_pid
              start_checkers stop_checkers error_log_since write_allowed);
use File::Copy qw(copy);
use Time::HiRes qw(sleep);
use Test::More;

my $secs = $ENV{STRESS_SECONDS} || 3;
my $dir = $Stress::dir;
my $port = $Stress::port;

my $blog = build_map('blog.map', 't/fixtures/blog');
my $shop = build_map('shop.map', 't/fixtures/shop');
my $live = "$dir/live.map";
copy($blog, $live) or die $!;

my %blog_answers = (
    '/2023/03/wintering-bees-in-cold-attic.html' => ['301 /2023/03/wintering-bees'],
    '/2018/04/spring-sale.html'                  => ['200 '],
    '/nothing.html'                              => ['200 '],
);
my %shop_answers = (
    '/2023/03/wintering-bees-in-cold-attic.html' => ['200 '],
    '/2018/04/spring-sale.html'                  => ['301 /2018/04/spring-sale'],
    '/nothing.html'                              => ['200 '],
);

start_nginx($live);
my @workers = workers();
is scalar @workers, 2, 'nginx runs two workers';
write_allowed(\%blog_answers);
start_checkers(4);

my $wrk;
if (system('command -v wrk >/dev/null 2>&1') == 0) {
    $wrk = fork // die;
    if ($wrk == 0) {
        open STDOUT, '>', "$dir/wrk.out";
        # Connection: close, as in reload-load.pl: on the final reload
        # nginx closes idle keep-alive connections, which wrk counts as
        # read errors
        exec 'wrk', '-t2', '-c50', "-d" . (6 * $secs + 10) . 's',
             '-H', 'Connection: close',
             "http://127.0.0.1:$port/2023/03/wintering-bees-in-cold-attic.html";
    }
}

sub fault {
    my ($name, $code) = @_;
    $code->();
    sleep $secs;
    is_deeply [workers()], \@workers, "$name: the same workers serve (none died)";
    unlike error_log_since(), qr/exited on signal|\[alert\]|\[crit\]/,
        "$name: no worker crash or alert in error.log";
}

my $size = -s $live;
fault('truncated in place to 100 bytes', sub {
    open my $fh, '+<:raw', $live or die $!;
    truncate $fh, 100 or die $!;
    close $fh;
});
fault('truncated in place to 0 bytes', sub { truncate $live, 0 or die $! });
fault('overwritten in place with random bytes', sub {
    open my $fh, '+<:raw', $live or die $!;
    print {$fh} join '', map { chr int rand 256 } 1 .. $size;
    close $fh;
});
fault('overwritten in place with another map', sub {
    open my $fh, '+<:raw', $live or die $!;
    print {$fh} slurp($shop);
    close $fh;
});
fault('deleted', sub { unlink $live or die $! });
fault('replaced by rename with a damaged map', sub {
    my $b = slurp($shop);
    vec($b, 8 * 200, 1) ^= 1;
    open my $fh, '>:raw', "$live.tmp" or die $!;
    print {$fh} $b;
    close $fh;
    rename "$live.tmp", $live or die $!;
});

# a reload with the damaged map in place: "nginx -s reload" checks only
# a map's header and signals; the master checks it all, refuses it, says
# why and keeps its workers.  A HUP sent directly does the same.
my ($rc, undef, $err) = nginx_cmd('-s', 'reload');
is $rc, 0, 'nginx -s reload with a damaged body signals the master' or diag $err;
sleep $secs;
like error_log_since(), qr/\[emerg\] .*legacy_redirect_map "\Q$live\E": checksum mismatch/,
    '... which refuses it and says why in error.log';
is_deeply [workers()], \@workers, '... and the old workers still serve';
kill 'HUP', master_pid();
sleep $secs;
like error_log_since(), qr/\[emerg\] .*legacy_redirect_map "\Q$live\E": checksum mismatch/,
    'a HUP with the damaged map: refused too, error.log says why';
is_deeply [workers()], \@workers, '... and the old workers still serve';

# a wrong header: nginx -s reload itself refuses
{
    my $b = slurp($shop);
    substr($b, 8, 4) = pack('V', 9);
    open my $fh, '>:raw', "$live.tmp" or die $!;
    print {$fh} $b;
    close $fh;
    rename "$live.tmp", $live or die $!;
}
($rc, undef, $err) = nginx_cmd('-s', 'reload');
isnt $rc, 0, 'nginx -s reload refuses a map of another version';
like $err, qr/map format version 9 is not supported/, '... and says why';

my ($ok, $bad, $none, $ex) = stop_checkers();
is $bad, 0, "every answer during the faults was the loaded map's ($ok answers)"
    or diag join "\n", @$ex;
is $none, 0, 'no request went unanswered';

# a good map and a reload: the new answers
write_allowed(\%shop_answers);
copy($shop, "$live.tmp") or die $!;
rename "$live.tmp", $live or die $!;
($rc, undef, $err) = nginx_cmd('-s', 'reload');
is $rc, 0, 'reload with a good map' or diag $err;
sleep 1;
start_checkers(2);
sleep 2;
($ok, $bad, $none, $ex) = stop_checkers();
is $bad, 0, "after the reload, the new map answers ($ok answers)" or diag join "\n", @$ex;

# the same file overwritten in place (same inode) and reloaded: the
# master must see the change, not reuse its copy
write_allowed(\%blog_answers);
{
    open my $fh, '+<:raw', $live or die $!;
    truncate $fh, 0;
    print {$fh} slurp($blog);
    close $fh;
}
($rc, undef, $err) = nginx_cmd('-s', 'reload');
is $rc, 0, 'reload after the map was rewritten in place' or diag $err;
sleep 1;
start_checkers(2);
sleep 2;
($ok, $bad, $none, $ex) = stop_checkers();
is $bad, 0, "... the rewritten map answers ($ok answers)" or diag join "\n", @$ex;
unlike error_log_since(), qr/unchanged, reusing the copy/, '... it was read again, not reused';

if ($wrk) {
    waitpid $wrk, 0;
    my $out = slurp("$dir/wrk.out") // '';
    note $out;
    my ($reqs) = $out =~ /(\d+) requests in/;
    unlike $out, qr/Socket errors/, "wrk: no socket errors (" . ($reqs // '?') . " requests)";
    unlike $out, qr/Non-2xx or 3xx/, 'wrk: no 4xx or 5xx';
}

stop_nginx();
done_testing;
