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

done_testing;
