# nginx with the module, driven directly: the [emerg] messages of "nginx -t"
# for maps it refuses, and a running nginx (master and two workers) across
# a map replaced by rename, a reload, and a reload with a damaged map.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run build_map damage_map map_dir free_port http_get root);
use File::Copy qw(copy);
use Time::HiRes qw(sleep);
use Test::More;

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $module = $ENV{TEST_NGINX_LOAD_MODULES}
             || root() . '/build/ngx_http_legacy_redirect_module.so';
my $dir = map_dir();
my $port = free_port();

mkdir "$dir/logs";

# whatever happens, do not leave an nginx behind
my $pid;
END {
    if (!$pid && -e "$dir/logs/nginx.pid") {
        $pid = do { local (@ARGV, $/) = "$dir/logs/nginx.pid"; <> };
        chomp $pid if $pid;
    }
    kill 'QUIT', $pid if $pid && kill 0, $pid;
}

my $blog = build_map('blog.map', 't/fixtures/blog');
my $shop = build_map('shop.map', 't/fixtures/shop');

sub write_conf {
    my ($map) = @_;
    open my $fh, '>', "$dir/nginx.conf" or die $!;
    print {$fh} <<"EOF";
load_module $module;
worker_processes 2;
error_log $dir/logs/error.log debug;
pid $dir/logs/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$port;
        absolute_redirect off;
        legacy_redirect_map $map;
        location / { return 200 "miss\\n"; }
    }
}
EOF
    close $fh;
}

sub nginx_t {
    return run($nginx, '-t', '-p', $dir, '-c', "$dir/nginx.conf");
}

# --- nginx -t refuses what cannot be served, naming the file and why --------

my %damaged = (
    'truncated.map' => [sub { substr(${$_[0]}, -20) = '' },
                        qr/file is \d+ bytes but its header says \d+/],
    'flipped.map'   => [sub { vec(${$_[0]}, 8 * 300 + 3, 1) ^= 1 },
                        qr/checksum mismatch \(the file is damaged\)/],
    'version9.map'  => [sub { substr(${$_[0]}, 8, 4) = pack('V', 9) },
                        qr/map format version 9 is not supported/],
    'text.map'      => [sub { ${$_[0]} = "/old.html /new\n" },
                        qr/not a legacy redirect map \(bad magic\)/],
);

for my $name (sort keys %damaged) {
    my ($edit, $reason) = @{ $damaged{$name} };
    damage_map($blog, $name, $edit);
    write_conf("$dir/$name");
    my ($rc, undef, $err) = nginx_t();
    isnt $rc, 0, "nginx -t fails for $name";
    like $err, qr/\[emerg\] .*legacy_redirect_map "\Q$dir\/$name\E": $reason.* in \Q$dir\E\/nginx\.conf:\d+/,
        "$name: [emerg] names the file, the reason and the config line";
}

# a file far bigger than memory that is no map (a wrong path, say): its
# header is read first, so it is refused for what it is at once, not
# after reading a terabyte ("nginx -t") or failing to make room for one
SKIP: {
    my $big = "$dir/terabyte.map";
    open my $fh, '>', $big or die $!;
    print {$fh} "/old.html /new\n";
    close $fh;
    truncate $big, 1 << 40
        or skip "no sparse file of 1 TB here: $!", 4;
    write_conf($big);
    for my $start (['-t'], []) {
        my $what = @$start ? 'nginx -t' : 'a start';
        my ($rc, undef, $err) = run('timeout', '30', $nginx, @$start,
                                    '-g', 'daemon off;', '-p', $dir,
                                    '-c', "$dir/nginx.conf");
        isnt $rc, 0, "$what fails for a 1 TB file that is no map";
        like $err, qr/\[emerg\] .*legacy_redirect_map "\Q$big\E": not a legacy redirect map \(bad magic\)/,
            "... at once, saying it is not a map";
    }
    unlink $big;
}

write_conf("$dir/absent.map");
my ($rc, undef, $err) = nginx_t();
like $err, qr/\[emerg\] .*open\(\) "\Q$dir\E\/absent\.map" failed \(2: No such file or directory\)/,
    'a missing map: open() failed, as nginx says it';

# --- legacy_redirect_huge_pages: nginx's own messages ----------------------

my %huge = (
    'after a map'  => ["legacy_redirect_map $blog;\n"
                       . "    legacy_redirect_huge_pages on;",
                       qr/"legacy_redirect_huge_pages" directive must come before the first "legacy_redirect_map"/],
    'twice'        => ["legacy_redirect_huge_pages try;\n"
                       . "    legacy_redirect_huge_pages on;",
                       qr/"legacy_redirect_huge_pages" directive is duplicate/],
    'a bad value'  => ["legacy_redirect_huge_pages yes;",
                       qr/invalid value "yes"/],
);
for my $what (sort keys %huge) {
    my ($http, $reason) = @{ $huge{$what} };
    open my $fh, '>', "$dir/huge.conf" or die $!;
    print {$fh} "load_module $module;\nevents {}\n"
                . "http {\n    $http\n}\n";
    close $fh;
    my ($rc, undef, $err) = run($nginx, '-t', '-p', $dir, '-c',
                                "$dir/huge.conf");
    isnt $rc, 0, "legacy_redirect_huge_pages $what: nginx -t fails";
    like $err, qr/\[emerg\] .*$reason in \Q$dir\E\/huge\.conf:\d+/,
         '... saying why, with the line';
}

# --- a running nginx --------------------------------------------------------

my $live = "$dir/live.map";
copy($blog, $live) or die $!;
write_conf($live);
($rc, undef, $err) = nginx_t();
is $rc, 0, 'nginx -t accepts a good map' or diag $err;

($rc, undef, $err) = run($nginx, '-p', $dir, '-c', "$dir/nginx.conf");
is $rc, 0, 'nginx starts' or diag $err;

sub wait_for {
    my ($path, $want) = @_;
    for (1 .. 100) {
        my ($status, $location) = http_get($port, $path);
        return 1 if defined $status && "$status " . ($location // '') eq $want;
        sleep 0.05;
    }
    return 0;
}

my $bees = '/2023/03/wintering-bees-in-cold-attic.html';
my $sale = '/2018/04/spring-sale.html';

ok wait_for($bees, '301 /2023/03/wintering-bees'), 'blog map answers';

# replace the file by rename: workers keep what they loaded
copy($shop, "$live.tmp") or die $!;
rename "$live.tmp", $live or die $!;
my @seen = map { join ' ', grep { defined } http_get($port, $bees) } 1 .. 20;
is_deeply [sort { $a cmp $b } keys %{{ map { $_ => 1 } @seen }}],
    ['301 /2023/03/wintering-bees'], 'after a rename, workers still serve the old map';

# reload picks up the new file
($rc, undef, $err) = run($nginx, '-p', $dir, '-c', "$dir/nginx.conf",
                         '-s', 'reload');
is $rc, 0, 'nginx -s reload accepts the new map' or diag $err;
ok wait_for($sale, '301 /2018/04/spring-sale'), 'reload serves the new map';
ok wait_for($bees, '200 '), 'and the old entries are gone';

# a reload that names the same, unchanged map reuses the copy in memory
($rc, undef, $err) = run($nginx, '-p', $dir, '-c', "$dir/nginx.conf",
                         '-s', 'reload');
ok wait_for($sale, '301 /2018/04/spring-sale'), 'an unchanged map reloads';
my $log = do { local (@ARGV, $/) = "$dir/logs/error.log"; <> };
like $log, qr/legacy_redirect_map "\Q$live\E": unchanged, reusing the copy/,
    'an unchanged map is not read again';

# a map whose header is wrong: "nginx -s reload" itself refuses to signal
damage_map($shop, 'live.map', sub { substr(${$_[0]}, 8, 4) = pack('V', 9) });
($rc, undef, $err) = run($nginx, '-p', $dir, '-c', "$dir/nginx.conf",
                         '-s', 'reload');
isnt $rc, 0, 'nginx -s reload refuses a map of another version';
like $err, qr/map format version 9 is not supported/, '... and says why';

# a damaged body: the signalling process checks only the header (it does
# not read a whole map just to send a signal); the master checks it all,
# refuses it, logs why and keeps the old workers
damage_map($shop, 'live.map', sub { vec(${$_[0]}, 8 * 200, 1) ^= 1 });
($rc, undef, $err) = run($nginx, '-p', $dir, '-c', "$dir/nginx.conf",
                         '-s', 'reload');
is $rc, 0, 'nginx -s reload signals the master' or diag $err;

$pid = do { local (@ARGV, $/) = "$dir/logs/nginx.pid"; <> };
chomp $pid;
sleep 0.5;
ok wait_for($sale, '301 /2018/04/spring-sale'),
    'after a reload with a damaged map, the running config still answers';
for (1 .. 50) {
    $log = do { local (@ARGV, $/) = "$dir/logs/error.log"; <> };
    last if $log =~ /checksum mismatch/;
    sleep 0.1;
}
like $log, qr/\[emerg\] .*legacy_redirect_map "\Q$live\E": checksum mismatch/,
    'error.log says why the master refused the reload';
ok kill(0, $pid), 'the master is still running';

kill 'QUIT', $pid;
for (1 .. 50) { last unless kill 0, $pid; sleep 0.1 }
ok !kill(0, $pid), 'nginx stopped';

done_testing;
