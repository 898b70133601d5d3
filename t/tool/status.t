# legacy_redirect_status under several workers: the counts of hits, 410s
# and misses add up across worker processes (a shared zone), and start
# again from zero after a reload.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run build_map map_dir free_port root);
use IO::Socket::INET;
use JSON::PP qw(decode_json);
use Time::HiRes qw(sleep);
use Test::More;

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $module = $ENV{TEST_NGINX_LOAD_MODULES}
             || root() . '/build/ngx_http_legacy_redirect_module.so';
my $dir = map_dir();
my $port = free_port();
my $map = build_map('blogger.map', '--config',
                    't/fixtures/blogger/redirect-map.yaml');
mkdir "$dir/logs";

open my $fh, '>', "$dir/nginx.conf" or die $!;
print {$fh} <<"CONF";
load_module $module;
worker_processes 4;
error_log $dir/logs/error.log info;
pid $dir/logs/nginx.pid;
events { worker_connections 64; accept_mutex off; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$port reuseport;
        legacy_redirect_map $map;
        add_header X-Worker \$pid always;
        location / { return 200 "miss\\n"; }
        location = /status {
            legacy_redirect_map off;
            legacy_redirect_status;
        }
    }
}
CONF
close $fh;

my $pid;
END { kill 'QUIT', $pid if $pid && kill 0, $pid }

my ($rc, undef, $err) = run($nginx, '-p', $dir, '-c', "$dir/nginx.conf");
is $rc, 0, 'nginx starts with 4 workers' or diag $err;
for (1 .. 50) { last if -s "$dir/logs/nginx.pid"; sleep 0.1 }
$pid = do { local (@ARGV, $/) = "$dir/logs/nginx.pid"; <> };
chomp $pid;

# one request per connection: with reuseport the kernel spreads the
# connections over the workers
sub get {
    my ($path) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Proto => 'tcp', Timeout => 5) or return '';
    print {$s} "GET $path HTTP/1.0\r\nHost: localhost\r\n\r\n";
    local $/;
    return <$s> // '';
}

sub status {
    my ($body) = get('/status') =~ /\r\n\r\n(.*)/s;
    return decode_json($body // '{}');
}

my %answered_by;
for my $i (1 .. 40) {
    for my $path ('/2023/03/reading-peps-on-train.html', "/search/label/tag$i",
                  ($i <= 10 ? '/p/old-about.html' : ()), "/never/$i")
    {
        my ($worker) = get($path) =~ /^X-Worker: (\d+)/mi;
        $answered_by{$worker // 'none'}++;
    }
}

my $s = status();
is scalar @{ $s->{maps} || [] }, 1, 'one map';
is $s->{maps}[0]{hits}, 80, '80 hits, counted in every worker';
is $s->{maps}[0]{gone}, 10, '10 answers 410';
is $s->{maps}[0]{misses}, 40, '40 misses';
is $s->{hits}, 80, 'total hits';
like $s->{maps}[0]{checksum}, qr/^[0-9a-f]{16}$/, 'checksum';
is $s->{maps}[0]{rules}, 10, 'rules';

# the requests really were spread over the workers
delete $answered_by{none};
cmp_ok scalar(keys %answered_by), '>', 1,
    scalar(keys %answered_by) . ' workers answered';

kill 'HUP', $pid;
my $after;
for (1 .. 50) {
    sleep 0.1;
    $after = status();
    last if defined $after->{hits} && $after->{hits} == 0;
}
is $after->{hits}, 0, 'a reload starts the counts again';

done_testing;
