package Fixture;

# Builds the maps a test file needs from t/fixtures with the freshly built
# build/redirect-map, in a temporary folder, and publishes that folder as
# $TEST_NGINX_MAP_DIR for the nginx configs of the test blocks.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use Exporter 'import';
use File::Path qw(make_path);
use IO::Select;
use IO::Socket::INET;
use IPC::Open3 qw(open3);
use Symbol qw(gensym);

our @EXPORT_OK = qw(root map_dir build_map damage_map run write_post slurp
                    http_get free_port build_and_dump huge_pool
                    huge_pages_free nginx_conf nginx nginx_pid
                    build_list sample_bad);

my $root = abs_path(dirname(__FILE__) . '/..');
my $dir;

sub root { $root }

sub map_dir {
    $dir //= tempdir('legacy-redirect-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    chmod 0755, $dir;
    $ENV{TEST_NGINX_MAP_DIR} = $dir;
    return $dir;
}

# build_map('blog.map', 't/fixtures/blog', @options): path of the map
sub build_map {
    my ($name, @args) = @_;
    my $out = map_dir() . "/$name";
    my @cmd = ("$root/build/redirect-map", 'build', '-q', '-o', $out,
               map { m{^t/} ? "$root/$_" : $_ } @args);
    system(@cmd) == 0 or die "@cmd failed: $?\n";
    return $out;
}

# damage_map($from, $to, sub { my $bytes_ref = shift; ... })
sub damage_map {
    my ($from, $to, $edit) = @_;
    open my $in, '<:raw', $from or die "$from: $!";
    local $/;
    my $bytes = <$in>;
    close $in;
    $edit->(\$bytes);
    open my $out, '>:raw', map_dir() . "/$to" or die "$to: $!";
    print {$out} $bytes;
    close $out;
}

# run(@cmd) -> ($exit_code, $stdout, $stderr); the tool is build/redirect-map.
# Both outputs are read as they come: a command that fills one pipe while
# the other is being waited on would never end.
sub run {
    my @cmd = @_;
    $cmd[0] = "$root/build/redirect-map" if $cmd[0] eq 'redirect-map';
    my $err = gensym;
    my $pid = open3(my $in, my $out, $err, @cmd);
    close $in;
    my %text = ($out => '', $err => '');
    my $sel = IO::Select->new($out, $err);
    while (my @ready = $sel->can_read) {
        for my $fh (@ready) {
            my $n = sysread $fh, my $buf, 65536;
            if ($n) {
                $text{$fh} .= $buf;
            } else {
                $sel->remove($fh);
            }
        }
    }
    waitpid $pid, 0;
    return ($? >> 8, $text{$out}, $text{$err});
}

# build_and_dump($map, @args) runs "redirect-map build @args -o $map" and
# returns ($exit_code, $stderr, the map's dump or undef when none was made)
sub build_and_dump {
    my ($map, @args) = @_;
    my ($rc, undef, $err) = run('redirect-map', 'build', @args, '-o', $map);
    my $dump;
    (undef, $dump) = run('redirect-map', 'dump', $map) if -e $map;
    return ($rc, $err, $dump);
}

# write_post($dir, 'posts/x/index.md', "title: X\n...") writes a post whose
# front matter is the given YAML (and a short body); raw => 1 writes the
# text as it is.
sub write_post {
    my ($dir, $rel, $yaml, %opt) = @_;
    my $path = "$dir/$rel";
    make_path($1) if $path =~ m{(.*)/};
    open my $fh, '>:raw', $path or die "$path: $!";
    print {$fh} $opt{raw} ? $yaml : "---\n$yaml---\n\nBody.\n";
    close $fh;
    return $path;
}

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or return undef;
    local $/;
    return scalar <$fh>;
}

# A TCP port nobody listens on right now.
sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0, Proto => 'tcp')
        or die "no free port: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}

# http_get($port, '/path', 'Host') -> ($status, $location), or () when
# nothing answers.
sub http_get {
    my ($port, $path, $host) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Proto => 'tcp', Timeout => 5)
        or return ();
    print {$s} "GET $path HTTP/1.0\r\nHost: " . ($host // 'localhost')
               . "\r\n\r\n";
    local $/;
    my $res = <$s> // '';
    close $s;
    my ($status) = $res =~ m{^HTTP/1\.\d (\d+)};
    my ($location) = $res =~ m{^Location: ([^\r\n]*)}mi;
    return ($status, $location);
}

# build_list($dir, $name, $n): $n Blogger-like paths (60-90 bytes), path
# $i redirecting to /posts/$i/, in $dir/$name.tsv, imported by
# $dir/$name.yaml and built into $dir/$name.map.  Returns (exit code of
# the build, its stderr, the paths).
sub build_list {
    my ($dir, $name, $n) = @_;
    my @paths;
    open my $tsv, '>', "$dir/$name.tsv" or die "$name.tsv: $!";
    for my $i (0 .. $n - 1) {
        my $slug = join '-', ('word' . ($i * 7919 % 100_003)) x (3 + $i % 4),
                             "post-$i";
        my $path = sprintf '/%04d/%02d/%s.html', 2001 + $i % 23, 1 + $i % 12,
                           $slug;
        push @paths, $path;
        print {$tsv} "$path\t/posts/$i/\n";
    }
    close $tsv;
    open my $cfg, '>', "$dir/$name.yaml" or die "$name.yaml: $!";
    print {$cfg} "import:\n  - $name.tsv\noutput: $name.map\n";
    close $cfg;
    my ($rc, undef, $err) = run('redirect-map', 'build', '-q', '-c',
                                "$dir/$name.yaml");
    return ($rc, $err, @paths);
}

# sample_bad($port, \@paths, $first, $step, $misses): asks for every
# $step-th path of a build_list() from $first on, and for $misses paths
# that are not in it; returns what did not answer as it should (a 301 to
# /posts/$i/, and a 200 from "location /" for a miss)
sub sample_bad {
    my ($port, $paths, $first, $step, $misses) = @_;
    my @bad;
    for (my $i = $first; $i < @$paths; $i += $step) {
        my ($status, $location) = http_get($port, $paths->[$i]);
        push @bad, "$paths->[$i]: " . ($status // 'none') . ' '
                   . ($location // '') unless ($status // 0) == 301
                   && ($location // '') eq "/posts/$i/";
    }
    for my $i (1 .. $misses) {
        my ($status) = http_get($port, "/2099/01/not-there-$i.html");
        push @bad, "miss $i: " . ($status // 'none') if ($status // 0) != 200;
    }
    return @bad;
}

# nginx_conf($dir, port => $port, http => "...", server => "...",
# workers => 2, log => 'notice') writes $dir/nginx.conf for an nginx
# driven directly with the module under test, prefix $dir, listening on
# 127.0.0.1:$port, with "location / { return 200 "miss\n"; }".
sub nginx_conf {
    my ($dir, %a) = @_;
    my $module = $ENV{TEST_NGINX_LOAD_MODULES}
                 || "$root/build/ngx_http_legacy_redirect_module.so";
    make_path("$dir/logs");
    open my $fh, '>', "$dir/nginx.conf" or die "$dir/nginx.conf: $!";
    print {$fh} <<"EOF";
load_module $module;
worker_processes @{[ $a{workers} // 2 ]};
error_log $dir/logs/error.log @{[ $a{log} // 'notice' ]};
pid $dir/logs/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    @{[ $a{http} // '' ]}
    server {
        listen 127.0.0.1:$a{port};
        absolute_redirect off;
        @{[ $a{server} // '' ]}
        location / { return 200 "miss\n"; }
    }
}
EOF
    close $fh;
}

# nginx($dir, @args): runs the nginx under test with that prefix and
# configuration; returns what run() returns
sub nginx {
    my ($dir, @args) = @_;
    return run($ENV{TEST_NGINX_BINARY} || 'nginx', '-p', $dir,
               '-c', "$dir/nginx.conf", @args);
}

# the master's pid once nginx wrote it, or undef
sub nginx_pid {
    my ($dir) = @_;
    for (1 .. 50) {
        my ($pid) = (slurp("$dir/logs/nginx.pid") // '') =~ /(\d+)/;
        return $pid if $pid && kill 0, $pid;
        select undef, undef, undef, 0.1;
    }
    return undef;
}

# The kernel's pool of huge pages, from /proc/meminfo: (pages free and not
# reserved by a mapping yet, page size in bytes, pages in the pool), or ()
# when the kernel has no huge pages.
sub huge_pages_free {
    my $m = slurp('/proc/meminfo') // return ();
    my ($size) = $m =~ /^Hugepagesize:\s+(\d+) kB/m or return ();
    my %n = $m =~ /^HugePages_(Total|Free|Rsvd):\s+(\d+)/mg;
    return ($n{Free} - $n{Rsvd}, $size * 1024, $n{Total});
}

# huge_pool($pages) makes sure that the pool has at least $pages free, by
# raising vm.nr_hugepages when it can (as root); the pool is set back at
# exit.  Returns what huge_pages_free() returns afterwards.
my $pool_total;
sub huge_pool {
    my ($want) = @_;
    my ($free, $size, $total) = huge_pages_free() or return ();
    if ($free < $want && open my $fh, '>', '/proc/sys/vm/nr_hugepages') {
        $pool_total //= $total;
        # END blocks run on exit(), not when a signal kills the process
        $SIG{$_} = sub { exit 1 } for qw(INT TERM HUP);
        print {$fh} $total + $want - $free, "\n";
        close $fh;
        ($free, $size, $total) = huge_pages_free();
    }
    return ($free, $size, $total);
}

END {
    if (defined $pool_total && open my $fh, '>', '/proc/sys/vm/nr_hugepages') {
        print {$fh} "$pool_total\n";
        close $fh;
    }
}

1;
