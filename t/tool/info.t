# redirect-map info: what a map holds, as text and JSON; damaged maps.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run root map_dir damage_map);
use JSON::PP qw(decode_json);
use Test::More;

my $dir = map_dir();
my $map = "$dir/blogger.map";
my ($rc, $out, $err) = run('redirect-map', 'build', '-q', '-c',
                           root() . '/t/fixtures/blogger/redirect-map.yaml',
                           '-o', $map);
is $rc, 0, 'fixture built' or diag $err;

($rc, $out, $err) = run('redirect-map', 'info', $map);
is $rc, 0, 'exit 0';
my %kv = $out =~ /^([^:\n]+): (.*)$/mg;
is $kv{path}, $map, 'path';
is $kv{format}, 2, 'format version';
is $kv{size}, (-s $map) . ' bytes', 'size';
is $kv{entries}, 11, 'entries';
is $kv{rules}, 10, 'rules';
like $kv{buckets}, qr/^\d+$/, 'buckets';
like $kv{slots}, qr/^\d+$/, 'slots';
like $kv{'load factor'}, qr/^0\.\d\d$/, 'load factor';
is $kv{flags}, 'sources', 'flags';
is $kv{tool}, 'redirect-map 0.1.0', 'tool';
like $kv{built}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'build time';
is $kv{key}, 'legacyUrl', 'key';
is $kv{target}, '/{year}/{month}/{slug}', 'target template';

# the checksum is the trailer, as 16 hex digits
open my $fh, '<:raw', $map or die;
local $/;
my $bytes = <$fh>;
my ($lo, $hi) = unpack 'VV', substr($bytes, -8);
is $kv{checksum}, sprintf('%08x%08x', $hi, $lo), 'checksum';

($rc, $out) = run('redirect-map', 'info', '--json', $map);
is $rc, 0, '--json: exit 0';
my $j = decode_json($out);
is $j->{entries}, 11, 'json entries';
is $j->{rules}, 10, 'json rules';
is_deeply $j->{flags}, ['sources'], 'json flags';
is $j->{meta}{key}, 'legacyUrl', 'json meta';
is $j->{checksum}, $kv{checksum}, 'json checksum';

my $ci = "$dir/caseless.map";
run('redirect-map', 'build', '-q', '-i', root() . '/t/fixtures/blog', '-o', $ci);
($rc, $out) = run('redirect-map', 'info', $ci);
like $out, qr/^flags: caseless sources$/m, 'caseless flag';
like $out, qr/^ignore_case: true$/m, 'ignore_case setting';

damage_map($map, 'flipped.map', sub { vec(${$_[0]}, 8 * 300 + 3, 1) ^= 1 });
($rc, $out, $err) = run('redirect-map', 'info', "$dir/flipped.map");
is $rc, 3, 'damaged map: exit 3';
like $err, qr/flipped\.map: checksum mismatch/, 'says why';
is $out, '', 'nothing on stdout';

($rc, undef, $err) = run('redirect-map', 'info', "$dir/none.map");
is $rc, 3, 'missing map: exit 3';
($rc) = run('redirect-map', 'info');
is $rc, 2, 'no MAP: exit 2';

done_testing;
