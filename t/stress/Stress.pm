package Stress;

# Shared by the stress scripts (make stress): an nginx with the module
# on a free port, checking clients, worker and log inspection.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run map_dir free_port http_get root slurp);
use Exporter 'import';
use Time::HiRes qw(sleep);

our @EXPORT_OK = qw(start_nginx stop_nginx nginx_cmd workers master_pid
                    start_checkers stop_checkers error_log_since fd_count
                    rss_kb write_allowed);

our $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
our $module = $ENV{TEST_NGINX_LOAD_MODULES}
              || root() . '/build/ngx_http_legacy_redirect_module.so';
our $dir = map_dir();
our $port = free_port();
mkdir "$dir/logs";

sub write_conf {
    my ($map) = @_;
    open my $fh, '>', "$dir/nginx.conf" or die $!;
    print {$fh} <<"CONF";
load_module $module;
worker_processes 2;
worker_rlimit_nofile 4096;
error_log $dir/logs/error.log info;
pid $dir/logs/nginx.pid;
events { worker_connections 2048; }
http {
    access_log off;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$port backlog=1024;
        absolute_redirect off;
        legacy_redirect_map $map;
        location / { return 200 "miss\\n"; }
    }
}
CONF
    close $fh;
}

sub nginx_cmd { return run($nginx, '-p', $dir, '-c', "$dir/nginx.conf", @_) }

sub master_pid {
    my $pid = slurp("$dir/logs/nginx.pid") // return;
    chomp $pid;
    return $pid;
}

sub start_nginx {
    my ($map) = @_;
    write_conf($map);
    my ($rc, undef, $err) = nginx_cmd();
    die "nginx did not start: $err" if $rc;
    for (1 .. 100) { last if http_get($port, '/'); sleep 0.05 }
}

sub stop_nginx {
    my $pid = master_pid() or return;
    kill 'QUIT', $pid;
    for (1 .. 100) { last unless kill 0, $pid; sleep 0.1 }
}

# pids of the master's workers, without those shutting down
sub workers {
    my $master = master_pid() or return ();
    my @w;
    for my $stat (glob '/proc/[0-9]*/stat') {
        my $s = slurp($stat) // next;
        my ($pid, $ppid) = $s =~ /^(\d+) \(.*\) \S (\d+)/ or next;
        next unless $ppid == $master;
        my $cmd = slurp("/proc/$pid/cmdline") // '';
        push @w, $pid if $cmd =~ /worker process/ && $cmd !~ /shutting down/;
    }
    return sort { $a <=> $b } @w;
}

sub fd_count {
    my ($pid) = @_;
    opendir my $d, "/proc/$pid/fd" or return -1;
    return scalar grep { /^\d+$/ } readdir $d;
}

sub rss_kb {
    my ($pid) = @_;
    my $s = slurp("/proc/$pid/status") // return -1;
    return $s =~ /^VmRSS:\s+(\d+)/m ? $1 : -1;
}

# The answers the checkers accept now: { path => ['301 /x', ...] },
# written to a file they reread before each round.
sub write_allowed {
    my ($allowed) = @_;
    open my $fh, '>', "$dir/allowed.tmp" or die $!;
    print {$fh} "+{\n";
    for my $p (sort keys %$allowed) {
        print {$fh} "  '$p' => [" . join(', ', map { "'$_'" } @{ $allowed->{$p} }) . "],\n";
    }
    print {$fh} "}\n";
    close $fh;
    rename "$dir/allowed.tmp", "$dir/allowed.pl" or die $!;
}

# Forked clients asking each allowed path in turn, counting answers that
# are not allowed and requests that got no answer at all.
my @checkers;
sub start_checkers {
    my ($n) = @_;
    for my $i (1 .. $n) {
        my $pid = fork // die;
        if ($pid == 0) {
            my ($ok, $bad, $none, %bad) = (0, 0, 0);
            my $stop = 0;
            local $SIG{TERM} = sub { $stop = 1 };
            while (!$stop) {
                my $allowed = do "$dir/allowed.pl" or next;
                for my $path (sort keys %$allowed) {
                    my ($status, $loc) = http_get($port, $path);
                    if (!defined $status) { $none++; next }
                    my $got = "$status " . ($loc // '');
                    if (grep { $_ eq $got } @{ $allowed->{$path} }) { $ok++ }
                    else { $bad++; $bad{"$path -> $got"}++ }
                }
            }
            open my $fh, '>', "$dir/checker.$i" or die;
            print {$fh} "$ok $bad $none\n", map { "$_\n" } sort keys %bad;
            close $fh;
            exit 0;
        }
        push @checkers, $pid;
    }
}

# -> (answers ok, wrong answers, no answer, [wrong answers seen])
sub stop_checkers {
    kill 'TERM', @checkers;
    waitpid $_, 0 for @checkers;
    my ($ok, $bad, $none, @ex) = (0, 0, 0);
    for my $i (1 .. @checkers) {
        my $s = slurp("$dir/checker.$i") // next;
        my ($first, @rest) = split /\n/, $s;
        my ($o, $b, $n) = split ' ', $first;
        $ok += $o; $bad += $b; $none += $n;
        push @ex, @rest;
    }
    @checkers = ();
    return ($ok, $bad, $none, \@ex);
}

my $log_pos = 0;
sub error_log_since {
    my $log = slurp("$dir/logs/error.log") // '';
    my $new = substr($log, $log_pos);
    $log_pos = length $log;
    return $new;
}

1;
