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

# without sources, a refused rule is named by its number in the map, as
# the module's log does, and a hit leaves SOURCE:LINE empty
my $bare = "$dir/blogger-bare.map";
run('redirect-map', 'build', '-q', '--no-sources', '-c', $src, '-o', $bare);
($rc, $out, $err) = run('redirect-map', 'lookup', $bare, '/moved/x',
                        '/p/about.html', '/search/label/bees');
is $rc, 1, 'no sources: the unsafe target is a miss';
is $out, "/about/\t301\t\texact\n/tags/bees\t301\t\trule\n",
    'no sources: hits with an empty SOURCE:LINE';
is $err, "/moved/x: not found (rule 8 matches but gives an unsafe target)\n",
    'no sources: the refused rule by its number, not ":0"';
($rc, undef, $err) = run('redirect-map', 'lookup', $map, '/moved/x');
is $err, "/moved/x: not found (rule $src:23 matches but gives an unsafe "
       . "target)\n", 'with sources: the refused rule by its file and line';

# a URL with no path is "/", whether a query or a fragment follows
open $fh, '>', "$dir/home.yaml" or die;
print {$fh} "rules:\n"
          . "  - from: '^/\\?p=(\\d+)\$'\n    to: '/post/\$1'\n"
          . "    match_query: true\n"
          . "  - from: '^/\$'\n    to: '/home/'\n";
close $fh;
my $home = "$dir/home.map";
run('redirect-map', 'build', '-q', '-c', "$dir/home.yaml", '-o', $home);
($rc, $out, $err) = run('redirect-map', 'lookup', $home, 'https://h.example',
                        'https://h.example?p=7', 'https://h.example#top',
                        'HTTP://h.example?m=1', 'https:///', 'https:///x');
is $out, "/home/\t301\t$dir/home.yaml:5\trule\n"
       . "/post/7\t301\t$dir/home.yaml:2\trule\n"
       . "/home/\t301\t$dir/home.yaml:5\trule\n"
       . "/home/\t301\t$dir/home.yaml:5\trule\n",
    'https://host, https://host?q and https://host#f are "/"';
is $err, "https:///: not found\nhttps:///x: not found\n",
    'an empty host is not a URL';

# stdin: trailing spaces and tabs go, a line of blanks is skipped, a
# line ends at a NUL
($rc, $out, $err) = run('sh', '-c', "printf '/p/about.html \\t\\n \\t\\n"
    . "/p/contact.html\\000junk\\n  /p/about.html\\n' | '$tool' lookup '$map'");
is $out, "/about/\t301\t$src:31\texact\n/contact/\t308\t$src:32\texact\n",
    'stdin: trailing blanks dropped, blank lines skipped, cut at a NUL';
is $err, "  /p/about.html: not found\n", 'stdin: leading blanks are kept';

sub build_caseless_loops {
    my $map = "$dir/loops-caseless.map";
    run('redirect-map', 'build', '-q', '-c',
        root() . '/t/fixtures/loops/caseless.yaml', '-o', $map);
    return $map;
}

done_testing;
