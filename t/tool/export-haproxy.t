# dump --format haproxy, loaded by a real HAProxy with the lines each
# file's header gives: every exact entry of a fixture map answers what
# "redirect-map lookup" says, or was reported as left out, and the
# request's query goes on as the module passes it (t/tool/Export.pm).

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..", $FindBin::Bin;
use Fixture qw(run map_dir free_port http_get);
use Export qw(fixture_map dump_per_status wait_answering check_entries
              check_queries stop_pidfile stop_if_running);
use Test::More;

my $haproxy = $ENV{TEST_HAPROXY_BINARY} || 'haproxy';
plan skip_all => "no $haproxy" unless system("$haproxy -v >/dev/null 2>&1") == 0;

my $dir = map_dir() . '/export-haproxy';
mkdir $dir;
my $port = free_port();
$port = free_port() while $port == 1984;

END { stop_if_running("$dir/haproxy.pid", 'TERM') }

my $map = fixture_map($dir);
my ($rules, $warnings) = dump_per_status($map, 'haproxy', $dir,
                                         qr/^#   (http-request .*)$/m);
like $warnings, qr/1 entry not exported: the key holds a space/,
    'the key with a space is reported as left out';
like $warnings, qr/1 entry not exported: the key holds an encoded '\/'/,
    'the %2F key is reported as left out';

open my $conf, '>', "$dir/haproxy.cfg" or die;
print {$conf} <<"CONF";
global
    maxconn 64
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend legacy
    bind 127.0.0.1:$port
@{[ join '', map { "    $_\n" } split /\n/, $rules ]}    http-request return status 200 content-type text/plain string miss
CONF
close $conf;

my ($rc, undef, $err) = run($haproxy, '-c', '-f', "$dir/haproxy.cfg");
is $rc, 0, 'haproxy -c accepts the exported maps' or BAIL_OUT($err);
($rc, undef, $err) = run($haproxy, '-D', '-p', "$dir/haproxy.pid", '-f',
                         "$dir/haproxy.cfg");
is $rc, 0, 'haproxy starts' or BAIL_OUT($err);
wait_answering($port, 'haproxy');

my ($s) = http_get($port, '/not-a-legacy-url.html');
is $s, 200, 'a miss passes through';

check_entries($port, $map, left_out => qr/%2F|%20/i, left => 2);
check_queries($port);

# HAProxy compares the decoded path with the key as it is: case counts
($s) = http_get($port, '/CASE.html');
is $s, 200, 'case-sensitive, as the module';

stop_pidfile("$dir/haproxy.pid", 'TERM', 'haproxy');


done_testing;
