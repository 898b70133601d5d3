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

our @EXPORT_OK = qw(root map_dir build_map damage_map);

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

1;
