# legacy_redirect_huge_pages against the kernel's real pool of huge pages,
# with nginx (a master and two workers) driven directly: one copy of the
# map in the pool whatever the number of workers, the pages given back
# when a reload replaces the map, a reload refused ("on") or served from
# ordinary memory ("try") when the pool is too small, and a start refused
# with the reason.  Needs root, to size the pool (vm.nr_hugepages), and a
# pool with no free pages of somebody else's; the pool is set back at exit.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run build_map map_dir free_port http_get slurp
               huge_pages_free nginx_conf nginx nginx_pid);
use IO::Socket::INET;
use Time::HiRes qw(sleep);
use Test::More;

my $sysctl = '/proc/sys/vm/nr_hugepages';
my ($free0, $page, $total0) = huge_pages_free();

plan skip_all => 'the kernel has no huge pages' unless $page;
plan skip_all => "$sysctl is not writable (not root?)" unless -w $sysctl;
plan skip_all => "the pool has $free0 free huge pages of somebody else's"
    if $free0;

my $dir = map_dir();
my $port = free_port();
my $map = build_map('blog.map', 't/fixtures/blog');
my $hit = '/2023/03/wintering-bees-in-cold-attic.html';

my $pid;
$SIG{$_} = sub { exit 1 } for qw(INT TERM HUP);    # so that END runs
END {
    ($pid) = (slurp("$dir/logs/nginx.pid") // '') =~ /(\d+)/ unless $pid;
    kill 'QUIT', $pid if $pid && kill 0, $pid;
    for (1 .. 50) { last unless $pid && kill 0, $pid; sleep 0.1 }
    set_free(0, $total0) if defined $total0;
}

# the pool with $n free pages; or back to $total pages
sub set_free {
    my ($n, $total) = @_;
    my ($free, undef, $now) = huge_pages_free();
    open my $fh, '>', $sysctl or die "$sysctl: $!";
    print {$fh} $total // $now - $free + $n, "\n";
    close $fh;
}

sub pool_free { (huge_pages_free())[0] }

sub write_conf {
    my ($mode) = @_;
    nginx_conf($dir, port => $port,
               http => "legacy_redirect_huge_pages $mode;\n"
                       . "    legacy_redirect_map $map;",
               server => 'add_header X-Pid $pid always;
        location = /status {
            legacy_redirect_map off;
            legacy_redirect_status;
        }');
}

sub worker_pid {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Proto => 'tcp', Timeout => 5) or return '';
    print {$s} "GET /status HTTP/1.0\r\nHost: x\r\n\r\n";
    local $/;
    my $res = <$s> // '';
    my ($w) = $res =~ /^X-Pid: (\d+)/mi;
    my ($huge) = $res =~ /"huge_pages": (true|false)/;
    return wantarray ? ($w // '', $huge // '') : $w // '';
}

# the master's workers, "pid,pid" (either of them may answer a request)
sub worker_pids {
    return join ',', sort { $a <=> $b }
        grep { (slurp("/proc/$_/stat") // '') =~ /^\d+ \(nginx\) \S+ $pid / }
        map { m{/proc/(\d+)$} ? $1 : () } glob '/proc/[0-9]*';
}

# a reload, then wait until the workers are all new ones (or, if it is to
# fail, until the master said so)
sub reload {
    my ($touch, $fails) = @_;
    utime undef, undef, $map if $touch;
    my %old = map { $_ => 1 } split /,/, worker_pids();
    my $mark = length(slurp("$dir/logs/error.log") // '');
    nginx($dir, '-s', 'reload');
    for (1 .. 100) {
        last if $fails && log_since($mark) =~ /\[emerg\]/;
        sleep 0.1;
        my @kids = split /,/, worker_pids();
        last if @kids && !grep { $old{$_} } @kids;
    }
}

sub log_since {
    my ($from) = @_;
    my $log = slurp("$dir/logs/error.log") // '';
    return substr($log, $from);
}

# --- a pool with room for one copy: "on" serves from it --------------------

set_free(1);
is pool_free(), 1, 'the pool has one free page';

write_conf('on');
my ($rc, undef, $err) = nginx($dir);
is $rc, 0, 'nginx starts with "legacy_redirect_huge_pages on"' or diag $err;
$pid = nginx_pid($dir);

my ($status, $location) = http_get($port, $hit);
is "$status $location", '301 /2023/03/wintering-bees', 'a hit is answered';
is((worker_pid())[1], 'true', 'the status says the map is in huge pages');
is pool_free(), 0, 'master and two workers use one page of the pool';

# --- a rebuilt map needs a second copy while the old one still serves ------

my $mark = length(slurp("$dir/logs/error.log") // '');
my $before = worker_pids();
reload(1, 'fails');
like log_since($mark),
     qr/\[emerg\] .*legacy_redirect_map "\Q$map\E": 1 huge pages of \d+k needed \(see vm\.nr_hugepages\), mmap\(\) failed \(12: Cannot allocate memory\)/,
     '"on", pool full: the reload is refused, and the log says why';
is worker_pids(), $before, '... and the old worker keeps serving';
($status) = http_get($port, $hit);
is $status, 301, '... the map too';

set_free(1);
reload(1);
isnt worker_pids(), $before, 'with a page more, the reload goes through';
is((worker_pid())[1], 'true', '... into huge pages');
my $free;
for (1 .. 50) { $free = pool_free(); last if $free == 1; sleep 0.1 }
is $free, 1, '... and the old copy gives its page back to the pool';

set_free(0);
$mark = length(slurp("$dir/logs/error.log") // '');
$before = worker_pids();
reload(0);
isnt worker_pids(), $before,
     'with the pool full, a reload with the map unchanged goes through';
unlike log_since($mark), qr/\[emerg\]/, '... for it takes no new page';

# --- "try" with the pool full: ordinary memory, and a notice ---------------

set_free(0);
write_conf('try');
$mark = length(slurp("$dir/logs/error.log") // '');
$before = worker_pids();
reload(1);
isnt worker_pids(), $before, '"try", pool full: the reload goes through';
is((worker_pid())[1], 'false', '... with the map in ordinary memory');
like log_since($mark),
     qr/\[notice\] .*legacy_redirect_map "\Q$map\E": copied to ordinary memory: 1 huge pages of \d+k needed/,
     '... and a notice says why';
($status) = http_get($port, $hit);
is $status, 301, '... and serves the map';
for (1 .. 50) { $free = pool_free(); last if $free == 1; sleep 0.1 }
is $free, 1, 'the huge copy of the old configuration is given back';

# --- "off" does not reuse a copy in huge pages -----------------------------

write_conf('on');
reload(0);
is((worker_pid())[1], 'true', '"on" does not reuse the unchanged ordinary copy');
write_conf('off');
reload(0);
is((worker_pid())[1], 'false', '"off" does not reuse the unchanged huge copy');
for (1 .. 50) { $free = pool_free(); last if $free == 1; sleep 0.1 }
is $free, 1, '... and the pool gets its page back';

# --- a start that cannot have its huge pages -------------------------------

kill 'QUIT', $pid;
for (1 .. 50) { last unless kill 0, $pid; sleep 0.1 }
undef $pid;
set_free(0);
write_conf('on');

($rc) = nginx($dir, '-t');
is $rc, 0, 'nginx -t takes no huge pages, so it passes with an empty pool';

($rc, undef, $err) = nginx($dir);
isnt $rc, 0, '"on" with an empty pool: nginx does not start';
like $err, qr/\[emerg\] .*legacy_redirect_map "\Q$map\E": 1 huge pages of \d+k needed \(see vm\.nr_hugepages\), mmap\(\) failed \(12: Cannot allocate memory\) in \Q$dir\E\/nginx\.conf:\d+/,
     '... and says why, naming the map and the configuration line';
($pid) = (slurp("$dir/logs/nginx.pid") // '') =~ /(\d+)/;
$pid = undef unless $pid && kill 0, $pid;
ok !$pid, '... and leaves no master behind';

# --- a hugetlb cgroup limit that counts pages when they are used ------------
#
# mmap() reserves the pages, but the first write to one fails: read() into
# the copy gets EFAULT.  A cgroup v1 hierarchy with the hugetlb controller
# is mounted for this (when the kernel has one not mounted yet), nginx is
# started in a child group allowed no huge pages, and all is undone after.

SKIP: {
    my $v1 = grep { /^hugetlb\s+\d+\s+\d+\s+1$/ }
             split /\n/, slurp('/proc/cgroups') // '';
    my $mounted = grep { /^\S+ \S+ cgroup2? \S*hugetlb/ }
                  split /\n/, slurp('/proc/mounts') // '';
    skip 'no cgroup v1 hugetlb controller, or one already mounted', 8
        if !$v1 || $mounted || -e '/sys/fs/cgroup/cgroup.controllers';
    my $cg = "$dir/cgroup";
    mkdir $cg;
    skip 'cannot mount the hugetlb cgroup controller', 8
        unless system('mount', '-t', 'cgroup', '-o', 'hugetlb', 'lr-test',
                      $cg) == 0;
    my $group = "$cg/legacy-redirect-test";
    mkdir $group or die "$group: $!";
    my $mb = $page / 1048576;
    open my $lim, '>', "$group/hugetlb.${mb}MB.limit_in_bytes" or die $!;
    print {$lim} "0\n";
    close $lim;

    # started from a shell that moves itself into the group first
    my $start = sub {
        return run('sh', '-c', 'echo $$ > "$1" && shift && exec "$@"', 'sh',
                   "$group/cgroup.procs", $ENV{TEST_NGINX_BINARY} || 'nginx',
                   '-p', $dir, '-c', "$dir/nginx.conf");
    };
    my $stop = sub {
        my ($p) = (slurp("$dir/logs/nginx.pid") // '') =~ /(\d+)/;
        return unless $p && kill 0, $p;
        kill 'QUIT', $p;
        for (1 .. 50) { last unless kill 0, $p; sleep 0.1 }
    };

    set_free(1);
    write_conf('on');
    ($rc, undef, $err) = $start->();
    isnt $rc, 0, '"on", cgroup allows no huge pages: nginx does not start';
    like $err, qr/\[emerg\] .*legacy_redirect_map "\Q$map\E": huge pages refused when used \(a hugetlb cgroup limit\?\), read\(\) failed \(14: Bad address\)/,
         '... and says why';
    is pool_free(), 1, '... and gives the page back';

    # at start, messages of the configuration go to stderr
    write_conf('try');
    ($rc, undef, $err) = $start->();
    is $rc, 0, '"try", cgroup allows no huge pages: nginx starts' or diag $err;
    like $err,
         qr/\[notice\] .*"\Q$map\E": copied to ordinary memory: huge pages refused when used \(a hugetlb cgroup limit\?\), read\(\) failed \(14: Bad address\)/,
         '... with a notice';
    my ($status, $location) = http_get($port, $hit);
    is "$status $location", '301 /2023/03/wintering-bees',
       '... and serves the map from ordinary memory';
    is((worker_pid())[1], 'false', '... as the status says');
    is pool_free(), 1, '... and holds no huge page';
    $stop->();

    rmdir $group;
    system('umount', $cg);
}

done_testing;
