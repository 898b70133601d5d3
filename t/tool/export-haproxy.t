# dump --format haproxy, loaded by a real HAProxy with the lines the
# export's header suggests: every exact entry of a fixture map answers
# what "redirect-map lookup" says, or was reported as left out.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run map_dir free_port http_get root);
use JSON::PP qw(decode_json);
use Time::HiRes qw(sleep);
use Test::More;

my $haproxy = $ENV{TEST_HAPROXY_BINARY} || 'haproxy';
plan skip_all => "no $haproxy" unless system("$haproxy -v >/dev/null 2>&1") == 0;

my $dir = map_dir() . '/export-haproxy';
mkdir $dir;
my $port = free_port();
$port = free_port() while $port == 1984;

my $pid;
END {
    if (!$pid && -e "$dir/haproxy.pid") {
        $pid = do { local (@ARGV, $/) = "$dir/haproxy.pid"; <> };
        chomp $pid if $pid;
    }
    kill 'TERM', $pid if $pid && kill 0, $pid;
}

# the blog and blogger fixtures, plus keys that need decoding or that the
# export cannot carry
my $fixtures = root() . '/t/fixtures';
open my $fh, '>', "$dir/redirect-map.yaml" or die;
print {$fh} <<"YAML";
content: [$fixtures/blog, $fixtures/blogger/posts]
import: [$fixtures/blogger/moved.tsv, $fixtures/blogger/redirects.json]
YAML
print {$fh} <<'YAML';
redirects:
  /with%20space.html: /space
  /semi;colon.html: /semi
  "/brace{x}.html": /brace
  /dollar.html: /price$5
  /hash%23.html: /hash
  /pct%25.html: /pct
  /q%3Fmark.html: /qmark
  /slash%2Fenc.html: /slash
  /caf%C3%A9.html: /cafe
  /Case.html: /upper
  /case.html: /lower
  /temp.html: { to: /temp, status: 302 }
  /other.html: { to: /other, status: 303 }
  /tmp.html: { to: /tmp, status: 307 }
  /perm.html: { to: /perm, status: 308 }
  /gone.html: { status: 410 }
  /abs.html: https://example.org/x?a=1
YAML
close $fh;

my $map = "$dir/fixture.map";
my ($rc, $out, $err) = run('redirect-map', 'build', '-q', '-c',
                           "$dir/redirect-map.yaml", '-o', $map);
is $rc, 0, 'fixture map built' or BAIL_OUT($err);

# one map file per status, and the rule its header gives for each
my @statuses = (410, 301, 302, 303, 307, 308);
my (%left_out, $rules);
for my $s (@statuses) {
    ($rc, $out, $err) = run('redirect-map', 'dump', '--format', 'haproxy',
                            '--status', $s, $map);
    is $rc, 0, "dump --format haproxy --status $s";
    my $file = "$dir/legacy-$s.map";
    open my $o, '>', $file or die;
    print {$o} $out;
    close $o;
    $left_out{space}++
        if $err =~ /1 entry not exported: the key holds a space/;
    $left_out{slash}++
        if $err =~ /1 entry not exported: the key holds an encoded '\/'/;
    my ($rule) = $out =~ /^#   (http-request .*)$/m;
    ok defined $rule, "the header of --status $s gives the rule to use";
    $rule =~ s{/path/to/THIS_FILE}{$file}g;
    $rules .= "    $rule\n";
}
is $left_out{space}, 1, 'the key with a space is reported as left out';
is $left_out{slash}, 1, 'the %2F key is reported as left out';

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
$rules    http-request return status 200 content-type text/plain string miss
CONF
close $conf;

($rc, undef, $err) = run($haproxy, '-c', '-f', "$dir/haproxy.cfg");
is $rc, 0, 'haproxy -c accepts the exported maps' or BAIL_OUT($err);
($rc, undef, $err) = run($haproxy, '-D', '-p', "$dir/haproxy.pid", '-f',
                         "$dir/haproxy.cfg");
is $rc, 0, 'haproxy starts' or BAIL_OUT($err);

my $up = 0;
for (1 .. 100) {
    my ($s) = http_get($port, '/');
    if ($s) { $up = 1; last }
    sleep 0.05;
}
ok $up, 'haproxy answers';

my ($s, $l) = http_get($port, '/not-a-legacy-url.html');
is $s, 200, 'a miss passes through';

# every exact entry, requested as a client would
($rc, $out) = run('redirect-map', 'dump', '--format', 'json', $map);
my @entries = grep { $_->{type} eq 'exact' } @{ decode_json($out) };
ok @entries > 20, scalar(@entries) . ' entries';

my $skipped = 0;
for my $e (@entries) {
    my $key = $e->{from};
    utf8::encode($key);
    if ($key =~ /%2F|%20/i) {                       # reported above
        $skipped++;
        next;
    }
    (my $request = $key)
        =~ s/([^A-Za-z0-9\/._~%!\$&'()*+,;=:\@-])/sprintf '%%%02X', ord $1/ge;
    my (undef, $lout) = run('redirect-map', 'lookup', $map, $request);
    my ($target, $status) = split /\t/, $lout;
    my ($got_status, $location) = http_get($port, $request);
    my $want = $status == 410 ? '410 ' : "$status $target";
    my $got = ($got_status // 'none') . ' ' . ($location // '');
    is $got, $want, "$request: $want";
}
is $skipped, 2, 'only the entries reported as left out were skipped';

# HAProxy compares the decoded path with the key as it is: case counts
($s, $l) = http_get($port, '/CASE.html');
is $s, 200, 'case-sensitive, as the module';

$pid = do { local (@ARGV, $/) = "$dir/haproxy.pid"; <> };
chomp $pid;
kill 'TERM', $pid;
for (1 .. 50) { last unless kill 0, $pid; sleep 0.1 }
ok !kill(0, $pid), 'haproxy stopped';

done_testing;
