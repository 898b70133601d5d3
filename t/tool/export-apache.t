# dump --format apache, loaded by a real Apache (Debian's apache2-bin,
# run on its own with mod_rewrite) with the lines the export's header
# suggests: every exact entry of a fixture map answers what
# "redirect-map lookup" says, or was reported as left out.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run map_dir free_port http_get root);
use JSON::PP qw(decode_json);
use Time::HiRes qw(sleep);
use Test::More;

my $apache = $ENV{TEST_APACHE_BINARY} || '/usr/sbin/apache2';
my $modules = $ENV{TEST_APACHE_MODULES} || '/usr/lib/apache2/modules';
plan skip_all => "no $apache" unless system("$apache -v >/dev/null 2>&1") == 0;

my $dir = map_dir() . '/export-apache';
mkdir $dir;
my $port = free_port();
$port = free_port() while $port == 1984;

my $pid;
END {
    if (!$pid && -e "$dir/httpd.pid") {
        $pid = do { local (@ARGV, $/) = "$dir/httpd.pid"; <> };
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
    ($rc, $out, $err) = run('redirect-map', 'dump', '--format', 'apache',
                            '--status', $s, $map);
    is $rc, 0, "dump --format apache --status $s";
    my $file = "$dir/legacy-$s.map";
    open my $o, '>', $file or die;
    print {$o} $out;
    close $o;
    $left_out{space}++
        if $err =~ /1 entry not exported: the key holds a space/;
    $left_out{slash}++
        if $err =~ /1 entry not exported: the key holds an encoded '\/'/;
    my @lines = $out =~ /^#   (Rewrite.*)$/mg;
    is scalar(@lines), 4, "the header of --status $s gives the lines to use";
    s{/path/to/THIS_FILE}{$file}g for @lines;
    $rules .= join '', map { "$_\n" } @lines;
}
is $left_out{space}, 1, 'the key with a space is reported as left out';
is $left_out{slash}, 1, 'the %2F key is reported as left out';

mkdir "$dir/htdocs";
open my $index, '>', "$dir/htdocs/index.html" or die;
print {$index} "miss\n";
close $index;

open my $conf, '>', "$dir/httpd.conf" or die;
print {$conf} <<"CONF";
ServerRoot $dir
Listen 127.0.0.1:$port
PidFile $dir/httpd.pid
ErrorLog $dir/error.log
LoadModule mpm_prefork_module $modules/mod_mpm_prefork.so
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule rewrite_module $modules/mod_rewrite.so
ServerName localhost
User nobody
Group nogroup
StartServers 1
DocumentRoot $dir/htdocs
<Directory $dir/htdocs>
    Require all granted
</Directory>
$rules
CONF
close $conf;

($rc, undef, $err) = run($apache, '-t', '-f', "$dir/httpd.conf");
is $rc, 0, 'apache2 -t accepts the exported maps' or BAIL_OUT($err);
($rc, undef, $err) = run($apache, '-f', "$dir/httpd.conf", '-k', 'start');
is $rc, 0, 'apache2 starts' or BAIL_OUT($err);

my $up = 0;
for (1 .. 100) {
    my ($s) = http_get($port, '/');
    if ($s) { $up = 1; last }
    sleep 0.05;
}
ok $up, 'apache2 answers';

my ($s, $l) = http_get($port, '/index.html');
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
    # Apache makes Location absolute, with the request's Host
    $location =~ s{^http://localhost/}{/} if defined $location;
    my $want = $status == 410 ? '410 ' : "$status $target";
    my $got = ($got_status // 'none') . ' ' . ($location // '');
    is $got, $want, "$request: $want";
}
is $skipped, 2, 'only the entries reported as left out were skipped';

# the request's query follows the target's, as the module puts it
($s, $l) = http_get($port, '/abs.html?utm=1');
is "$s $l", '301 https://example.org/x?a=1&utm=1', 'query after the target\'s';
($s, $l) = http_get($port, '/Case.html?utm=1');
$l =~ s{^http://localhost/}{/};
is "$s $l", '301 /upper?utm=1', 'query after a target without one';

# a txt: map compares the decoded path with the key as it is: case counts
($s, $l) = http_get($port, '/CASE.html');
is $s, 404, 'case-sensitive, as the module';

$pid = do { local (@ARGV, $/) = "$dir/httpd.pid"; <> };
chomp $pid;
kill 'TERM', $pid;
for (1 .. 50) { last unless kill 0, $pid; sleep 0.1 }
ok !kill(0, $pid), 'apache2 stopped';

done_testing;
