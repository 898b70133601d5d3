# redirect-map diff OLD NEW: added, removed, changed, identical.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run map_dir damage_map);
use JSON::PP qw(decode_json);
use Test::More;

my $dir = map_dir();

sub build {
    my ($name, $yaml) = @_;
    mkdir "$dir/$name";
    open my $fh, '>', "$dir/$name/redirect-map.yaml" or die;
    print {$fh} $yaml;
    close $fh;
    my ($rc, undef, $err) = run('redirect-map', 'build', '-q', '-c',
                                "$dir/$name/redirect-map.yaml", '-o',
                                "$dir/$name.map");
    die $err if $rc;
    return "$dir/$name.map";
}

my $old = build('old', <<'YAML');
rules:
  - from: '^/a/(.*)$'
    to: '/x/$1'
  - from: '^/b/'
    to: '/y'
  - from: '^/c/'
    to: '/z'
redirects:
  /same.html: /same
  /moved.html: /one
  /status.html: /s
  /removed.html: /r
  /gone.html: /g
YAML

my $new = build('new', <<'YAML');
rules:
  - from: '^/new/'
    to: '/n'
  - from: '^/a/(.*)$'
    to: '/x/$1'
  - from: '^/c/'
    to: '/z'
  - from: '^/b/'
    to: '/y'
redirects:
  /same.html: /same
  /moved.html: /two
  /status.html: { to: /s, status: 302 }
  /added.html: /a
  /gone.html: { status: 410 }
YAML

my ($rc, $out, $err) = run('redirect-map', 'diff', $old, $new);
is $rc, 1, 'different: exit 1' or diag $err;
is $out, <<'OUT', 'the changes, then a summary';
+ /added.html -> /a (301)
~ /gone.html: /g (301) -> (410)
~ /moved.html: /one (301) -> /two (301)
- /removed.html -> /r (301)
~ /status.html: /s (301) -> /s (302)
~ rule '^/b/': moved from #2 to #4
+ rule '^/new/' -> /n (301)
2 added, 1 removed, 4 changed
OUT

($rc, $out) = run('redirect-map', 'diff', '--json', $old, $new);
is $rc, 1, '--json: exit 1';
my $j = decode_json($out);
is_deeply $j->{summary}, { added => 2, removed => 1, changed => 4 }, 'summary';
is_deeply $j->{removed}, [{ type => 'exact', from => '/removed.html',
                            to => '/r', status => 301 }], 'removed';
my ($gone) = grep { $_->{from} eq '/gone.html' } @{ $j->{changed} };
is_deeply $gone, { type => 'exact', from => '/gone.html',
                   old => { to => '/g', status => 301 },
                   new => { to => undef, status => 410 } }, 'changed';

($rc, $out) = run('redirect-map', 'diff', $old, $old);
is $rc, 0, 'identical: exit 0';
is $out, "0 added, 0 removed, 0 changed\n", 'nothing to say';

($rc, $out) = run('redirect-map', 'diff', '-q', $old, $new);
is $rc, 1, '-q: exit 1';
is $out, '', '-q: silent';

damage_map($old, 'flipped.map', sub { vec(${$_[0]}, 8 * 200 + 3, 1) ^= 1 });
($rc, $out, $err) = run('redirect-map', 'diff', $old, "$dir/flipped.map");
is $rc, 3, 'damaged map: exit 3';
like $err, qr/flipped\.map: checksum mismatch/, 'says why';
($rc) = run('redirect-map', 'diff', "$dir/none.map", $new);
is $rc, 3, 'missing map: exit 3';
($rc) = run('redirect-map', 'diff', $old);
is $rc, 2, 'one map: exit 2';

done_testing;
