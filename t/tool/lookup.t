# redirect-map lookup: URLs as arguments and from stdin.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run root map_dir);
use Test::More;

my $dir = map_dir();
my $map = "$dir/blogger.map";
my $tool = root() . "/build/redirect-map";
my $src = root() . "/t/fixtures/blogger/redirect-map.yaml";
run('redirect-map', 'build', '-q', '-c',
    root() . '/t/fixtures/blogger/redirect-map.yaml', '-o', $map);

open my $fh, '>', "$dir/urls.txt" or die;
print {$fh} "/p/about.html\n\nhttps://old.blogspot.com/search/label/bees?m=1\r\n"
          . "/nope.html\n/p/old-about.html\n";
close $fh;

my ($rc, $out, $err) = run('sh', '-c', "'$tool' lookup '$map' < '$dir/urls.txt'");
is $rc, 1, 'a miss among them: exit 1';
is $out, "/about/\t301\t$src:31\texact\n"
       . "/tags/bees\t301\t$src:6\trule\n"
       . "\t410\t$src:19\trule\n",
    'one line per URL found, in order; blank lines skipped, CRLF taken';
is $err, "/nope.html: not found\n", 'the miss on stderr';

($rc, $out) = run('sh', '-c', "printf '/p/about.html\\n' | '$tool' lookup '$map'");
is $rc, 0, 'all found: exit 0';

($rc, $out) = run('redirect-map', 'lookup', $map, '/p/about.html',
                  '/p/contact.html');
is $out, "/about/\t301\t$src:31\texact\n"
       . "/contact/\t308\t$src:32\texact\n", 'arguments still work';

($rc, undef, $err) = run('sh', '-c', "'$tool' lookup '$dir/none.map' < /dev/null");
is $rc, 3, 'missing map: exit 3';

# a rule whose answer leads back to the request: no answer, as the module
my $loops = "$dir/loops.map";
my $lsrc = root() . '/t/fixtures/loops/redirect-map.yaml';
run('redirect-map', 'build', '-q', '-c', $lsrc, '-o', $loops);
($rc, $out, $err) = run('redirect-map', 'lookup', $loops, '/blog/x',
                        '/blog/x/', '/same/%79', '/tag/x', '/search?q=a&m=1',
                        '/find?q=a', '/label?name=a', '/p?id=3', '/s',
                        '/feeds/posts/default');
is $rc, 1, 'a rule leading back to the request is not found: exit 1';
is $out, "/blog/x/\t301\t$lsrc:7\trule\n"
       . "/find\t301\t$lsrc:20\trule\n"
       . "/label?tag=a\t301\t$lsrc:25\trule\n"
       . "/feeds/posts/default?alt=rss\t301\t$lsrc:47\trule\n",
    'the redirects that do not lead back are found';
my $loop = 'matches but redirects to itself)';
is $err, "/blog/x/: not found (rule $lsrc:7 $loop\n"
       . "/same/%79: not found (rule $lsrc:10 $loop\n"
       . "/tag/x: not found (rule $lsrc:13 $loop\n"
       . "/search?q=a&m=1: not found (rule $lsrc:16 $loop\n"
       . "/p?id=3: not found (rule $lsrc:29 $loop\n"
       . "/s: not found (rule $lsrc:35 $loop\n",
    'each loop is named with its rule';

($rc, undef, $err) = run('redirect-map', 'lookup',
    build_caseless_loops(), '/Old/x');
is $rc, 1, 'caseless: /Old/x to /old/x loops';
like $err, qr{^/Old/x: not found \(rule .*caseless\.yaml:4 matches but redirects to itself\)$},
    'caseless: named';

sub build_caseless_loops {
    my $map = "$dir/loops-caseless.map";
    run('redirect-map', 'build', '-q', '-c',
        root() . '/t/fixtures/loops/caseless.yaml', '-o', $map);
    return $map;
}

done_testing;
