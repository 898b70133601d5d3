# dump --format nginx, loaded by a real nginx as plain "map" blocks (no
# module) with the lines each file's header gives: every exact entry of a
# fixture map answers what "redirect-map lookup" says, or was reported as
# left out, and the request's query goes on as the module passes it
# (t/tool/Export.pm).

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..", $FindBin::Bin;
use Fixture qw(run map_dir free_port http_get);
use Export qw(fixture_map dump_per_status wait_answering check_entries
              check_queries stop_pidfile stop_if_running);
use Test::More;

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
plan skip_all => "no $nginx" unless system("$nginx -v 2>/dev/null") == 0;

my $dir = map_dir() . '/export-nginx';
mkdir $dir;
mkdir "$dir/logs";
my $port = free_port();
$port = free_port() while $port == 1984;

END { stop_if_running("$dir/logs/nginx.pid", 'QUIT') }

my $map = fixture_map($dir);
my ($lines, $warnings) = dump_per_status($map, 'nginx', $dir,
                                         qr/^#   ((?:map \$|if \().*)$/m);
like $warnings,
    qr/1 entry not exported: the key differs from another only by case/,
    'the case duplicate is reported as left out';
like $warnings, qr/1 entry not exported: the key holds an encoded '\/'/,
    'the %2F key is reported as left out';

my $maps = join '', map { "    $_\n" } grep { /^map/ } split /\n/, $lines;
my $ifs = join '', map { "        $_\n" } grep { /^if/ } split /\n/, $lines;
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

my ($rc, undef, $err) = run($nginx, '-t', '-p', $dir, '-c', "$dir/nginx.conf");
is $rc, 0, 'nginx -t accepts the exported maps' or BAIL_OUT($err);
($rc, undef, $err) = run($nginx, '-p', $dir, '-c', "$dir/nginx.conf");
is $rc, 0, 'nginx starts' or BAIL_OUT($err);
wait_answering($port, 'nginx');

# nginx has no escape for "$" in a value: the export writes %24
check_entries($port, $map, left_out => qr/(?i:%2F)|^\/case\.html$/, left => 2,
              target => sub { my ($t) = @_; $t =~ s/\$/%24/g; $t });
check_queries($port);

# nginx's map ignores case: the caveat the export documents
my ($s, $l) = http_get($port, '/CASE.html');
is "$s $l", '301 /upper', 'nginx matches any case (documented)';

stop_pidfile("$dir/logs/nginx.pid", 'QUIT', 'nginx');


done_testing;
