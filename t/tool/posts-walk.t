# How redirect-map build finds and reads posts: many posts read by
# several threads still give their messages in the order of the walk;
# more folders than the walk keeps open at once (page bundles) are all
# read; links, fifos and dangling links; and the nesting limit of a front
# matter, on both sides of it.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(root run write_post build_and_dump);
use File::Temp qw(tempdir);
use POSIX qw(mkfifo);
use Test::More;

my $tmp = tempdir(CLEANUP => 1);
my $n = 0;

sub content { my $d = "$tmp/c" . ++$n; mkdir $d; return $d }

# build(dir, options...) -> (exit, stderr with the time taken blanked,
# dump or undef)
sub build {
    my ($dir, @opt) = @_;
    my ($rc, $err, $dump) = build_and_dump("$dir.map", @opt);
    $err =~ s/ in [\d.]+ s / in X s /;
    return ($rc, $err, $dump);
}

subtest 'many posts: messages in the order of the walk' => sub {
    my $d = content();
    my (@want_err, @want_dump);

    # 60 folders of 12 posts: the walk's order is bytewise by name
    for my $f (0 .. 59) {
        for my $p (0 .. 11) {
            my $i = $f * 12 + $p;
            my $rel = sprintf 'posts/f%02d/p%03d.md', $f, $i;
            if ($i % 97 == 5) {
                write_post($d, $rel, "date: 2020-01-01\nlegacyUrl: [x\n");
                push @want_err, "$d/$rel:4:1: error: did not find expected "
                    . "',' or ']' (while parsing a flow sequence)";
            } elsif ($i % 101 == 7) {
                write_post($d, $rel, "date: 2020-01-01\nlegacyUrl: /a\n"
                           . "legacyUrl: /b\n");
                push @want_err, "$d/$rel:4:1: error: duplicate key "
                    . "'legacyUrl' (first at line 3)";
            } else {
                write_post($d, $rel, "date: 2020-01-01\n"
                           . "legacyUrl: /old/$i.html\n");
                push @want_dump, sprintf "/old/$i.html\t/2020/01/p%03d\t301",
                    $i;
            }
        }
    }

    my ($rc, $err) = build($d, "$d/posts");
    is $rc, 1, 'exit 1';
    my $errors = @want_err;
    is $err, join('', map { "$_\n" } @want_err,
                  "redirect-map: $errors errors, $d.map not written"),
        "$errors messages, in the order of the files";

    # without the errors, every post is in the map
    unlink grep { -e } map { my $f = $_; $f =~ s/:.*//; $f } @want_err;
    my $dump;
    ($rc, $err, $dump) = build($d, "$d/posts");
    is $rc, 0, 'exit 0' or diag $err;
    my $count = @want_dump;
    like $err, qr/^redirect-map: $count files read, $count redirects written, 0 posts skipped in X s/,
        'every post read once';
    is $dump, join('', map { "$_\n" } sort @want_dump), 'every redirect';
};

subtest 'page bundles: more folders than are kept open' => sub {
    my $d = content();
    my @want;
    for my $i (1 .. 700) {
        my $slug = sprintf 'post-%04d', $i;
        write_post($d, "posts/$slug/index.md",
                   "date: 2021-02-03\nlegacyUrl: /old/$slug.html\n");
        push @want, "/old/$slug.html\t/2021/02/$slug\t301";
    }
    my ($rc, $err, $dump) = build($d, "$d/posts");
    is $rc, 0, 'exit 0' or diag $err;
    is $dump, join('', map { "$_\n" } sort @want), '700 posts, each in its folder';
};

subtest 'links, a fifo, a dangling link, hidden files' => sub {
    my $d = content();
    write_post($d, 'posts/a/one.md', "date: 2022-01-01\nlegacyUrl: /one.html\n");
    write_post($d, 'posts/b/two.md', "date: 2022-01-02\nlegacyUrl: /two.html\n");
    write_post($d, 'posts/b/.three.md', "date: 2022-01-03\nlegacyUrl: /three.html\n");
    write_post($d, 'posts/b/four.txt', "date: 2022-01-04\nlegacyUrl: /four.html\n");
    symlink "$d/posts/a", "$d/posts/c-link-to-a" or die $!;
    symlink "$d/posts", "$d/posts/b/loop" or die $!;
    symlink "$d/nowhere.md", "$d/posts/d-dangling.md" or die $!;
    symlink "$d/posts/b/two.md", "$d/posts/e-link.md" or die $!;
    my $fifo = mkfifo("$d/posts/f-fifo.md", 0600);

    my ($rc, $err, $dump) = build($d, "$d/posts");
    is $rc, 1, 'exit 1';
    is $err, "$d/posts/d-dangling.md: error: cannot read: No such file or directory\n"
        . "$d/posts/e-link.md:3:12: error: legacy URL \"/two.html\" is "
        . "already claimed by $d/posts/b/two.md:3\n"
        . "redirect-map: 2 errors, $d.map not written\n",
        'the dangling link is named, a linked post is a post of its own; '
        . 'the folder linked twice is read once'
        . ($fifo ? ', the fifo is left alone' : '');

    unlink "$d/posts/d-dangling.md";
    unlink "$d/posts/e-link.md";
    ($rc, $err, $dump) = build($d, "$d/posts");
    is $rc, 0, 'exit 0' or diag $err;
    like $err, qr/^redirect-map: 2 files read, 2 redirects written/,
        'two posts read, once each';
    is $dump, "/one.html\t/2022/01/one\t301\n/two.html\t/2022/01/two\t301\n",
        'hidden and non-post files are not read';
};

subtest 'data files that are no regular file are not read' => sub {
    my $d = content();
    write_post($d, 'posts/one.md', "date: 2022-01-01\nlegacyUrl: /one.html\n");
    write_post($d, 'notes/two.md', "date: 2022-01-02\nlegacyUrl: /two.html\n");
    mkfifo("$d/posts/posts.11tydata.json", 0600)
        or plan skip_all => "no fifo: $!";
    mkdir "$d/posts/posts.json" or die $!;
    symlink '/dev/zero', "$d/notes/notes.11tydata.js" or die $!;

    # a fifo without a writer would block its open(), and the walk
    my ($rc, undef, $err) = run('timeout', '10', root() . '/build/redirect-map',
                                'build', '--path-field', 'permalink',
                                '-o', "$d.map", $d);
    is $rc, 0, 'exit 0, not stopped by the timeout' or diag $err;
    unlike $err, qr/warning/, 'no warning';
};

subtest 'the content files of other generators are posts too' => sub {
    my $d = content();
    # jekyll-import writes Blogger's posts as .html; blogdown, Quarto,
    # Hugo's AsciiDoc and Eleventy's Nunjucks have front matter too
    my %post = (
        '_posts/2013-06-02-functions.html' => 'functions',
        'blog/index.Rmd'                   => 'blog',
        'notes/q/index.qmd'                => 'q',
        'docs/a.adoc'                      => 'a',
        'docs/b.MKD'                       => 'b',
        'pages/n.njk'                      => 'n',
    );
    my (@want, $i);
    for my $rel (sort keys %post) {
        $i++;
        write_post($d, "posts/$rel", "date: 2013-06-0$i\n"
                   . "legacyUrl: /2013/06/old-$i.html\n");
        push @want, "/2013/06/old-$i.html\t/2013/06/$post{$rel}\t301";
    }
    # built pages and layouts: HTML without front matter is no post
    write_post($d, 'posts/_site/2013/06/functions.html',
               "<!doctype html>\n<title>x</title>\n", raw => 1);
    write_post($d, 'posts/_layouts/default.html', "layout: base\n");

    my ($rc, $err, $dump) = build($d, "$d/posts");
    is $rc, 0, 'exit 0' or diag $err;
    like $err, qr/^redirect-map: 8 files read, 6 redirects written, 1 post skipped/,
        'the layout is a post without a legacy URL, the built page no post';
    is $dump, join('', map { "$_\n" } sort @want), 'each gives its redirect';
};

subtest 'what blogdown renders beside its source is not a second post' => sub {
    my $d = content();
    my $fm = "date: 2020-05-01\nlegacyUrl: /2020/05/r-post.html\n";
    write_post($d, 'post/2020-05-01-r-post.Rmd', $fm);
    write_post($d, 'post/2020-05-01-r-post.html', $fm);
    write_post($d, 'post/2020-05-02-md.Rmarkdown', "date: 2020-05-02\n"
               . "legacyUrl: /2020/05/md.html\n");
    write_post($d, 'post/2020-05-02-md.markdown', "date: 2020-05-02\n"
               . "legacyUrl: /2020/05/md.html\n");
    # an .html without its source is a post of its own
    write_post($d, 'post/2020-05-03-alone.html', "date: 2020-05-03\n"
               . "legacyUrl: /2020/05/alone.html\n");
    my ($rc, $err, $dump) = build($d, "$d/post");
    is $rc, 0, 'exit 0: no legacy URL claimed twice' or diag $err;
    unlike $err, qr{warning}, 'no page shared either';
    like $err, qr/^redirect-map: 3 files read, 3 redirects written/,
        'the rendered copies are not read';
    is $dump, "/2020/05/alone.html\t/2020/05/2020-05-03-alone\t301\n"
        . "/2020/05/md.html\t/2020/05/2020-05-02-md\t301\n"
        . "/2020/05/r-post.html\t/2020/05/2020-05-01-r-post\t301\n",
        'one redirect each';
};

subtest 'links to nothing: ignored when named like a file that is no post' => sub {
    my $d = content();
    write_post($d, 'posts/a.md', "date: 2023-01-01\nlegacyUrl: /a.html\n");
    write_post($d, 'elsewhere/b/b.md', "date: 2023-01-02\nlegacyUrl: /b.html\n");
    symlink '/nonexistent', "$d/posts/broken-image.png" or die $!;
    symlink 'loop.txt', "$d/posts/loop.txt" or die $!;
    symlink 'nowhere.png', "$d/posts/chain.png" or die $!;
    symlink "$d/elsewhere/b", "$d/posts/linked-folder" or die $!;

    my ($rc, $err, $dump) = build($d, "$d/posts");
    is $rc, 0, 'exit 0' or diag $err;
    like $err, qr/^redirect-map: 2 files read, 2 redirects written/,
        'links to nothing and a loop of links are ignored';
    is $dump, "/a.html\t/2023/01/a\t301\n/b.html\t/2023/01/b\t301\n",
        'a link to a folder is still followed';

    symlink '/nonexistent', "$d/posts/c.md" or die $!;
    symlink 'loop.markdown', "$d/posts/loop.markdown" or die $!;
    # a content folder that is gone (a mount missing): its posts would be
    symlink "$d/nowhere", "$d/posts/gone-folder" or die $!;
    ($rc, $err) = build($d, "$d/posts");
    is $rc, 1, 'a post or a folder that is a link to nothing: exit 1';
    is $err, "$d/posts/c.md: error: cannot read: No such file or directory\n"
        . "$d/posts/gone-folder: error: cannot read: No such file or "
        . "directory\n"
        . "$d/posts/loop.markdown: error: cannot read: Too many levels of "
        . "symbolic links\n"
        . "redirect-map: 3 errors, $d.map not written\n",
        '... naming the link';
};

subtest 'a link into a folder that cannot be entered is an error' => sub {
    plan skip_all => 'running as root without setpriv'
        if $> == 0 && system('setpriv --reuid=65534 true 2>/dev/null') != 0;
    my $d = content();
    write_post($d, 'posts/a.md', "date: 2023-01-01\nlegacyUrl: /a.html\n");
    write_post($d, 'closed/x.png', "not a post\n");
    symlink "$d/closed/x.png", "$d/posts/x.png" or die $!;
    chmod 0755, $tmp, $d;
    chmod 0000, "$d/closed";
    my @as_user = $> == 0 ? ('setpriv', '--reuid=65534', '--regid=65534',
                             '--clear-groups') : ();
    my ($rc, undef, $err) = run(@as_user, Fixture::root()
                                . '/build/redirect-map', 'build', '-q', '-o',
                                "$d/out.map", "$d/posts");
    chmod 0755, "$d/closed";
    is $rc, 1, 'exit 1';
    is $err, "$d/posts/x.png: error: cannot read: Permission denied\n"
        . "redirect-map: 1 error, $d/out.map not written\n",
        'not a post by its name, but not known to lead nowhere';
};

subtest 'nesting: 256 levels are read, 257 refused' => sub {
    my $d = content();
    # the front matter's mapping is the first level
    write_post($d, 'posts/ok.md', "date: 2023-01-01\nlegacyUrl: /ok.html\n"
               . 'x: ' . ('[' x 255) . (']' x 255) . "\n");
    write_post($d, 'posts/colons.md', "date: 2023-01-02\nlegacyUrl: /colons.html\n"
               . 'title: "' . (':-[{?' x 100) . "\"\n");
    my ($rc, $err, $dump) = build($d, "$d/posts");
    is $rc, 0, 'exit 0' or diag $err;
    is $dump, "/colons.html\t/2023/01/colons\t301\n/ok.html\t/2023/01/ok\t301\n",
        '256 levels, and many indicators in a quoted scalar';

    write_post($d, 'posts/flow.md', "date: 2023-01-03\nlegacyUrl: /flow.html\n"
               . 'x: ' . ('[' x 256) . (']' x 256) . "\n");
    write_post($d, 'posts/block.md', "date: 2023-01-04\nlegacyUrl: /block.html\n"
               . "x:\n" . join('', map { ' ' x (2 * $_) . "-\n" } 1 .. 256)
               . (' ' x 514) . "y\n");
    ($rc, $err) = build($d, "$d/posts");
    is $rc, 1, 'exit 1';
    is $err, "$d/posts/block.md:260:513: error: YAML nested deeper than 256 levels\n"
        . "$d/posts/flow.md:4:259: error: YAML nested deeper than 256 levels\n"
        . "redirect-map: 2 errors, $d.map not written\n",
        '257 levels, flow or block, are refused where they start';
};

subtest 'a low descriptor limit: folders are opened by path past it' => sub {
    my $d = content();
    for my $f (0 .. 299) {
        write_post($d, sprintf('d%03d/p%03d.md', $f, $f),
                   sprintf("date: 2021-02-03\nlegacyUrl: /old/%03d.html\n", $f));
    }
    my $tool = Fixture::root() . '/build/redirect-map';
    my ($rc, undef, $err) = run('sh', '-c', 'ulimit -n 40 && exec "$0" "$@"',
                                $tool, 'build', '-q', '-o', "$d.map", $d);
    is $rc, 0, 'built under ulimit -n 40' or diag $err;
    is $err, '', 'no error';
    my ($rc2, $out) = run('redirect-map', 'info', "$d.map");
    like $out, qr/^entries: 300$/m, 'all 300 posts';
};

done_testing;
