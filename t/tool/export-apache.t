# dump --format apache, loaded by a real Apache (Debian's apache2-bin, run
# on its own with mod_rewrite) with the lines each file's header gives:
# every exact entry of a fixture map answers what "redirect-map lookup"
# says, or was reported as left out, and the request's query goes on as
# the module passes it (t/tool/Export.pm).

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..", $FindBin::Bin;
use Fixture qw(run map_dir free_port http_get);
use Export qw(fixture_map dump_per_status wait_answering check_entries
              check_queries stop_pidfile stop_if_running);
use Test::More;

my $apache = $ENV{TEST_APACHE_BINARY} || '/usr/sbin/apache2';
my $modules = $ENV{TEST_APACHE_MODULES} || '/usr/lib/apache2/modules';
plan skip_all => "no $apache" unless system("$apache -v >/dev/null 2>&1") == 0;
plan skip_all => "no mod_rewrite in $modules"
    unless -e "$modules/mod_rewrite.so" && -e "$modules/mod_mpm_prefork.so";

my $dir = map_dir() . '/export-apache';
mkdir $dir;

# started as root, Apache serves as nobody, who must read the maps here
if ($> == 0) {
    open my $probe, '>', "$dir/probe" or die;
    close $probe;
    plan skip_all => "nobody cannot read $dir"
        if system('runuser', '-u', 'nobody', '--', 'test', '-r',
                  "$dir/probe") != 0;
}

my $port = free_port();
$port = free_port() while $port == 1984;

END { stop_if_running("$dir/httpd.pid", 'TERM') }

my $map = fixture_map($dir);
my ($rules, $warnings) = dump_per_status($map, 'apache', $dir,
                                         qr/^#   (Rewrite.*)$/m);
like $warnings, qr/1 entry not exported: the key holds a space/,
    'the key with a space is reported as left out';
like $warnings, qr/1 entry not exported: the key holds an encoded '\/'/,
    'the %2F key is reported as left out';

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

my ($rc, undef, $err) = run($apache, '-t', '-f', "$dir/httpd.conf");
is $rc, 0, 'apache2 -t accepts the exported maps' or BAIL_OUT($err);
($rc, undef, $err) = run($apache, '-f', "$dir/httpd.conf", '-k', 'start');
is $rc, 0, 'apache2 starts' or BAIL_OUT($err);
wait_answering($port, 'apache2');

my ($s) = http_get($port, '/index.html');
is $s, 200, 'a miss passes through';

# Apache makes Location absolute, with the request's Host
my $relative = sub { my ($l) = @_; $l =~ s{^http://localhost/}{/}; $l };
check_entries($port, $map, left_out => qr/%2F|%20/i, left => 2,
              location => $relative);
# an empty query stays: "/upper?" (documented)
check_queries($port, location => $relative, skip => ['/Case.html?']);

# a txt: map compares the decoded path with the key as it is: case counts
($s) = http_get($port, '/CASE.html');
is $s, 404, 'case-sensitive, as the module';

stop_pidfile("$dir/httpd.pid", 'TERM', 'apache2');


done_testing;
