package SelfTest;

# Helpers for the self-tests of t/lib/Test/Nginx/Socket.pm: write a small
# .t file into a temporary directory, run it with perl -I t/lib against the
# real nginx (on a free port, with its own servroot) and return its TAP.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use Test::More;

use Exporter 'import';
our @EXPORT = qw(run_t free_port have_nginx ok_all fails_with startup_errors_in_log);

our $Lib = abs_path(dirname(__FILE__) . '/..');    # .../t/lib

sub have_nginx {
    my $bin = $ENV{TEST_NGINX_BINARY} || 'nginx';
    my $out = `$bin -v 2>&1`;
    return $? == 0;
}

# Does this nginx log its startup (config parse) errors to
# <prefix>/logs/error.log?  Yes when built with a relative --error-log-path
# (the default, OpenResty); no for Debian's --error-log-path=stderr.
sub startup_errors_in_log {
    my $bin = $ENV{TEST_NGINX_BINARY} || 'nginx';
    my $v = `$bin -V 2>&1`;
    return 1 unless $v =~ /--error-log-path=(\S+)/;
    return $1 ne 'stderr' && $1 !~ m{^/};
}

sub free_port {
    for (1 .. 100) {
        my $port = 20000 + int rand 30000;
        my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
                                      Proto => 'tcp', Listen => 1) or next;
        close $s;
        return $port;
    }
    die "no free port found\n";
}

# run_t($source, ENV_NAME => value, ...) -> hashref:
#   exit, out, err, conf (generated nginx.conf), tests => [{ok, n, name}],
#   plan (number from "1..N" or undef)
sub run_t {
    my ($source, %env) = @_;
    my $dir = tempdir('tn-selftest-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    mkdir "$dir/t" or die "mkdir: $!";
    open my $fh, '>', "$dir/t/gen.t" or die "write: $!";
    print $fh $source;
    close $fh;

    local %ENV = %ENV;
    delete @ENV{ grep { /^TEST_NGINX_/ && !/^TEST_NGINX_BINARY$/ } keys %ENV };
    $ENV{TEST_NGINX_PORT}     = free_port();
    $ENV{TEST_NGINX_SERVROOT} = "$dir/servroot";
    $ENV{$_} = $env{$_} for keys %env;

    my $cmd = "cd '$dir' && '$^X' -I '$Lib' t/gen.t 2>'$dir/stderr'";
    my $out = `$cmd`;
    my $exit = $? >> 8;
    my $err = do { local $/; open my $e, '<', "$dir/stderr" or die; <$e> };
    my $conf;
    if (open my $c, '<', "$dir/servroot/conf/nginx.conf") {
        local $/;
        $conf = <$c>;
    }

    my (@tests, $plan);
    for my $line (split /\n/, $out) {
        if ($line =~ /^(not )?ok (\d+)(?: - (.*))?/) {
            push @tests, { ok => !$1, n => $2, name => $3 // '' };
        } elsif ($line =~ /^1\.\.(\d+)/) {
            $plan = $1;
        }
    }
    return { exit => $exit, out => $out, err => $err, conf => $conf,
             tests => \@tests, plan => $plan, dir => $dir };
}

# The run passed: exit 0, N tests, all ok.
sub ok_all {
    my ($r, $count, $desc) = @_;
    my @bad = grep { !$_->{ok} } @{ $r->{tests} };
    my $good = $r->{exit} == 0 && !@bad && @{ $r->{tests} } == $count;
    ok($good, "$desc: passes with $count tests")
        or diag("exit=$r->{exit}\nSTDOUT:\n$r->{out}\nSTDERR:\n$r->{err}");
}

# The run failed (non-zero exit) with a "not ok" whose name matches $re.
sub fails_with {
    my ($r, $re, $desc) = @_;
    my @hits = grep { !$_->{ok} && $_->{name} =~ $re } @{ $r->{tests} };
    ok($r->{exit} != 0 && @hits, "$desc: fails ($re)")
        or diag("exit=$r->{exit}\nSTDOUT:\n$r->{out}\nSTDERR:\n$r->{err}");
}

1;
