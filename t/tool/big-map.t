# A map big enough (over 16 MB) that nginx reads it with a helper thread
# while it checksums it (into the copy it serves, or into a ring of
# pieces for "nginx -t"): every entry of a sample is answered, misses
# pass through, and a damaged copy is refused by nginx -t, at start and
# at reload, whether the damage is near the start, in the middle or in
# the last byte that the checksum covers.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(map_dir free_port slurp nginx_conf nginx nginx_pid
               build_list sample_bad run);
use File::Copy qw(copy);
use Time::HiRes qw(sleep);
use Test::More;

my $dir = map_dir();
my $port = free_port();

# 200,000 Blogger-like paths, 60-90 bytes, and their new homes
my $n = 200_000;
my ($rc, $err, @old) = build_list($dir, 'big', $n);
is $rc, 0, 'the big map builds' or diag $err;
my $map = "$dir/big.map";
my $size = -s $map;
cmp_ok $size, '>', 16 * 1024 * 1024, "it is over 16 MB ($size bytes)";

# every entry, not a sample: the build gives the memory of its list back
# while it hands the entries to the writer
my ($drc, $dump, $derr) = run('redirect-map', 'dump', $map);
is $drc, 0, 'the big map dumps' or diag $derr;
my %got = map { (split /\t/)[0, 1] } split /\n/, $dump;
my @wrong = grep { ($got{$old[$_]} // '') ne "/posts/$_/" } 0 .. $#old;
is scalar(@wrong), 0, "all $n entries are in it, each with its target"
    or diag "the first wrong one: $old[$wrong[0]] -> "
            . ($got{$old[$wrong[0]]} // 'nothing');
is scalar(keys %got), $n, '... and nothing else';

sub write_conf {
    nginx_conf($dir, port => $port, http => "legacy_redirect_map $_[0];");
}

my $pid;
END { kill 'QUIT', $pid if $pid && kill 0, $pid }

# copies with one byte changed: after the header, in the middle, and the
# last byte before the checksum
my %damaged = (
    'near the start' => 100,
    'in the middle'  => int($size / 2),
    'last byte'      => $size - 9,
);
for my $where (sort keys %damaged) {
    (my $name = "$where.map") =~ tr/ /-/;
    copy($map, "$dir/$name") or die $!;
    open my $fh, '+<:raw', "$dir/$name" or die $!;
    seek $fh, $damaged{$where}, 0;
    read $fh, my $byte, 1;
    seek $fh, $damaged{$where}, 0;
    print {$fh} chr(ord($byte) ^ 0x20);
    close $fh;
    write_conf("$dir/$name");
    ($rc, undef, $err) = nginx($dir, '-t');
    isnt $rc, 0, "a byte changed $where: nginx -t fails";
    like $err, qr/legacy_redirect_map "\Q$dir\/$name\E": checksum mismatch/,
         '... and says the checksum does not match';
    ($rc, undef, $err) = nginx($dir);
    isnt $rc, 0, '... and nginx does not start';
    like $err, qr/legacy_redirect_map "\Q$dir\/$name\E": checksum mismatch/,
         '... saying the same';
}

write_conf($map);
($rc, undef, $err) = nginx($dir, '-t');
is $rc, 0, 'nginx -t accepts the big map' or diag $err;
($rc, undef, $err) = nginx($dir);
is $rc, 0, 'nginx starts with the big map' or diag $err;
$pid = nginx_pid($dir);

sub sample_ok {
    my ($what) = @_;
    my @bad = sample_bad($port, \@old, 17, 997, 20);
    is_deeply \@bad, [], "$what: 201 entries answered, 20 misses pass"
        or diag explain \@bad;
}

sample_ok('after the start');

# a reload with a damaged big map keeps the old map serving
my $log0 = length(slurp("$dir/logs/error.log") // '');
copy("$dir/in-the-middle.map", "$dir/next.map") or die $!;
write_conf("$dir/next.map");
nginx($dir, '-s', 'reload');
my $log = '';
for (1 .. 100) {
    $log = substr(slurp("$dir/logs/error.log") // '', $log0);
    last if $log =~ /\[emerg\]/;
    sleep 0.1;
}
like $log, qr/\[emerg\] .*"\Q$dir\E\/next\.map": checksum mismatch/,
     'a reload with a damaged big map is refused';
sample_ok('after the refused reload');

# and a reload with the good one (a new file: read and checked again)
$log0 = length(slurp("$dir/logs/error.log") // '');
copy($map, "$dir/next.map") or die $!;
nginx($dir, '-s', 'reload');
for (1 .. 100) {
    $log = substr(slurp("$dir/logs/error.log") // '', $log0);
    last if $log =~ /start worker process|\[emerg\]/;
    sleep 0.1;
}
like $log, qr/start worker process/,
     'a reload with the map copied anew starts new workers';
unlike $log, qr/\[(emerg|alert|crit)\]/, '... with no complaint';
sleep 0.5;
sample_ok('after that reload');

done_testing;
