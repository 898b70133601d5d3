#!/usr/bin/perl
# The benchmark suite (bench/README.md): builds, start, memory, throughput,
# reload and lookup of the module and redirect-map against the return 301
# ceiling, nginx map + include, HAProxy map_str and tinycdb, on synthetic
# Blogger-like data (bench/keygen.h).  Prints one markdown table; raw
# figures go to bench/results/.
#
#   perl bench/bench.pl [--parts build,start,memory,throughput,reload,lookup]
#                       [--quick] [--alt-10m] [--huge-pages] [--reps 3]
#                       [--duration 5]
#
# Core Perl modules only.  Run from the repository root after `make`.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Path qw(make_path remove_tree);
use Getopt::Long;
use IO::Socket::INET;
use List::Util qw(sum max);
use POSIX qw(strftime :sys_wait_h);
use Time::HiRes qw(time sleep);

my $root = abs_path(dirname(__FILE__) . '/..');
chdir $root or die "$root: $!";

my %o = (
    parts    => 'build,start,memory,throughput,reload,lookup',
    reps     => 3,
    duration => 5,
    posts    => '10000,100000,1000000',
    tsv      => '1000000,10000000',
    own      => '1000000,10000000',     # sizes the module is measured at
    alt      => '1000000',              # sizes the alternatives run at
    sample   => 100000,
);
GetOptions(\%o, 'parts=s', 'reps=i', 'duration=i', 'posts=s', 'tsv=s',
           'own=s', 'alt=s', 'sample=i', 'quick', 'alt-10m', 'huge-pages',
           'help')
    or exit 2;
if ($o{help}) {
    print <<'EOF';
usage: perl bench/bench.pl [OPTIONS]     (or: make bench BENCH_ARGS="...")
  --parts LIST     any of build,start,memory,throughput,reload,lookup
                   (default: all)
  --quick          small sizes, for trying it out: posts 10k,100k; TSV and
                   own 100k,1M; alternatives 100k; 2 s wrk runs
  --alt-10m        also run nginx map and HAProxy at 10M entries (minutes
                   and ~8 GB of memory for nginx map)
  --huge-pages     also run the module with "legacy_redirect_huge_pages on"
                   (start, memory, throughput, reload): reserves huge pages
                   for two copies of each map measured (vm.nr_hugepages, as
                   root) and sets the pool back at the end
  --reps N         runs per figure, median reported (default 3)
  --duration S     seconds per wrk run (default 5)
  --posts, --tsv, --own, --alt LIST   sizes (comma-separated)
EOF
    exit 0;
}
if ($o{quick}) {
    @o{qw(posts tsv own alt duration)} =
        ('10000,100000', '100000,1000000', '100000,1000000', '100000', 2);
}
$o{alt} .= ',10000000' if $o{'alt-10m'} && $o{alt} !~ /10000000/;

my %part = map { $_ => 1 } split /,/, $o{parts};
my @posts = split /,/, $o{posts};
my @tsv   = split /,/, $o{tsv};
my @own   = split /,/, $o{own};
my @alt   = split /,/, $o{alt};
my $R     = $o{reps};

my $data   = "$root/bench/data";
my $bin    = "$root/build/bench";
my $tool   = "$root/build/redirect-map";
my $module = "$root/build/ngx_http_legacy_redirect_module.so";
my $nginx  = $ENV{NGINX} || '/usr/sbin/nginx';
my $ncpu   = `nproc` + 0;
my $run_id = strftime('%Y%m%d-%H%M%S', localtime);
my $resdir = "$root/bench/results";
make_path($data, $bin, $resdir, "$data/run");

-x $tool && -f $module or die "build first: make\n";
for my $cmd (qw(wrk haproxy taskset)) {
    system("command -v $cmd >/dev/null") == 0
        or die "$cmd is missing: bash bench/install-deps.sh\n";
}

# ---- results ------------------------------------------------------------

open my $raw, '>', "$resdir/$run_id.txt" or die $!;
my @rows;

sub note {
    my ($k, $v) = @_;
    print {$raw} "$k $v\n";
    $raw->flush;
    print STDERR "  $k = $v\n";
}

# row(what, entries, figure, baseline, ratio, target, met)
sub row { push @rows, [@_]; }

sub median {
    my @v = sort { $a <=> $b } grep { defined } @_;
    return undef unless @v;
    return $v[$#v / 2] if @v % 2;
    return ($v[@v / 2 - 1] + $v[@v / 2]) / 2;
}

sub human_n {
    my ($n) = @_;
    return $n >= 1e6 ? ($n / 1e6) . 'M' : $n >= 1e3 ? ($n / 1e3) . 'k' : $n;
}

sub mib { sprintf '%.1f MiB', $_[0] / 1048576 }
sub yesno { $_[0] ? 'yes' : '**no**' }
sub fmt_s { defined $_[0] ? sprintf('%.3f s', $_[0]) : 'n/a' }

# ---- processes ----------------------------------------------------------

my %children;           # pid => what, killed at exit
my @nginx_dirs;         # prefixes of nginx masters we started

sub cleanup {
    for my $dir (@nginx_dirs) {
        my $pid = master_pid($dir) or next;
        kill 'QUIT', $pid;
    }
    kill 'TERM', $_ for keys %children;
    my $until = time + 20;
    while (time < $until) {
        my $alive = grep { kill 0, $_ } keys %children,
                    map { master_pid($_) // () } @nginx_dirs;
        last unless $alive;
        waitpid(-1, WNOHANG);
        sleep 0.1;
    }
    for my $dir (@nginx_dirs) {
        my $pid = master_pid($dir) or next;
        kill 'KILL', -$pid, $pid if kill 0, $pid;
    }
    kill 'KILL', $_ for grep { kill 0, $_ } keys %children;
    @nginx_dirs = ();
    %children = ();
}
$SIG{INT} = $SIG{TERM} = sub { cleanup(); exit 130 };
END { my $rc = $?; cleanup(); huge_pool_restore(); $? = $rc; }

# ---- the pool of huge pages (--huge-pages) ------------------------------

my $sysctl_huge = '/proc/sys/vm/nr_hugepages';
my $huge_total0;                    # the pool's size before this run

sub meminfo {
    my %m = slurp('/proc/meminfo') =~ /^(\w+):\s+(\d+)/mg;
    return \%m;
}

sub huge_free_bytes {                # free and not reserved by a mapping
    my $m = meminfo();
    return (($m->{HugePages_Free} // 0) - ($m->{HugePages_Rsvd} // 0))
           * ($m->{Hugepagesize} // 0) * 1024;
}

# room in the pool for two copies of every map measured (a reload holds
# the old and the new one), on top of what the pool already had
sub huge_pool_reserve {
    my $m = meminfo();
    my $page = ($m->{Hugepagesize} or die "the kernel has no huge pages\n")
               * 1024;
    -w $sysctl_huge or die "--huge-pages: $sysctl_huge is not writable\n";
    my $pages = 8;
    $pages += 2 * int(((-s tsv_map($_)) + $page - 1) / $page) for @own;
    $huge_total0 = $m->{HugePages_Total};
    spew($sysctl_huge, ($huge_total0 + $pages) . "\n");
    my $got = meminfo()->{HugePages_Total} - $huge_total0;
    note('huge_pages_reserved', $got);
    die "--huge-pages: asked for $pages huge pages, the kernel gave $got\n"
        if $got < $pages;
}

sub huge_pool_restore {
    spew($sysctl_huge, "$huge_total0\n") if defined $huge_total0;
    undef $huge_total0;
}

sub master_pid {
    my ($dir) = @_;
    open my $fh, '<', "$dir/logs/nginx.pid" or return undef;
    my $pid = <$fh>;
    return undef unless defined $pid && $pid =~ /^(\d+)/;
    return kill(0, $1) ? $1 : undef;
}

sub child_pids {
    my ($ppid) = @_;
    my @pids;
    opendir my $d, '/proc' or return ();
    for my $p (grep { /^\d+$/ } readdir $d) {
        open my $fh, '<', "/proc/$p/stat" or next;
        my $s = <$fh> // next;
        my @f = split / /, substr($s, rindex($s, ')') + 2);
        push @pids, $p if $f[1] == $ppid;
    }
    return sort { $a <=> $b } @pids;
}

sub cpu_ticks {                     # utime + stime of a process, in ticks
    my ($pid) = @_;
    open my $fh, '<', "/proc/$pid/stat" or return undef;
    my $s = <$fh>;
    my @f = split / /, substr($s, rindex($s, ')') + 2);
    return $f[11] + $f[12];
}
my $hz = `getconf CLK_TCK` + 0 || 100;

sub smaps {                         # { Rss, Pss, Private_Dirty, ... } bytes
    my ($pid) = @_;
    my %m;
    open my $fh, '<', "/proc/$pid/smaps_rollup" or return {};
    while (<$fh>) { $m{$1} = $2 * 1024 if /^(\w+):\s+(\d+) kB/ }
    return \%m;
}

sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0, Proto => 'tcp')
        or die "no free port: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}

# http_get(port, path) -> (status, {lowercased header => value}) or ()
sub http_get {
    my ($port, $path) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Proto => 'tcp', Timeout => 2)
        or return ();
    print {$s} "GET $path HTTP/1.0\r\nHost: localhost\r\n\r\n";
    local $/;
    my $res = <$s> // '';
    close $s;
    my ($status) = $res =~ m{^HTTP/1\.\d (\d+)} or return ();
    my %h = map { lc($1) => $2 } $res =~ m{^([\w-]+): ([^\r\n]*)}mg;
    return ($status, \%h);
}

# polls until something answers; returns the time it did, or undef
sub wait_answer {
    my ($port, $path, $timeout, $pred) = @_;
    my $until = time + $timeout;
    while (time < $until) {
        my ($st, $h) = http_get($port, $path);
        return time if defined $st && (!$pred || $pred->($st, $h));
        sleep 0.002;
    }
    return undef;
}

sub wait_port_free {
    my ($port) = @_;
    for (1 .. 300) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $port, Proto => 'tcp')
            or return 1;
        close $s;
        sleep 0.05;
    }
    return 0;
}

sub run_quiet {                     # system(), output to a log; dies on error
    my ($log, @cmd) = @_;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDOUT, '>>', $log or die;
        open STDERR, '>&', \*STDOUT or die;
        exec @cmd or die "exec $cmd[0]: $!";
    }
    waitpid $pid, 0;
    return $?;
}

sub slurp {
    open my $fh, '<', $_[0] or return '';
    local $/;
    return scalar <$fh>;
}

sub spew {
    my ($path, $text) = @_;
    open my $fh, '>', $path or die "$path: $!";
    print {$fh} $text;
    close $fh or die "$path: $!";
}

# ---- data ---------------------------------------------------------------

sub build_bins {
    my @cc = ('cc', '-std=c11', '-O2', '-g', '-Wall', '-Wextra', '-Werror',
              '-D_GNU_SOURCE', '-Iinclude');
    system(@cc, '-o', "$bin/gen", 'bench/gen.c') == 0 or die "cc gen\n";
    system(@cc, '-o', "$bin/lookup_bench", 'bench/lookup_bench.c',
           'include/lrmap_reader.c', 'include/lrmap_hash.c',
           'include/lrmap_normalize.c', '-lcdb') == 0
        or die "cc lookup_bench (libcdb-dev?)\n";
    system(@cc, '-o', "$bin/fresh_memory", 'bench/fresh_memory.c') == 0
        or die "cc fresh_memory\n";
}
build_bins();

# data files are made once and kept; a change of the generator (its
# source's checksum) throws them away
my $gen_sum = `cksum bench/keygen.h bench/gen.c | cksum`;
if (slurp("$data/.generator") ne $gen_sum) {
    print STDERR "bench: generator changed, removing old data\n";
    remove_tree(grep { !/\/run$/ } glob("$data/*"));
    spew("$data/.generator", $gen_sum);
}

sub gen_file {
    my ($path, @args) = @_;
    return $path if -s $path;
    print STDERR "bench: generating $path\n";
    system("$bin/gen @args > $path.tmp") == 0 or die "gen @args\n";
    rename "$path.tmp", $path or die $!;
    return $path;
}

sub posts_dir {
    my ($n) = @_;
    my $dir = "$data/posts-$n";
    return $dir if -e "$dir/.done";
    print STDERR "bench: generating $n posts in $dir\n";
    remove_tree($dir);
    system("$bin/gen", 'posts', $n, $dir) == 0 or die "gen posts\n";
    spew("$dir/.done", '');
    return $dir;
}

sub tsv_config {
    my ($n) = @_;
    my $tsv = gen_file("$data/tsv-$n.tsv", 'tsv', $n);
    my $cfg = "$data/tsv-$n.yaml";
    spew($cfg, "import:\n  - tsv-$n.tsv\noutput: tsv-$n.map\n")
        unless -e $cfg;
    return $cfg;
}

sub tsv_map {                       # the module's map of n entries
    my ($n) = @_;
    my $map = "$data/tsv-$n.map";
    # kept while it is newer than the tool (a new tool may write a new
    # format version)
    return $map if -s $map && -M $map < -M $tool;
    my $cfg = tsv_config($n);
    system($tool, 'build', '-q', '-c', $cfg) == 0 or die "build $cfg\n";
    return $map;
}

# The module drops a map's pages from the page cache once it has copied
# it.  A timed start or reload reads the map as it is in real use, right
# after redirect-map wrote it: rebuild_map() builds it again first (a new
# file, in the page cache).  uncache_file() drops it, for the rows that
# show a read from disk.
sub rebuild_map {
    my ($n) = @_;
    my $cfg = tsv_config($n);
    system($tool, 'build', '-q', '-c', $cfg) == 0 or die "build $cfg\n";
    return tsv_map($n);
}

sub uncache_file {
    system('dd', "if=$_[0]", 'iflag=nocache', 'count=0', 'status=none') == 0
        or die "dd iflag=nocache $_[0] failed\n";
}

sub hits   { gen_file("$data/hits-$_[0].txt", 'hits', $_[0], $o{sample}, 1) }
sub misses { gen_file("$data/misses-$_[0].txt", 'misses', $_[0], $o{sample}, 2) }

sub key_bytes {                     # (keys bytes, targets bytes)
    my ($n) = @_;
    my $f = gen_file("$data/sizes-$n.txt", 'sizes', $n);
    return split ' ', slurp($f);
}

sub first_line { (split /\n/, slurp($_[0]))[0] }

# ---- servers ------------------------------------------------------------
#
# kinds: empty (no module, every path 404), ceiling (return 301 /x),
# own (the module with tsv-N.map, other paths 404), nginxmap (map +
# include, other paths 404), haproxy (map_str, other paths 404)

my %hash_sizes;                     # n => [bucket_size, max_size]

sub nginx_conf {
    my (%a) = @_;                   # kind, n, port, workers, pin, name, map
    my $dir = "$data/run/$a{name}";
    make_path("$dir/logs");
    my ($head, $http, $loc) = ('', '', 'return 404;');
    if ($a{kind} eq 'own' || $a{kind} eq 'ownhuge') {
        $head = "load_module $module;\n";
        $http = 'legacy_redirect_map ' . ($a{map} // tsv_map($a{n}))
              . ";\n";
        $http = "legacy_redirect_huge_pages on;\n    $http"
            if $a{kind} eq 'ownhuge';
    } elsif ($a{kind} eq 'ceiling') {
        $loc = 'return 301 /x;';
    } elsif ($a{kind} eq 'nginxmap') {
        my $inc = gen_file("$data/nginx-$a{n}.conf", 'nginx', $a{n});
        my ($bs, $ms) = @{ $hash_sizes{$a{n}} // [64, 2048] };
        $http = "map_hash_bucket_size $bs;\nmap_hash_max_size $ms;\n"
              . "map \$uri \$target { include $inc; }\n";
        $loc = "if (\$target) { return 301 \$target; }\n        return 404;";
    }
    my $aff = $a{pin} ? "worker_cpu_affinity 1;\n" : '';
    spew("$dir/nginx.conf", <<"EOF");
${head}worker_processes $a{workers};
${aff}error_log $dir/logs/error.log warn;
pid $dir/logs/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    absolute_redirect off;
    $http
    server {
        listen 127.0.0.1:$a{port} reuseport;
        add_header X-Pid \$pid always;
        location / {
        $loc
        }
    }
}
EOF
    return $dir;
}

sub nginx_t {                       # (seconds, exit code, output)
    my ($dir, $verbose) = @_;
    unlink "$dir/logs/t.log";
    my $t0 = time;
    my $rc = run_quiet("$dir/logs/t.log", $nginx, '-t', $verbose ? () : '-q',
                       '-p', $dir,
                       '-c', "$dir/nginx.conf");
    return (time - $t0, $rc, slurp("$dir/logs/t.log"));
}

# nginx map: the hash sizes that load without a complaint, raised as
# nginx's messages say: bucket size when a key does not fit; when it says
# "increase either map_hash_max_size or map_hash_bucket_size", max size
# (doubling) up to twice the entry count, then bucket size.  "could not
# build optimal map_hash ... ignoring map_hash_bucket_size" is only a
# warning, but nginx then uses a hash with as long buckets as it needs,
# so it is followed too.
sub nginxmap_sizes {
    my ($n) = @_;
    my $cache = "$data/nginx-$n.sizes";
    if (-s $cache) {
        $hash_sizes{$n} = [split ' ', slurp($cache)];
        return @{ $hash_sizes{$n} };
    }
    my ($bs, $ms) = (64, 2048);
    my $cap = 2048;
    $cap *= 2 while $cap < 2 * $n;
    my $t_all = time;
    for my $try (1 .. 30) {
        $hash_sizes{$n} = [$bs, $ms];
        my $dir = nginx_conf(kind => 'nginxmap', n => $n, port => free_port(),
                             workers => 1, name => "nginxmap-sizes-$n");
        my ($t, $rc, $out) = nginx_t($dir, 1);
        my $warn = $out =~ /could not build/;
        print STDERR "bench: nginx map $n: bucket $bs max $ms: "
            . ($rc ? 'fails' : $warn ? 'warns' : 'loads')
            . sprintf(" (%.1f s)\n", $t);
        if ($rc == 0 && !$warn) {
            spew($cache, "$bs $ms\n");
            note("nginxmap_${n}_size_search_s", time - $t_all);
            return ($bs, $ms);
        }
        if ($out =~ /increase either map_hash_max_size/ && $ms < $cap) {
            $ms *= 2;
        } elsif ($out =~ /increase (either )?map_hash/) {
            $bs *= 2;
        } else {
            die "nginx map $n: $out";
        }
    }
    die "nginx map $n: no hash size loads\n";
}

sub start_nginx {                   # -> launch time
    my ($dir, $pin) = @_;
    unlink "$dir/logs/nginx.pid";
    push @nginx_dirs, $dir unless grep { $_ eq $dir } @nginx_dirs;
    my @cmd = ($nginx, '-p', $dir, '-c', "$dir/nginx.conf");
    unshift @cmd, 'taskset', '-c', '0' if $pin;
    my $t0 = time;
    my $rc = run_quiet("$dir/logs/start.log", @cmd);
    die "nginx $dir did not start: " . slurp("$dir/logs/start.log")
        . slurp("$dir/logs/error.log") if $rc;
    return $t0;
}

sub stop_nginx {
    my ($dir, $port) = @_;
    my $pid = master_pid($dir);
    if ($pid) {
        kill 'QUIT', $pid;
        for (1 .. 600) { last unless kill 0, $pid; sleep 0.05 }
        kill 'KILL', $pid if kill 0, $pid;
    }
    @nginx_dirs = grep { $_ ne $dir } @nginx_dirs;
    wait_port_free($port) if $port;
}

sub haproxy_cfg {
    my (%a) = @_;
    my $dir = "$data/run/$a{name}";
    make_path($dir);
    my $map = gen_file("$data/haproxy-$a{n}.map", 'haproxy', $a{n});
    spew("$dir/haproxy.cfg", <<"EOF");
global
    nbthread 1
    maxconn 4096
defaults
    mode http
    timeout client 30s
    timeout connect 5s
    timeout server 30s
frontend fe
    bind 127.0.0.1:$a{port}
    http-request redirect location %[path,map_str($map)] code 301 if { path,map_str($map) -m found }
    http-request return status 404
EOF
    return $dir;
}

sub start_haproxy {                 # -> (pid, launch time)
    my ($dir, $pin) = @_;
    my @cmd = ('haproxy', '-f', "$dir/haproxy.cfg", '-db');
    unshift @cmd, 'taskset', '-c', '0' if $pin;
    my $t0 = time;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDOUT, '>', "$dir/haproxy.log" or die;
        open STDERR, '>&', \*STDOUT or die;
        exec @cmd or die "exec haproxy: $!";
    }
    $children{$pid} = 'haproxy';
    return ($pid, $t0);
}

sub stop_pid {
    my ($pid, $port) = @_;
    kill 'TERM', $pid;
    for (1 .. 200) { last if waitpid($pid, WNOHANG) == $pid; sleep 0.05 }
    kill 'KILL', $pid if kill 0, $pid;
    waitpid($pid, 0);
    delete $children{$pid};
    wait_port_free($port) if $port;
}

my %servers;        # label => {port, pid (cpu), hits, misses, stop}

# one server of a kind at size n, answering; pinned: 1 worker on CPU 0
sub server {
    my (%a) = @_;
    my $port = free_port();
    my $label = $a{name};
    if ($a{kind} eq 'haproxy') {
        my $dir = haproxy_cfg(%a, port => $port);
        my ($pid, $t0) = start_haproxy($dir, $a{pin});
        defined wait_answer($port, '/', 600)
            or die "haproxy did not answer: " . slurp("$dir/haproxy.log");
        return { port => $port, cpu_pids => [$pid],
                 stop => sub { stop_pid($pid, $port) } };
    }
    nginxmap_sizes($a{n}) if $a{kind} eq 'nginxmap';
    my $dir = nginx_conf(%a, port => $port);
    start_nginx($dir, $a{pin});
    defined wait_answer($port, '/', 600) or die "nginx $label did not answer\n";
    my $master = master_pid($dir);
    return { port => $port, dir => $dir, master => $master,
             cpu_pids => [child_pids($master)],
             stop => sub { stop_nginx($dir, $port) } };
}

# ---- 1. build -----------------------------------------------------------

sub timed_build {                   # (seconds, peak KB) of one build
    my (@args) = @_;
    my $log = "$data/run/time.log";
    unlink $log;
    my $rc = run_quiet("$data/run/build.log", '/usr/bin/time', '-f',
                       '%e %M', '-o', $log, $tool, 'build', '-q', @args);
    die "redirect-map build @args failed\n" if $rc;
    my ($s, $kb) = split ' ', slurp($log);
    return ($s, $kb * 1024);
}

sub part_build {
    print STDERR "== build\n";
    # the tool's own pages (program, libraries, stack) before any work
    # (a median too: how much of libc a start maps varies by 0.5 MB)
    my $log = "$data/run/time.log";
    my @own;
    for (1 .. $R) {
        run_quiet("$data/run/version.log", '/usr/bin/time', '-f', '%M',
                  '-o', $log, $tool, '--version') == 0
            or die "redirect-map --version failed\n";
        push @own, (split ' ', slurp($log))[0];
    }
    my $own_kb = median(@own);
    note('tool_version_peak', $own_kb * 1024);
    for my $n (@posts) {
        my $dir = posts_dir($n);
        my $out = "$data/posts-$n.map";
        timed_build('-o', $out, $dir);          # warm the page cache
        my (@s, @m);
        for (1 .. $R) {
            my ($s, $m) = timed_build('-o', $out, $dir);
            push @s, $s;
            push @m, $m;
        }
        my ($s, $m) = (median(@s), median(@m));
        my $size = -s $out;
        my ($kb, $tb) = key_bytes($n);
        note("build_posts_${n}_s", $s);
        note("build_posts_${n}_peak", $m);
        note("build_posts_${n}_map", $size);
        row("build from posts: posts/s", human_n($n),
            sprintf('%.0f/s', $n / $s), '100,000/s',
            sprintf('%.2f', $n / $s / 1e5), '≥ 1.00', yesno($n / $s >= 1e5));
        row("build from posts: peak memory / map size", human_n($n),
            mib($m), mib($size), sprintf('%.2f', $m / $size), '≤ 2.00',
            yesno($m <= 2 * $size));
        row("(why) build from posts: (peak − peak of `--version`) / map "
            . "size", human_n($n), mib($m - $own_kb * 1024), mib($size),
            sprintf('%.2f', ($m - $own_kb * 1024) / $size), '–', '–')
            if $m > 2 * $size;
    }
    for my $n (@tsv) {
        my $cfg = tsv_config($n);
        unlink "$data/tsv-$n.map";
        timed_build('-c', $cfg);
        my (@s, @m);
        for (1 .. $R) {
            my ($s, $m) = timed_build('-c', $cfg);
            push @s, $s;
            push @m, $m;
        }
        my ($s, $m) = (median(@s), median(@m));
        my $size = -s "$data/tsv-$n.map";
        my ($kb, $tb) = key_bytes($n);
        my $bound = $kb + $tb + 16 * $n;
        note("build_tsv_${n}_s", $s);
        note("build_tsv_${n}_peak", $m);
        note("build_tsv_${n}_map", $size);
        note("keys_targets_${n}", $kb + $tb);
        my $t15 = $n >= 1e7 ? 15 * $n / 1e7 : undef;
        row("build from TSV: time", human_n($n),
            sprintf('%.2f s (%.0f/s)', $s, $n / $s),
            $t15 ? sprintf('%.1f s', $t15) : '–',
            $t15 ? sprintf('%.2f', $s / $t15) : '–',
            $t15 ? '≤ 1.00' : '–', $t15 ? yesno($s <= $t15) : '–');
        row("build from TSV: peak memory / map size", human_n($n), mib($m),
            mib($size), sprintf('%.2f', $m / $size), '≤ 2.00',
            yesno($m <= 2 * $size));
        row("map size / (keys + targets + 16 B/entry)", human_n($n),
            mib($size), mib($bound), sprintf('%.3f', $size / $bound),
            '≤ 1.000', yesno($size <= $bound));
        note("map_bytes_per_entry_over_kt_$n",
             sprintf('%.2f', ($size - $kb - $tb) / $n));
        # without the file:line of each entry (build --no-sources)
        if (`$tool build --help 2>&1` =~ /--no-sources/) {
            my $ns = "$data/tsv-$n-nosrc.map";
            my ($s2, $m2) = timed_build('-c', $cfg, '--no-sources', '-o', $ns);
            my $size2 = -s $ns;
            note("build_tsv_${n}_nosrc_s", $s2);
            note("build_tsv_${n}_nosrc_map", $size2);
            row("map size with --no-sources / (keys + targets + 16 B/entry)",
                human_n($n), mib($size2), mib($bound),
                sprintf('%.3f', $size2 / $bound), '≤ 1.000',
                yesno($size2 <= $bound));
            unlink $ns;
        }
    }
}

# ---- 2. start -----------------------------------------------------------

sub start_configs {                 # [label, kind, n]
    my @c = (['nginx, empty config', 'empty', 0]);
    push @c, ["nginx + module", 'own', $_] for @own;
    push @c, ["nginx + module, huge pages", 'ownhuge', $_]
        for $o{'huge-pages'} ? @own : ();
    push @c, ["nginx map + include", 'nginxmap', $_] for @alt;
    push @c, ["HAProxy map_str", 'haproxy', $_] for @alt;
    return @c;
}

# Starts the module's nginx in $dir, waits for its first 301, stops it:
# the seconds from launch to that answer, or undef
sub own_first_answer {
    my ($dir, $port, $n) = @_;
    my $t0 = start_nginx($dir, 0);
    my $t1 = wait_answer($port, first_line(hits($n)), 900,
                         sub { $_[0] == 301 });
    stop_nginx($dir, $port);
    return defined $t1 ? $t1 - $t0 : undef;
}

# a (why) row of the start part: $s seconds against the empty config's
sub start_why_row {
    my ($what, $n, $s, $base) = @_;
    row("(why) nginx + module: $what", human_n($n), fmt_s($s),
        fmt_s($base) . ' (empty)',
        defined $s ? sprintf('+%.3f s', $s - $base) : 'n/a', '–', '–');
}

sub part_start {
    print STDERR "== start\n";
    my %res;
    my @cfgs = start_configs();
    for my $c (@cfgs) {
        my ($label, $kind, $n) = @$c;
        next unless $kind =~ /^own/ || $kind eq 'nginxmap';
        tsv_map($n) if $kind =~ /^own/;
        nginxmap_sizes($n) if $kind eq 'nginxmap';
    }
    for my $rep (1 .. $R) {
        for my $c (@cfgs) {
            my ($label, $kind, $n) = @$c;
            my $port = free_port();
            my $path = $n ? first_line(hits($n)) : '/';
            my ($t0, $stop);
            if ($kind eq 'haproxy') {
                my $dir = haproxy_cfg(kind => $kind, n => $n, port => $port,
                                      name => "start-$kind-$n");
                my $t = time;
                system('haproxy', '-c', '-q', '-f', "$dir/haproxy.cfg") == 0
                    or die "haproxy -c failed\n";
                push @{ $res{"$kind-$n"}{t} }, time - $t;
                my $pid;
                ($pid, $t0) = start_haproxy($dir, 0);
                $stop = sub { stop_pid($pid, $port) };
            } else {
                my $dir = nginx_conf(kind => $kind, n => $n, port => $port,
                                     workers => 1, name => "start-$kind-$n");
                rebuild_map($n) if $kind =~ /^own/;
                my ($t, $rc, $out) = nginx_t($dir);
                die "nginx -t: $out" if $rc;
                push @{ $res{"$kind-$n"}{t} }, $t;
                $t0 = start_nginx($dir, 0);
                $stop = sub { stop_nginx($dir, $port) };
            }
            my $t1 = wait_answer($port, $path, 900, sub {
                $_[0] == ($n ? 301 : 404) });
            push @{ $res{"$kind-$n"}{first} }, defined $t1 ? $t1 - $t0 : undef;
            $stop->();
            printf STDERR "  start %s %s rep %d: %s\n", $kind, $n, $rep,
                fmt_s(defined $t1 ? $t1 - $t0 : undef);
        }
    }
    # What bounds the first answer with a big map: the master copies the
    # map into new memory.  Starts right after the same amount of memory
    # was taken and given back, and that memory's cost after 5 s idle
    # against right after it was freed (bench/fresh_memory.c).
    for my $n (@own) {
        my $size = -s tsv_map($n);
        for my $rep (1 .. $R) {
            my $out = `$bin/fresh_memory $size 5`;
            my %r = $out =~ /^(\w+) (\S+)$/mg;
            push @{ $res{"fresh-$n"}{idle} }, $r{touch_s};
            push @{ $res{"fresh-$n"}{again} }, $r{again_s};
            my $port = free_port();
            my $dir = nginx_conf(kind => 'own', n => $n, port => $port,
                                 workers => 1, name => "start-recycled-$n");
            rebuild_map($n);
            system("$bin/fresh_memory $size >/dev/null") == 0
                or die "fresh_memory failed\n";
            my $f = own_first_answer($dir, $port, $n);
            push @{ $res{"recycled-$n"}{first} }, $f;
            printf STDERR "  start own %s recycled memory rep %d: %s "
                . "(fresh memory %s s idle, %s s again)\n", $n, $rep,
                fmt_s($f), $r{touch_s}, $r{again_s};
        }
    }
    # The map read from disk, as after a reboot, or by an "nginx -t" run
    # after nginx has copied the map and dropped it from the cache
    for my $n (@own) {
        my $map = tsv_map($n);
        for my $rep (1 .. $R) {
            my $port = free_port();
            my $dir = nginx_conf(kind => 'own', n => $n, port => $port,
                                 workers => 1, name => "start-cold-$n");
            uncache_file($map);
            my ($t, $rc, $out) = nginx_t($dir);
            die "nginx -t: $out" if $rc;
            push @{ $res{"cold-$n"}{t} }, $t;
            uncache_file($map);
            my $f = own_first_answer($dir, $port, $n);
            push @{ $res{"cold-$n"}{first} }, $f;
            # a map copied in by cp, as a deploy from elsewhere might:
            # cached, but written in small pieces
            my $copy = "$data/run/copied-$n.map";
            system("cp $map $copy && sync $copy") == 0
                or die "cp $map failed\n";
            $port = free_port();
            $dir = nginx_conf(kind => 'own', n => $n, port => $port,
                              workers => 1, name => "start-copied-$n",
                              map => $copy);
            my $fc = own_first_answer($dir, $port, $n);
            push @{ $res{"copied-$n"}{first} }, $fc;
            unlink $copy;
            printf STDERR "  own %s rep %d: from disk nginx -t %s, first "
                . "answer %s; copied with cp, first answer %s\n", $n, $rep,
                fmt_s($t), fmt_s($f), fmt_s($fc);
        }
    }
    my ($bt, $bf) = map { median(@{ $res{'empty-0'}{$_} }) } qw(t first);
    note('start_empty_t', $bt);
    note('start_empty_first', $bf);
    for my $c (@cfgs) {
        my ($label, $kind, $n) = @$c;
        next if $kind eq 'empty';
        my ($t, $f) = map { median(@{ $res{"$kind-$n"}{$_} }) } qw(t first);
        note("start_${kind}_${n}_t", $t);
        note("start_${kind}_${n}_first", $f);
        my $own = $kind =~ /^own/;
        my $tname = $kind eq 'haproxy' ? 'haproxy -c' : 'nginx -t';
        $tname .= " (hash $hash_sizes{$n}[0]/$hash_sizes{$n}[1])"
            if $kind eq 'nginxmap';
        row("$label: $tname", human_n($n), fmt_s($t), fmt_s($bt) . ' (empty)',
            sprintf('+%.3f s', $t - $bt), $own ? '≤ +0.3 s' : '–',
            $own ? yesno($t - $bt <= 0.3) : '–');
        row("$label: first answer", human_n($n), fmt_s($f),
            fmt_s($bf) . ' (empty)', defined $f ? sprintf('+%.3f s', $f - $bf)
            : 'n/a', $own ? '≤ +0.3 s' : '–',
            $own ? yesno(defined $f && $f - $bf <= 0.3) : '–');
    }
    for my $n (@own) {
        my $f = median(@{ $res{"recycled-$n"}{first} });
        my ($idle, $again) =
            map { median(@{ $res{"fresh-$n"}{$_} }) } qw(idle again);
        note("start_own_${n}_first_recycled", $f);
        note("fresh_memory_${n}_idle", $idle);
        note("fresh_memory_${n}_again", $again);
        my ($ct, $cf) = map { median(@{ $res{"cold-$n"}{$_} }) } qw(t first);
        note("start_own_${n}_t_cold", $ct);
        note("start_own_${n}_first_cold", $cf);
        my $cp = median(@{ $res{"copied-$n"}{first} });
        note("start_own_${n}_first_copied", $cp);
        start_why_row('nginx -t, map read from disk', $n, $ct, $bt);
        start_why_row('first answer, map read from disk', $n, $cf, $bf);
        start_why_row('first answer, map just copied with cp', $n, $cp,
                      $bf);
        start_why_row('first answer, memory just recycled', $n, $f, $bf);
        row("(why) new memory of the map's size: after 5 s idle ÷ "
            . "just freed", human_n($n), fmt_s($idle), fmt_s($again),
            sprintf('%.1f', $idle / ($again || 1e-9)), '–', '–');
    }
}

# ---- 3. memory ----------------------------------------------------------

sub warm_up {
    my ($port, $n) = @_;
    my $paths = $n ? hits($n) : hits($own[0]);
    system("taskset -c 1 wrk -t1 -c8 -d1s -s bench/wrk-paths.lua "
           . "http://127.0.0.1:$port/ -- $paths >/dev/null 2>&1");
}

sub part_memory {
    print STDERR "== memory\n";
    my @cfgs = grep { $_->[1] ne 'haproxy' } start_configs();
    push @cfgs, grep { $_->[1] eq 'haproxy' } start_configs();
    my %res;
    for my $rep (1 .. $R) {
        for my $c (@cfgs) {
            my ($label, $kind, $n) = @$c;
            my $pool0 = huge_free_bytes();
            my $s = server(kind => $kind, n => $n, workers => 2, pin => 0,
                           name => "mem-$kind-$n");
            warm_up($s->{port}, $n);
            my (@priv, @pss, @shared);
            for my $pid (@{ $s->{cpu_pids} }) {
                my $m = smaps($pid);
                push @priv, $m->{Private_Dirty} // 0;
                push @pss, $m->{Pss} // 0;
                push @shared, ($m->{Shared_Dirty} // 0)
                            + ($m->{Shared_Clean} // 0);
            }
            my $mm = $s->{master} ? smaps($s->{master}) : {};
            # huge pages count in no Rss, Pss or Private_Dirty: what the
            # pool lost is the memory of the map
            push @{ $res{"$kind-$n"}{pool} }, $pool0 - huge_free_bytes()
                if $kind eq 'ownhuge';
            push @{ $res{"$kind-$n"}{priv} }, sum(@priv) / @priv;
            push @{ $res{"$kind-$n"}{shared} }, sum(@shared) / @shared;
            push @{ $res{"$kind-$n"}{total} },
                sum(@pss) + ($mm->{Pss} // 0);
            push @{ $res{"$kind-$n"}{rss} },
                max(map { smaps($_)->{Rss} // 0 } @{ $s->{cpu_pids} });
            $s->{stop}->();
        }
    }
    my $base = median(@{ $res{'empty-0'}{priv} });
    note('mem_empty_private_per_worker', $base);
    for my $c (@cfgs) {
        my ($label, $kind, $n) = @$c;
        next if $kind eq 'empty';
        my %m = map { $_ => median(@{ $res{"$kind-$n"}{$_} }) }
                qw(priv shared total rss);
        note("mem_${kind}_${n}_$_", $m{$_}) for sort keys %m;
        if ($kind eq 'haproxy') {
            row("$label: memory (RSS of its one process)", human_n($n),
                mib($m{rss}), '–', '–', '–', '–');
            next;
        }
        my $own = $kind =~ /^own/;
        if ($kind eq 'ownhuge') {
            my $pool = median(@{ $res{"$kind-$n"}{pool} });
            note("mem_${kind}_${n}_pool", $pool);
            row("$label: taken from the pool by master + 2 workers "
                . "÷ map size", human_n($n), mib($pool),
                mib(-s tsv_map($n)), sprintf('%.2f', $pool / -s tsv_map($n)),
                '–', '–');
        }
        row("$label: private memory added per worker (2 workers)",
            human_n($n), mib($m{priv} - $base), mib($base) . ' (empty)',
            '–', $own ? '≤ 1 MiB' : '–',
            $own ? yesno($m{priv} - $base <= 1048576) : '–');
        row("$label: shared per worker; Pss of master + workers",
            human_n($n), mib($m{shared}), mib($m{total}) . ' (Pss)', '–', '–',
            '–');
    }
}

# ---- 4. throughput ------------------------------------------------------

sub wrk_run {                       # {rps, p50, p99, cpu_us}
    my ($s, $paths) = @_;
    my @t0 = map { cpu_ticks($_) // 0 } @{ $s->{cpu_pids} };
    my $out = `taskset -c 1 wrk -t1 -c50 -d$o{duration}s --latency -s bench/wrk-paths.lua http://127.0.0.1:$s->{port}/ -- $paths 2>&1`;
    my @t1 = map { cpu_ticks($_) // 0 } @{ $s->{cpu_pids} };
    my ($reqs) = $out =~ /(\d+) requests in/;
    my ($rps) = $out =~ /Requests\/sec:\s+([\d.]+)/;
    die "wrk: $out" unless $reqs && $rps;
    my %lat;
    while ($out =~ /^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$/mg) {
        $lat{$1} = $2 * ($3 eq 'us' ? 1 : $3 eq 'ms' ? 1e3 : 1e6);
    }
    warn "wrk: errors: $1\n" if $out =~ /(Socket errors:[^\n]*)/;
    my $cpu = (sum(@t1) - sum(@t0)) / $hz;
    return { rps => $rps, p50 => $lat{50}, p99 => $lat{99},
             cpu_us => $cpu * 1e6 / $reqs };
}

sub part_throughput {
    print STDERR "== throughput\n";
    my $big = max(@own);
    my @runs = (                    # [label, kind, n, traffic]
        ['return 301 (ceiling)', 'ceiling', 0, 'hits', $big],
        ['nginx without the module', 'empty', 0, 'misses', $big],
    );
    for my $n (@own) {
        push @runs, ['nginx + module', 'own', $n, $_, $n] for qw(hits misses);
        push @runs, ['nginx + module, huge pages', 'ownhuge', $n, $_, $n]
            for $o{'huge-pages'} ? qw(hits misses) : ();
    }
    for my $n (@alt) {
        push @runs, ['nginx map + include', 'nginxmap', $n, $_, $n]
            for qw(hits misses);
        push @runs, ['HAProxy map_str', 'haproxy', $n, $_, $n]
            for qw(hits misses);
    }
    # every server runs at once (idle ones cost nothing), so each rep
    # measures all of them within seconds of each other
    my %srv;
    for my $r (@runs) {
        my ($label, $kind, $n) = @$r;
        $srv{"$kind-$n"} //= server(kind => $kind, n => $n, workers => 1,
                                    pin => 1, name => "tp-$kind-$n");
    }
    # every other rep runs them in the opposite order, so that no server
    # is always measured first
    my %res;
    for my $rep (1 .. $R) {
        for my $r ($rep % 2 ? @runs : reverse @runs) {
            my ($label, $kind, $n, $traffic, $sn) = @$r;
            my $paths = $traffic eq 'hits' ? hits($sn) : misses($sn);
            my $w = wrk_run($srv{"$kind-$n"}, $paths);
            push @{ $res{"$kind-$n-$traffic"} }, $w;
            printf STDERR "  %s %s %s: %.0f req/s, %.2f us CPU, p99 %s us\n",
                $kind, $n, $traffic, $w->{rps}, $w->{cpu_us}, $w->{p99} // '?';
        }
    }
    $_->{stop}->() for values %srv;

    my %m;
    for my $k (keys %res) {
        for my $f (qw(rps p50 p99 cpu_us)) {
            $m{$k}{$f} = median(map { $_->{$f} } @{ $res{$k} });
            note("tp_${k}_$f", $m{$k}{$f});
        }
    }
    my $ceil = $m{'ceiling-0-hits'};
    my $nomod = $m{'empty-0-misses'};
    # a ratio is the median of each rep's own ratio (figures taken within
    # a minute of each other), with its range over the reps
    my $ratio = sub {
        my ($k, $base, $f) = @_;
        my @r = map { $res{$k}[$_]{$f} / $res{$base}[$_]{$f} }
                0 .. $#{ $res{$k} };
        my @s = sort { $a <=> $b } @r;
        return (median(@r), sprintf('%.2f (%.2f–%.2f)', median(@r), $s[0],
                                    $s[-1]));
    };
    row('return 301 (ceiling): hits', '–',
        sprintf('%.0f req/s, %.2f µs CPU, p50/p99 %s/%s µs', @$ceil{qw(rps cpu_us p50 p99)}),
        '–', '1.00', '–', '–');
    row('nginx without the module: misses (404)', '–',
        sprintf('%.0f req/s, %.2f µs CPU, p50/p99 %s/%s µs', @$nomod{qw(rps cpu_us p50 p99)}),
        '–', '1.00', '–', '–');
    my %seen;
    for my $r (@runs) {
        my ($label, $kind, $n, $traffic) = @$r;
        next if $kind eq 'ceiling' || $kind eq 'empty';
        my $x = $m{"$kind-$n-$traffic"};
        my $own = $kind =~ /^own/ && $n == $big;
        my $fig = sprintf('%.0f req/s, %.2f µs CPU, p50/p99 %s/%s µs',
                          @$x{qw(rps cpu_us p50 p99)});
        my $k = "$kind-$n-$traffic";
        if ($traffic eq 'hits') {
            my ($rr, $rs) = $ratio->($k, 'ceiling-0-hits', 'rps');
            my ($cr, $cs) = $ratio->($k, 'ceiling-0-hits', 'cpu_us');
            note("tp_${k}_rps_ratio", $rr);
            note("tp_${k}_cpu_ratio", $cr);
            row("$label: hits, req/s ÷ return 301", human_n($n), $fig,
                sprintf('%.0f req/s', $ceil->{rps}), $rs,
                $own ? '≥ 0.97' : '–', $own ? yesno($rr >= 0.97) : '–');
            row("$label: hits, server CPU ÷ return 301", human_n($n),
                sprintf('%.2f µs', $x->{cpu_us}),
                sprintf('%.2f µs', $ceil->{cpu_us}), $cs,
                $own ? '≤ 1.05' : '–', $own ? yesno($cr <= 1.05) : '–');
        } else {
            my ($cr, $cs) = $ratio->($k, 'empty-0-misses', 'cpu_us');
            note("tp_${k}_cpu_ratio", $cr);
            row("$label: misses, server CPU ÷ nginx without module",
                human_n($n), $fig, sprintf('%.2f µs', $nomod->{cpu_us}),
                $cs, $own ? '≤ 1.02' : '–',
                $own ? yesno($cr <= 1.02) : '–');
        }
    }
}

# ---- 5. reload ----------------------------------------------------------

sub part_reload {
    print STDERR "== reload\n";
    my @cfgs = grep { $_->[1] ne 'haproxy' } start_configs();
    my %res;
    for my $c (@cfgs) {
        my ($label, $kind, $n) = @$c;
        my $s = server(kind => $kind, n => $n, workers => 1, pin => 0,
                       name => "reload-$kind-$n");
        my $path = $n ? first_line(hits($n)) : '/';
        # the module's map: once as it is (reused), once rebuilt before
        # each reload (a new file: read and checked again); and rebuilt,
        # then memory of the map's size taken and freed (why)
        my @ways = $kind eq 'own'     ? ('same', 'rebuilt', 'recycled')
                 : $kind eq 'ownhuge' ? ('same', 'rebuilt')
                 :                      ('same');
        for my $way (@ways) {
        for my $rep (1 .. $R) {
            my (undef, $h) = http_get($s->{port}, $path);
            my $old = $h->{'x-pid'} // die "no X-Pid from $kind\n";
            rebuild_map($n) if $way ne 'same';
            if ($way eq 'recycled') {
                system("$bin/fresh_memory " . (-s tsv_map($n))
                       . " >/dev/null") == 0 or die "fresh_memory failed\n";
            }
            my $t0 = time;
            run_quiet("$s->{dir}/logs/reload.log", $nginx, '-p', $s->{dir},
                      '-c', "$s->{dir}/nginx.conf", '-s', 'reload') == 0
                or die "reload failed: " . slurp("$s->{dir}/logs/reload.log");
            my $t1 = wait_answer($s->{port}, $path, 1800, sub {
                my ($st, $hh) = @_;
                return ($hh->{'x-pid'} // $old) ne $old;
            });
            my $key = $way eq 'same' ? "$kind-$n" : "$kind-$n-$way";
            push @{ $res{$key} }, defined $t1 ? $t1 - $t0 : undef;
            printf STDERR "  reload %s %s %s: %s\n", $kind, $n, $way,
                fmt_s(defined $t1 ? $t1 - $t0 : undef);
            # let the old worker go before the next reload
            for (1 .. 600) {
                my @c = child_pids($s->{master});
                last if @c <= 1;
                sleep 0.05;
            }
        }
        }
        $s->{stop}->();
    }
    my $base = median(@{ $res{'empty-0'} });
    note('reload_empty', $base);
    for my $c (@cfgs) {
        my ($label, $kind, $n) = @$c;
        next if $kind eq 'empty';
        my $t = median(@{ $res{"$kind-$n"} });
        note("reload_${kind}_$n", $t);
        my $own = $kind =~ /^own/;
        row("$label: reload until new workers answer"
            . ($own ? ', map unchanged' : ''), human_n($n), fmt_s($t),
            fmt_s($base) . ' (empty)', sprintf('+%.3f s', $t - $base),
            $own ? '≤ +0.3 s' : '–', $own ? yesno($t - $base <= 0.3) : '–');
        next unless $own;
        $t = median(@{ $res{"$kind-$n-rebuilt"} });
        note("reload_${kind}_${n}_rebuilt", $t);
        row("$label: reload until new workers answer, map rebuilt",
            human_n($n), fmt_s($t), fmt_s($base) . ' (empty)',
            sprintf('+%.3f s', $t - $base), '≤ +0.3 s',
            yesno($t - $base <= 0.3));
        next unless $kind eq 'own';
        $t = median(@{ $res{"$kind-$n-recycled"} });
        note("reload_${kind}_${n}_recycled", $t);
        row("(why) $label: reload, map rebuilt, memory just recycled",
            human_n($n), fmt_s($t), fmt_s($base) . ' (empty)',
            sprintf('+%.3f s', $t - $base), '–', '–');
    }
}

# ---- 6. lookup ----------------------------------------------------------

sub part_lookup {
    print STDERR "== lookup\n";
    for my $n (@tsv) {
        my $map = tsv_map($n);
        my $out = `$bin/lookup_bench $map $data/tsv-$n.cdb $n 1000000 5`;
        $? == 0 or die "lookup_bench $n failed\n";
        my %r = $out =~ /^(\w+) (\S+)$/mg;
        note("lookup_${n}_$_", $r{$_}) for sort keys %r;
        for my $t (qw(hit miss)) {
            my ($a, $b) = ($r{"map_${t}_ns"}, $r{"cdb_${t}_ns"});
            row("lookup, " . ($t eq "hit" ? "hits" : "misses") . ": map ÷ tinycdb", human_n($n),
                "$a ns", "$b ns (cdb)", sprintf('%.2f', $a / $b), '≤ 1.00',
                yesno($a <= $b));
        }
        row('lookup with normalisation (as the module), hits/misses',
            human_n($n), "$r{map_norm_hit_ns} / $r{map_norm_miss_ns} ns",
            '–', '–', '–', '–');
        row('(why) lookup: one dependent random read in the map\'s memory',
            human_n($n), "$r{map_random_read_ns} ns",
            "$r{map_hit_ns} ns (hit)",
            sprintf('%.2f', $r{map_hit_ns} / $r{map_random_read_ns}), '–',
            '–') if defined $r{map_random_read_ns};
    }
}

# ---- main ---------------------------------------------------------------

# huge pages: the pool is reserved, then all its pages are used once, as
# by the first start and reload after boot; their first use is new memory
# (on this VM, faulted in by the host), and is shown as a (why) row
if ($o{'huge-pages'}) {
    huge_pool_reserve();
    my $bytes = huge_free_bytes();
    my $out = `$bin/fresh_memory $bytes 0 hugetlb`;
    my %r = $out =~ /^(\w+) (\S+)$/mg;
    defined $r{again_s} or die "fresh_memory hugetlb failed\n";
    note('huge_pool_first_touch', $r{touch_s});
    note('huge_pool_again', $r{again_s});
    row('(why) huge page pool (' . mib($bytes) . '): first use of its '
        . 'pages ÷ use again', '–', "$r{touch_s} s", "$r{again_s} s",
        sprintf('%.1f', $r{touch_s} / ($r{again_s} || 1e-9)), '–', '–');
}

my $load0 = slurp('/proc/loadavg');
my %plan = (build => \&part_build, start => \&part_start,
            memory => \&part_memory, throughput => \&part_throughput,
            reload => \&part_reload, lookup => \&part_lookup);
for my $p (qw(build start memory throughput reload lookup)) {
    next unless $part{$p};
    $plan{$p}->();
    cleanup();
}
my $load1 = slurp('/proc/loadavg');
chomp($load0, $load1);

my $head = sprintf "%s, %d CPUs, %s; load average at start %s, at end %s; "
    . "medians of %d; wrk -t1 -c50 %d s on CPU 1, server on CPU 0\n\n",
    strftime('%Y-%m-%d %H:%M', localtime), $ncpu,
    (split /\n/, `$nginx -v 2>&1; haproxy -v | head -1`)[0] // 'nginx',
    join(' ', (split ' ', $load0)[0 .. 2]), join(' ', (split ' ', $load1)[0 .. 2]),
    $R, $o{duration};
my $table = "| what | entries | figure | baseline | ratio | target | met? |\n"
          . "|---|---|---|---|---|---|---|\n";
$table .= '| ' . join(' | ', map { $_ // 'n/a' } @$_) . " |\n" for @rows;
spew("$resdir/$run_id.md", $head . $table);
print $head, $table;
print STDERR "raw figures: bench/results/$run_id.txt, table: bench/results/$run_id.md\n";
