# Once the nginx master has copied a map, the file's pages leave the page
# cache: the copy takes their place, and the memory they free is what the
# rest of the copy is read into.  "nginx -t" keeps no copy and leaves the
# file cached for the start or reload after it.  Checked with fincore(1)
# on a small map (read in one pass) and on one over 16 MB (read by a
# helper thread); the copy still answers every entry of a sample, a
# rebuilt map is dropped again at reload, and a map whose pages are not
# yet written to disk (which the kernel keeps cached) still loads.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run map_dir free_port slurp nginx_conf nginx nginx_pid
               build_list sample_bad);
use File::Copy qw(copy);
use POSIX ();
use Time::HiRes qw(sleep);
use Test::More;

chomp(my $fincore = `command -v fincore 2>/dev/null` // '');
plan skip_all => 'fincore(1) (Debian: util-linux-extra) is not installed'
    unless $fincore;

my $dir = map_dir();

# bytes of $file in the page cache
sub cached {
    my ($file) = @_;
    my ($rc, $out, $err) = run($fincore, '--bytes', '--noheadings',
                               '--output', 'RES', $file);
    die "fincore $file: $err" if $rc;
    my ($bytes) = $out =~ /(\d+)/ or die "fincore $file: $out";
    return $bytes;
}

# $file's size in whole pages, as the cache holds it
sub in_pages {
    my ($file) = @_;
    my $page = POSIX::sysconf(POSIX::_SC_PAGESIZE());
    my $size = -s $file;
    return int(($size + $page - 1) / $page) * $page;
}

# reads $file through, as right after it was written
# Whether the file is all in the page cache, but for a few pages that the
# kernel may reclaim at any moment on a busy machine (a 64 KB folio went
# once, between reading a 17 MB map and asking): what nginx drops is all
# of it.
sub all_cached {
    my ($file, $what) = @_;
    my ($have, $want) = (cached($file), in_pages($file));
    ok $have <= $want && $have >= $want - 256 * 1024, $what
        or diag "$have of $want bytes cached";
}

sub read_through {
    my ($file) = @_;
    open my $fh, '<:raw', $file or die "$file: $!";
    1 while sysread $fh, my $buf, 1 << 20;
    close $fh;
}

# $n Blogger-like paths to /posts/$i/ in $dir/$name.map
sub build_or_die {
    my ($name, $n) = @_;
    my ($rc, $err, @paths) = build_list($dir, $name, $n);
    die "redirect-map build $name: $err" if $rc;
    return @paths;
}

sub sample_ok {
    my ($port, $paths, $what) = @_;
    my @bad = sample_bad($port, $paths, 3, int(@$paths / 150) || 1, 1);
    is_deeply \@bad, [], "$what: a sample is answered, a miss passes"
        or diag explain \@bad;
}

# the log's lines from $from on, once one matches $re (or after 10 s)
sub wait_log {
    my ($from, $re) = @_;
    my $log = '';
    for (1 .. 100) {
        $log = substr(slurp("$dir/logs/error.log") // '', $from);
        last if $log =~ $re;
        sleep 0.1;
    }
    return $log;
}

for my $case (['small', 2_000], ['big', 180_000]) {
    my ($name, $n) = @$case;
    my $port = free_port();
    my @old = build_or_die($name, $n);
    my $map = "$dir/$name.map";
    my $size = -s $map;
    cmp_ok $size, $name eq 'big' ? '>' : '<', 16 * 1024 * 1024,
           "$name map: $size bytes";

    nginx_conf($dir, port => $port, workers => 1,
               http => "legacy_redirect_map $map;");

    read_through($map);
    all_cached($map, "$name map: all of it cached before nginx -t");
    my ($rc, undef, $err) = nginx($dir, '-t');
    is $rc, 0, "$name map: nginx -t accepts it" or diag $err;
    all_cached($map, '... and leaves it all cached');

    ($rc, undef, $err) = nginx($dir);
    is $rc, 0, "$name map: nginx starts" or diag $err;
    my $pid = nginx_pid($dir);
    is cached($map), 0, '... and its copy has taken the place of the '
                        . "file's cached pages";
    sample_ok($port, \@old, "$name map, after the start");

    # rebuilt with more entries (written, fsync()ed and renamed by the
    # tool: clean pages in the cache), then reloaded
    @old = build_or_die($name, $n + 50);
    all_cached($map, "$name map rebuilt: the new file is all cached");
    my $log0 = length(slurp("$dir/logs/error.log") // '');
    nginx($dir, '-s', 'reload');
    my $log = wait_log($log0, qr/start worker process|\[emerg\]/);
    like $log, qr/start worker process/, "$name map: reloaded";
    sleep 0.5;
    is cached($map), 0, '... and the rebuilt file is dropped from the cache '
                        . 'too';
    sample_ok($port, \@old, "$name map, after the reload");

    # a copy whose pages are still dirty: the kernel keeps those cached,
    # and the copy must be whole all the same
    copy($map, "$dir/$name-copy.map") or die $!;
    nginx_conf($dir, port => $port, workers => 1,
               http => "legacy_redirect_map $dir/$name-copy.map;");
    $log0 = length(slurp("$dir/logs/error.log") // '');
    nginx($dir, '-s', 'reload');
    $log = wait_log($log0, qr/start worker process|\[emerg\]/);
    unlike $log, qr/\[(emerg|alert|crit)\]/,
           "$name map copied anew, not yet on disk: reloaded, no complaint";
    sleep 0.5;
    sample_ok($port, \@old, "$name map, from the copy not yet on disk");

    kill 'QUIT', $pid;
    for (1 .. 50) { last unless kill 0, $pid; sleep 0.1 }
}

done_testing;
