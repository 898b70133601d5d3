# The Debian packages: built with "make deb" from the committed tree,
# clean under lintian, installed with apt next to Debian's nginx, and
# serving a redirect through the module as the package enables it; then
# purged.  Needs root and Debian's packaging tools; skipped otherwise.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run write_post map_dir free_port http_get root);
use Time::HiRes qw(sleep);
use Test::More;

plan skip_all => 'needs root' if $> != 0;
for my $tool (qw(dpkg-buildpackage dh lintian apt-get git)) {
    plan skip_all => "needs $tool" unless grep { -x "$_/$tool" }
        split /:/, $ENV{PATH};
}
plan skip_all => 'needs a git checkout' unless -d root() . '/.git';

my $root = root();
my $dir = map_dir();
my $deb = "$root/build/deb";
my @pkgs = qw(libnginx-mod-http-legacy-redirect redirect-map);

my ($rc, $out, $err) = run('make', '-C', $root, '-s', 'deb');
is $rc, 0, 'make deb' or diag "$out\n$err";

my @debs = map { glob "$deb/${_}_*_*.deb" } @pkgs;
is scalar @debs, 2, 'two packages built';

($rc, $out, $err) = run('lintian', '--fail-on', 'error,warning', @debs);
is $rc, 0, 'lintian: no errors, no warnings' or diag "$out\n$err";

END {
    # leave the machine as it was
    system('apt-get', 'purge', '-y', '-qq', @pkgs) if $> == 0 && @debs;
}

($rc, $out, $err) = run('apt-get', 'install', '-y', '-qq', @debs);
is $rc, 0, 'apt installs both next to Debian nginx' or diag "$out\n$err";
ok -f '/usr/lib/nginx/modules/ngx_http_legacy_redirect_module.so',
    'module in Debian\'s module folder';
ok -l '/etc/nginx/modules-enabled/50-mod-http-legacy-redirect.conf',
    'module enabled in modules-enabled';
ok -x '/usr/bin/redirect-map', 'tool installed';
is system('man -w redirect-map >/dev/null 2>&1'), 0, 'man page installed';

write_post("$dir/content", 'hello/index.md',
           "publishDate: '2020-05-06'\nlegacyUrl: /2020/05/hello.html\n");
($rc, undef, $err) = run('/usr/bin/redirect-map', 'build', "$dir/content",
                         '-o', "$dir/deb.map");
is $rc, 0, 'the installed tool builds a map' or diag $err;

my $port = free_port();
mkdir "$dir/logs";
open my $fh, '>', "$dir/nginx.conf" or die $!;
print {$fh} <<"CONF";
include /etc/nginx/modules-enabled/*.conf;
error_log $dir/logs/error.log;
pid $dir/logs/nginx.pid;
events {}
http {
    access_log off;
    server {
        listen 127.0.0.1:$port;
        absolute_redirect off;
        legacy_redirect_map $dir/deb.map;
    }
}
CONF
close $fh;

my $nginx = '/usr/sbin/nginx';
($rc, undef, $err) = run($nginx, '-c', "$dir/nginx.conf");
is $rc, 0, 'nginx starts with the packaged module' or diag $err;

my @answer;
for (1 .. 50) {
    @answer = http_get($port, '/2020/05/hello.html');
    last if @answer;
    sleep 0.1;
}
is "@answer", '301 /2020/05/hello', 'the packaged module serves a redirect';

run($nginx, '-c', "$dir/nginx.conf", '-s', 'stop');

($rc, $out, $err) = run('apt-get', 'purge', '-y', '-qq', @pkgs);
is $rc, 0, 'purge' or diag $err;
ok !-e '/etc/nginx/modules-enabled/50-mod-http-legacy-redirect.conf',
    'purge removes the modules-enabled link';
@debs = ();

done_testing;
