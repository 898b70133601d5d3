# dump --format nginx, loaded by a real nginx as plain "map" blocks (no
# module): every exact entry of a fixture map answers what
# "redirect-map lookup" says, or was reported as left out.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run map_dir free_port http_get root);
use JSON::PP qw(decode_json);
use Time::HiRes qw(sleep);
use Test::More;

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
plan skip_all => "no $nginx" unless system("$nginx -v 2>/dev/null") == 0;

my $dir = map_dir() . '/export-nginx';
mkdir $dir;
mkdir "$dir/logs";
my $port = free_port();
$port = free_port() while $port == 1984;

my $pid;
END {
    if (!$pid && -e "$dir/logs/nginx.pid") {
        $pid = do { local (@ARGV, $/) = "$dir/logs/nginx.pid"; <> };
        chomp $pid if $pid;
    }
    kill 'QUIT', $pid if $pid && kill 0, $pid;
}

# the blog and blogger fixtures, plus keys that need quoting and decoding
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
  "/quo\"te.html": /quote
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

my @statuses = (301, 302, 303, 307, 308, 410);
my (%left_out, $maps, $ifs);
for my $s (@statuses) {
    ($rc, $out, $err) = run('redirect-map', 'dump', '--format', 'nginx',
                            '--status', $s, $map);
    is $rc, 0, "dump --format nginx --status $s";
    open my $o, '>', "$dir/legacy-$s.map" or die;
    print {$o} $out;
    close $o;
    # the lines each file's header gives, for http {} and server {}
    my @maps = $out =~ /^#   (map \$.*)$/mg;
    my @ifs = $out =~ /^#   (if \(.*)$/mg;
    ok @maps && @ifs == 1, "the header of --status $s gives the lines to use";
    s/THIS_FILE/$dir\/legacy-$s.map/ for @maps;
    $maps .= join '', map { "    $_\n" } @maps;
    $ifs .= join '', map { "        $_\n" } @ifs;
    $left_out{dup}++
        if $err =~ /1 entry not exported: the key differs from another only by case/;
    $left_out{slash}++
        if $err =~ /1 entry not exported: the key holds an encoded '\/'/;
}
is $left_out{dup}, 1, 'the case duplicate is reported as left out';
is $left_out{slash}, 1, 'the %2F key is reported as left out';

open my $conf, '>', "$dir/nginx.conf" or die;
print {$conf} <<"CONF";
worker_processes 1;
error_log $dir/logs/error.log info;
pid $dir/logs/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    map_hash_bucket_size 128;
$maps
    server {
        listen 127.0.0.1:$port;
        absolute_redirect off;
$ifs
        location / { return 200 "miss\\n"; }
    }
}
CONF
close $conf;

($rc, undef, $err) = run($nginx, '-t', '-p', $dir, '-c', "$dir/nginx.conf");
is $rc, 0, 'nginx -t accepts the exported maps' or BAIL_OUT($err);
($rc, undef, $err) = run($nginx, '-p', $dir, '-c', "$dir/nginx.conf");
is $rc, 0, 'nginx starts' or BAIL_OUT($err);

my $up = 0;
for (1 .. 100) {
    my ($s) = http_get($port, '/');
    if ($s) { $up = 1; last }
    sleep 0.05;
}
ok $up, 'nginx answers';

# every exact entry, requested as a client would
($rc, $out) = run('redirect-map', 'dump', '--format', 'json', $map);
my @entries = grep { $_->{type} eq 'exact' } @{ decode_json($out) };
ok @entries > 20, scalar(@entries) . ' entries';

my $skipped = 0;
for my $e (@entries) {
    my $key = $e->{from};
    utf8::encode($key);
    if ($key =~ /%2F/i || $key eq '/case.html') {     # reported above
        $skipped++;
        next;
    }
    (my $request = $key)
        =~ s/([^A-Za-z0-9\/._~%!\$&'()*+,;=:\@-])/sprintf '%%%02X', ord $1/ge;
    my (undef, $lout) = run('redirect-map', 'lookup', $map, $request);
    my ($target, $status) = split /\t/, $lout;
    my ($got_status, $location) = http_get($port, $request);
    $target =~ s/\$/%24/g;      # nginx has no escape for "$" in a value
    my $want = $status == 410 ? '410 ' : "$status $target";
    my $got = ($got_status // 'none') . ' ' . ($location // '');
    is $got, $want, "$request: $want";
}
is $skipped, 2, 'only the entries reported as left out were skipped';

# the request's query follows the target's, as the module puts it
my ($qs, $ql) = http_get($port, '/abs.html?utm=1');
is "$qs $ql", '301 https://example.org/x?a=1&utm=1', 'query after the target\'s';
($qs, $ql) = http_get($port, '/Case.html?utm=1');
is "$qs $ql", '301 /upper?utm=1', 'query after a target without one';

# nginx's map ignores case: the caveat the export documents
my ($s, $l) = http_get($port, '/CASE.html');
is "$s $l", '301 /upper', 'nginx matches any case (documented)';

$pid = do { local (@ARGV, $/) = "$dir/logs/nginx.pid"; <> };
chomp $pid;
kill 'QUIT', $pid;
for (1 .. 50) { last unless kill 0, $pid; sleep 0.1 }
ok !kill(0, $pid), 'nginx stopped';

done_testing;
