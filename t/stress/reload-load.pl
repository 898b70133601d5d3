#!/usr/bin/env perl
# Reload under load (make stress): wrk with 200 connections on 127.0.0.1
# while the map is rebuilt (redirect-map build, atomic rename) and nginx
# reloaded 20 times: no socket error, no 5xx, and checking clients see
# only answers of the old or the new map.  Then 100 more reloads: the
# master's file descriptors and memory, and the workers', do not grow.
#
#   perl t/stress/reload-load.pl   (RELOADS=20, RELOADS_LEAK=100)
#
# wrk sends "Connection: close": on a graceful reload nginx closes the
# keep-alive connections that are idle on its old workers, and wrk
# counts each such close as a read error instead of reconnecting (see
# docs/robustness.md).

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin", "$FindBin::Bin/..";
use Fixture qw(run build_map root slurp);
use Stress qw(start_nginx stop_nginx nginx_cmd workers master_pid
              start_checkers stop_checkers error_log_since write_allowed
              fd_count rss_kb);
use File::Copy qw(copy);
use Time::HiRes qw(sleep time);
use Test::More;

my $reloads = $ENV{RELOADS} || 20;
my $leak_reloads = $ENV{RELOADS_LEAK} || 100;
my $dir = $Stress::dir;
my $port = $Stress::port;

system('command -v wrk >/dev/null 2>&1') == 0
    or plan skip_all => 'wrk is not installed (apt-get install wrk)';

my $live = "$dir/live.map";
my @content = (root() . '/t/fixtures/blog', root() . '/t/fixtures/shop');
sub rebuild {
    my ($i) = @_;
    my ($rc, undef, $err) = run('redirect-map', 'build', '-q', '-o', $live,
                                $content[$i % 2]);
    die "build: $err" if $rc;
}
rebuild(0);

# either map's answer is fine while reloads go on
write_allowed({
    '/2023/03/wintering-bees-in-cold-attic.html' => ['301 /2023/03/wintering-bees', '200 '],
    '/2018/04/spring-sale.html'                  => ['301 /2018/04/spring-sale', '200 '],
    '/nothing.html'                              => ['200 '],
});

start_nginx($live);
start_checkers(4);

my $duration = $reloads + 10;
my $wrk = fork // die;
if ($wrk == 0) {
    open STDOUT, '>', "$dir/wrk.out";
    exec 'wrk', '-t2', '-c200', "-d${duration}s", '-H', 'Connection: close',
         "http://127.0.0.1:$port/2023/03/wintering-bees-in-cold-attic.html";
}
sleep 3;

my $failed_reloads = 0;
for my $i (1 .. $reloads) {
    rebuild($i);
    my ($rc) = nginx_cmd('-s', 'reload');
    $failed_reloads++ if $rc;
    sleep 0.5;
}
is $failed_reloads, 0, "$reloads rebuilds and reloads under load";

waitpid $wrk, 0;
my $out = slurp("$dir/wrk.out") // '';
note $out;
my ($reqs) = $out =~ /(\d+) requests in/;
ok $reqs, "wrk sent $reqs requests with 200 connections";
unlike $out, qr/Socket errors/, 'wrk: no socket errors';
unlike $out, qr/Non-2xx or 3xx/, 'wrk: no 4xx or 5xx';

my ($ok, $bad, $none, $ex) = stop_checkers();
is $bad, 0, "every checked answer was the old or the new map's ($ok answers)"
    or diag join "\n", @$ex;
is $none, 0, 'no checked request went unanswered';
unlike error_log_since(), qr/exited on signal|\[alert\]|\[crit\]|\[emerg\]/,
    'error.log: no crash, alert or emerg';

# --- 100 reloads: file descriptors and memory -------------------------------

my $master = master_pid();
my @samples;
sub wait_new_workers {
    my (%old) = map { $_ => 1 } @_;
    for (1 .. 100) {
        my @w = workers();
        return @w if @w == 2 && !grep { $old{$_} } @w;
        sleep 0.05;
    }
    return workers();
}
my @w = workers();
for my $i (1 .. $leak_reloads) {
    rebuild($i);
    nginx_cmd('-s', 'reload');
    @w = wait_new_workers(@w);
    sleep 0.2;
    push @samples, [fd_count($master), rss_kb($master),
                    (map { fd_count($_) } @w), (map { rss_kb($_) } @w)];
}
for my $i (grep { ($_ + 1) % 50 == 0 } 0 .. $#samples) {
    note sprintf "after reload %d: master %d fds %d kB, workers %d/%d fds %d/%d kB",
        $i + 1, @{ $samples[$i] };
}
my ($first, $last) = ($samples[9], $samples[-1]);
note sprintf "after reload 10: master %d fds %d kB, workers %d/%d fds %d/%d kB",
    @$first;
note sprintf "after reload %d: master %d fds %d kB, workers %d/%d fds %d/%d kB",
    $leak_reloads, @$last;
is $last->[0], $first->[0], "master: same number of fds after reload 10 and $leak_reloads";
is_deeply [@$last[2, 3]], [@$first[2, 3]], 'workers: same number of fds';
cmp_ok $last->[1], '<=', $first->[1] * 1.05 + 512,
    "master memory: $first->[1] kB -> $last->[1] kB";
cmp_ok $last->[4] + $last->[5], '<=', ($first->[4] + $first->[5]) * 1.05 + 512,
    'workers memory: ' . ($first->[4] + $first->[5]) . ' kB -> ' . ($last->[4] + $last->[5]) . ' kB';

stop_nginx();
done_testing;
