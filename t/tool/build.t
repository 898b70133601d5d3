# redirect-map build, lookup and dump: what they accept, what they refuse,
# how they report it, and that a failed build leaves the old map alone.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run write_post slurp build_and_dump);
use File::Temp qw(tempdir);
use Test::More;

my $tmp = tempdir(CLEANUP => 1);
my $n = 0;

# A fresh content folder for each case.
sub content { my $d = "$tmp/c" . ++$n; mkdir $d; return $d }

# build(dir, options...) -> (exit, stderr, dump or undef)
sub build {
    my ($dir, @opt) = @_;
    return build_and_dump("$dir.map", @opt, $dir);
}

# builds_to(dir, [options], [dump lines], name): exit 0 and that dump;
# returns stderr
sub builds_to {
    my ($dir, $opt, $want, $name) = @_;
    my ($rc, $err, $dump) = build($dir, @$opt);
    is $rc, 0, "$name: exit 0" or diag $err;
    is $dump, join('', map { "$_\n" } @$want), $name;
    return $err;
}

subtest 'date forms and the default template' => sub {
    my $d = content();
    write_post($d, 'posts/quoted/index.md',
               "publishDate: '2023-03-08'\nlegacyUrl: /2023/03/quoted.html\n");
    write_post($d, 'posts/plain.md',
               "publishDate: 2023-04-01\nlegacyUrl: /2023/04/plain.html\n");
    write_post($d, 'posts/stamp.md', "publishDate: 2023-12-31T23:30:00-01:00\n"
               . "legacyUrl: /2023/12/stamp.html\n");
    write_post($d, 'posts/zulu.markdown', "date: '2022-02-03T10:00:00Z'\n"
               . "legacyUrl: /2022/02/zulu.html\n");
    write_post($d, 'posts/pub.mdoc', "pubDate: 2021-05-06\n"
               . "legacyUrl: /2021/05/pub.html\n");
    # Astro's blog template writes its dates so
    write_post($d, 'posts/astro.md', "pubDate: 'Jul 08 2022'\n"
               . "legacyUrl: /2022/07/astro.html\n");
    my $err = builds_to($d, [], [
        "/2021/05/pub.html\t/2021/05/pub\t301",
        "/2022/02/zulu.html\t/2022/02/zulu\t301",
        "/2022/07/astro.html\t/2022/07/astro\t301",
        "/2023/03/quoted.html\t/2023/03/quoted\t301",
        "/2023/04/plain.html\t/2023/04/plain\t301",
        "/2023/12/stamp.html\t/2023/12/stamp\t301"],
        'targets use the date as written, in its own zone');
    like $err, qr/^redirect-map: 6 files read, 6 redirects written, 0 posts skipped in [\d.]+ s/m,
        'one summary line';
};

subtest '--path-field: a post\'s own path wins over the template' => sub {
    my $d = content();
    write_post($d, '_posts/2022-06-23-fluid.md', "date: 2022-06-23\n"
               . "permalink: /2022/06/using-fluid.html\n"
               . "legacyUrl: /2022/06/old-name.html\n");
    write_post($d, '_posts/2022-07-01-plain.md', "date: 2022-07-01\n"
               . "legacyUrl: /2022/07/x.html\n");
    write_post($d, 'hugo/z.md', "url: posts/zed/\nlegacyUrl: /2022/07/z.html\n");
    write_post($d, 'hugo/e.md', "date: 2022-07-05\nurl: ''\n"
               . "legacyUrl: /2022/07/e.html\n");
    write_post($d, 'hugo/q.md', "url: 'https://new.example/q/?lang=en#top'\n"
               . "legacyUrl: /2022/07/q.html\n");
    builds_to($d, ['--path-field', 'permalink', '-t', '/{slug}/'], [
        "/2022/06/old-name.html\t/2022/06/using-fluid.html\t301",
        "/2022/07/e.html\t/e/\t301",
        "/2022/07/q.html\t/q/\t301",
        "/2022/07/x.html\t/plain/\t301",
        "/2022/07/z.html\t/z/\t301"],
        'the permalink where there is one, the template elsewhere');
    my ($rc, $err) = build($d, '--path-field', 'permalink');
    is $rc, 1, 'a post left to a template with a date needs one';
    like $err, qr{z\.md:1: error: template needs \{year\}}, 'said';
    unlike $err, qr{fluid\.md}, 'a post with its own path does not';

    builds_to($d, ['--path-field', 'url', '-t', '/{slug}/'], [
        "/2022/06/old-name.html\t/fluid/\t301",
        "/2022/07/e.html\t/e/\t301",
        "/2022/07/q.html\thttps://new.example/q/?lang=en#top\t301",
        "/2022/07/x.html\t/plain/\t301",
        "/2022/07/z.html\t/posts/zed/\t301"],
        'Hugo\'s url without its first slash; an empty one is no url');

    write_post($d, 'bad/pattern.md', "permalink: /blog/:title/\n"
               . "legacyUrl: /p.html\n");
    write_post($d, 'bad/liquid.md', "permalink: '/{{ page.fileSlug }}/'\n"
               . "legacyUrl: /l.html\n");
    write_post($d, 'bad/false.md', "permalink: false\nlegacyUrl: /f.html\n");
    write_post($d, 'bad/dots.md', "permalink: /a/../b/\nlegacyUrl: /d.html\n");
    write_post($d, 'bad/list.md', "permalink: [a]\nlegacyUrl: /li.html\n");
    write_post($d, 'bad/tab.md', "permalink: \"/a\\tb/\"\nlegacyUrl: /t.html\n");
    ($rc, $err) = build($d, '--path-field', 'permalink', '-t', '/{slug}/');
    is $rc, 1, 'exit 1';
    like $err, qr{pattern\.md:2:12: error: permalink "/blog/:title/" is a pattern of its site generator},
        'a Jekyll pattern is not guessed at';
    like $err, qr{liquid\.md:2:12: error: permalink "/\{\{ page\.fileSlug \}\}/" is a pattern},
        'nor a Liquid one';
    like $err, qr{false\.md:2:12: error: permalink is false: the post has no page},
        'false, as Eleventy writes it';
    like $err, qr{dots\.md:2:12: error: permalink "/a/\.\./b/" has a dot segment},
        'a dot segment';
    like $err, qr{list\.md:2:12: error: permalink is a sequence, not a path},
        'a list';
    like $err, qr{tab\.md:2:12: error: permalink contains a control character \(0x09\)},
        'a control character, named by its field';
    ($rc, $err) = build($d, '--path-field', '');
    is $rc, 2, 'an empty --path-field: usage error';
};

subtest 'Eleventy: a directory data file that sets the path field is named' => sub {
    my $d = content();
    sub put { my ($path, $text) = @_; open my $fh, '>', $path or die;
              print {$fh} $text; close $fh }
    write_post($d, 'notes/2019-04-02-spring.md', "title: Spring\n"
               . "redirect_from: /2019/04/spring.html\n");
    write_post($d, 'notes/deep/winter.md', "title: Winter\n"
               . "redirect_from: /2019/01/winter.html\n");
    put("$d/notes/notes.json", qq({\n  "layout": "note",\n)
        . qq(  "permalink": "/{{ page.date | date: '%Y' }}/{{ page.fileSlug }}/"\n}\n));
    write_post($d, 'essays/calm.md', "title: Calm\n"
               . "redirect_from: /2018/calm.html\n");
    put("$d/essays/essays.11tydata.js", "module.exports = {\n"
        . "  eleventyComputed: {\n    permalink(data) {\n"
        . "      return `/e/\${data.page.fileSlug}/`;\n    },\n  },\n};\n");
    # not the path field: a word in a value, a longer name
    write_post($d, 'misc/x.md', "title: X\nredirect_from: /x.html\n");
    put("$d/misc/misc.11tydata.json",
        qq({"about": "a permalink: here", "permalinkStyle": "short"}\n));

    my $err = builds_to($d, ['-k', 'redirect_from', '-t', '/{path}/',
                             '--path-field', 'permalink'], [
        "/2018/calm.html\t/essays/calm/\t301",
        "/2019/01/winter.html\t/notes/deep/winter/\t301",
        "/2019/04/spring.html\t/notes/2019-04-02-spring/\t301",
        "/x.html\t/misc/x/\t301"], 'the map is the template\'s still');
    like $err, qr{^\Q$d\E/notes/notes\.json:3:3: warning: permalink is set here for the posts in this folder and below, and redirect-map does not read data files: those whose front matter does not set it get the template's path \(-t\), which must give the same$}m,
        'a JSON directory data file, by file:line:column';
    like $err, qr{^\Q$d\E/essays/essays\.11tydata\.js:3:5: warning: permalink is set here}m,
        'a JavaScript one, as a method of eleventyComputed';
    unlike $err, qr{misc}, 'a value or a longer name is not the field';
    is(() = $err =~ /warning/g, 2, 'once a data file');

    # the column counts characters, not bytes ("\x{c3}\x{a9}" is an e acute)
    my ($e, $deja) = ("\x{c3}\x{a9}", "d\x{c3}\x{a9}j\x{c3}\x{a0}");
    write_post($d, "$deja/v.md", "title: V\nredirect_from: /v.html\n");
    put("$d/$deja/$deja.json",
        qq({"r${e}sum$e": "${e}t$e", "permalink": "/v/"}\n));
    $err = (build($d, '-k', 'redirect_from', '-t', '/{path}/',
                  '--path-field', 'permalink'))[1];
    like $err, qr{/$deja\.json:1:19: warning: permalink is set here}m,
        'a column after letters of two bytes';

    ($err) = (build($d, '-k', 'redirect_from', '-t', '/{path}/'))[1];
    like $err, qr{essays\.11tydata\.js:3:5: warning: permalink is set here .* data files: they get the template's path}m,
        'without --path-field, Eleventy\'s own data files name permalink';
    unlike $err, qr{notes\.json}, 'a plain JSON file is not taken for one';

    ($err) = (build($d, '-k', 'redirect_from', '-t', '/{path}/',
                    '--path-field', 'url'))[1];
    unlike $err, qr{warning}, 'nor is another field';
};

subtest '--date-field: the one field a generator takes the date from' => sub {
    my $d = content();
    # Hugo's permalinks take date before publishDate
    write_post($d, 'both.md', "date: 2020-02-01\npublishDate: 2020-01-31\n"
               . "legacyUrl: /old/both.html\n");
    write_post($d, 'pub.md', "publishDate: 2020-03-01\nlegacyUrl: /old/pub.html\n");
    builds_to($d, ['-t', '/{year}/{month}/{slug}'], [
        "/old/both.html\t/2020/01/both\t301",
        "/old/pub.html\t/2020/03/pub\t301"], 'by default publishDate first');
    my ($rc, $err) = build($d, '--date-field', 'date');
    is $rc, 1, 'a post without that field: exit 1';
    like $err, qr{pub\.md:1: error: template needs \{year\} but the post has no date$}m,
        'named';
    unlink "$d/pub.md";
    builds_to($d, ['--date-field', 'date'], ["/old/both.html\t/2020/02/both\t301"],
              'date alone');
    my (undef, $info) = run('redirect-map', 'info', "$d.map");
    like $info, qr{^date_field: date$}m, 'recorded in the map';
    ($rc, $err) = build($d, '--date-field', '');
    is $rc, 2, 'empty: usage error';
    like $err, qr{empty --date-field}, 'said';

    # MkDocs Material's blog: date: {created: ...}
    my $m = content();
    write_post($m, 'posts/mime.md', "date:\n  created: 2024-07-22\n"
               . "  updated: 2024-08-01\nlegacyUrl: /mime/\n");
    write_post($m, 'posts/flat.md', "date: 2024-07-23\nlegacyUrl: /flat/\n");
    write_post($m, 'posts/dotted.md', "date.created: 2024-07-24\n"
               . "date: {created: 2000-01-01}\nlegacyUrl: /dotted/\n");
    ($rc, $err) = build($m, '--date-field', 'date.created');
    is $rc, 1, 'a date that is no mapping has no date.created';
    like $err, qr{flat\.md:1: error: template needs \{year\} but the post has no date\.created},
        'said';
    unlink "$m/posts/flat.md";
    builds_to($m, ['--date-field', 'date.created', '-t', '/blog/{year}/{month}/{day}/{slug}/'], [
        "/dotted/\t/blog/2024/07/24/dotted/\t301",
        "/mime/\t/blog/2024/07/22/mime/\t301"],
        'a path through a mapping; a key with a dot in it first');
};

subtest '{path}: the post\'s place in its content folder' => sub {
    my $d = content();
    # Eleventy's default permalinks, Hexo's :title with its folders
    write_post($d, 'posts/2018-01-01-a.md', "legacyUrl: /a.html\n");
    write_post($d, 'posts/b/index.md', "legacyUrl: /b.html\n");
    write_post($d, 'posts/sub/tmpl/tmpl.md', "legacyUrl: /t.html\n");
    write_post($d, 'posts/sub/u.MD', "legacyUrl: /u.html\n");
    builds_to($d, ['-t', '/{path}/'], [
        "/a.html\t/posts/2018-01-01-a/\t301",
        "/b.html\t/posts/b/\t301",
        "/t.html\t/posts/sub/tmpl/\t301",
        "/u.html\t/posts/sub/u/\t301"],
        'from the content folder given, a folder\'s page as the folder');
    my ($rc, $err, $dump) = build_and_dump("$d.map", '-t', '/blog/{path}/',
                                           "$d/posts/");
    is $rc, 0, 'a content folder written with its slash: exit 0' or diag $err;
    like $dump, qr{^/u\.html\t/blog/sub/u/\t301$}m, 'the same places';
};

subtest '{categories}: Jekyll\'s :categories' => sub {
    my $d = content();
    # Jekyll's default permalink starts with /:categories; a post without
    # any gets no empty segment, as Jekyll squeezes the "//"
    write_post($d, '_posts/2007-03-26-one.md',
               "categories: [Modeling]\nlegacyUrl: /2007/03/one.html\n");
    write_post($d, '_posts/2010-01-20-none.md', "legacyUrl: /2010/01/old.html\n");
    write_post($d, '_posts/2011-02-03-split.md', "categories: Eclipse  OSS\n"
               . "category: Team Notes\nlegacyUrl: /2011/02/split.html\n");
    write_post($d, '_posts/2012-04-05-twice.md', "categories: [Obeo, obeo, ~]\n"
               . "legacyUrl: /2012/04/twice.html\n");
    write_post($d, 'fr/_posts/2013-05-06-accents.md',
               "categories: [Général]\nlegacyUrl: /2013/05/accents.html\n");
    write_post($d, '_posts/2014-07-08-summer.md',
               "category: ÉTÉ Ünd\nlegacyUrl: /2014/07/summer.html\n");
    builds_to($d, ['-t', '/{categories}/{year}/{month}/{slug}.html'], [
        "/2007/03/one.html\t/modeling/2007/03/one.html\t301",
        "/2010/01/old.html\t/2010/01/none.html\t301",
        "/2011/02/split.html\t/eclipse/oss/team%20notes/2011/02/split.html\t301",
        "/2012/04/twice.html\t/obeo/2012/04/twice.html\t301",
        "/2013/05/accents.html\t/fr/g%C3%A9n%C3%A9ral/2013/05/accents.html\t301",
        "/2014/07/summer.html\t/%C3%A9t%C3%A9%20%C3%BCnd/2014/07/summer.html\t301"],
        'folders above _posts, categories split at blanks, category whole, '
        . 'lowercased, each once');

    my $e = content();
    write_post($e, '_posts/2007-03-26-map.md',
               "categories:\n  a: b\nlegacyUrl: /map.html\n");
    write_post($e, '_posts/2007-03-27-nested.md',
               "categories:\n  - [a]\nlegacyUrl: /nested.html\n");
    my ($rc, $err) = build($e, '-t', '/{categories}/{slug}/');
    is $rc, 1, 'categories of the wrong shape: exit 1';
    like $err, qr{^\Q$e\E/_posts/2007-03-26-map\.md:3:3: error: template needs \{categories\} but categories is a mapping, not a list or a scalar$}m,
        'a mapping, at its line';
    like $err, qr{^\Q$e\E/_posts/2007-03-27-nested\.md:3:5: error: template needs \{categories\} but an item of categories is a sequence, not a scalar$}m,
        'a list in the list, at its item';

    # a NUL is a control character as in any other value, not a '/'
    my $z = content();
    write_post($z, '_posts/2007-03-26-item.md',
               "categories: [\"a\\0b\"]\nlegacyUrl: /item.html\n");
    write_post($z, '_posts/2007-03-27-split.md',
               "categories: \"c\\0d e\"\nlegacyUrl: /split.html\n");
    ($rc, $err) = build($z, '-t', '/{categories}/{slug}/');
    is $rc, 1, 'a NUL in a category: exit 1';
    like $err, qr{^\Q$z\E/_posts/2007-03-26-item\.md:2:14: error: the value for \{categories\} contains a control character \(0x00\)$}m,
        'a NUL in an item, at the item';
    like $err, qr{^\Q$z\E/_posts/2007-03-27-split\.md:2:13: error: the value for \{categories\} contains a control character \(0x00\)$}m,
        'a NUL in a string split at blanks';
};

subtest '--date-prefix: the date a file or folder name starts with, anywhere' => sub {
    my $d = content();
    # Eleventy's page.fileSlug, Docusaurus' blog folders, Zola's '_'
    write_post($d, 'posts/2024-01-14-cloudflare-redirects.md',
               "legacyUrl: /2024/01/cf.html\n");
    write_post($d, 'blog/2022-01-01-second-article/index.md',
               "legacyUrl: /2022/01/second.html\n");
    write_post($d, 'zola/2018-10-10_hello-world.md',
               "legacyUrl: /2018/10/hw.html\n");
    write_post($d, 'zola/2019-01-01-dated.md', "date: 2019-02-02\n"
               . "legacyUrl: /2019/02/dated.html\n");
    my ($rc, $err) = build($d);
    is $rc, 1, 'without it: no date';
    like $err, qr{cloudflare-redirects\.md:1: error: template needs \{year\}},
        'said';
    builds_to($d, ['--date-prefix', '-t', '/{year}/{month}/{day}/{slug}/'], [
        "/2018/10/hw.html\t/2018/10/10/hello-world/\t301",
        "/2019/02/dated.html\t/2019/02/02/dated/\t301",
        "/2022/01/second.html\t/2022/01/01/second-article/\t301",
        "/2024/01/cf.html\t/2024/01/14/cloudflare-redirects/\t301"],
        'with it: the date of the name, unless the front matter has one');
    my (undef, $info) = run('redirect-map', 'info', "$d.map");
    like $info, qr{^date_prefix: anywhere$}m, 'recorded in the map';
};

subtest '--slugify: names as Astro makes a post\'s slug and id' => sub {
    my $d = content();
    # Astro 4's post.slug and Astro 5's glob() id: github-slugger's slug()
    # of each name in the path, "/index" dropped; a front matter slug as is
    write_post($d, 'blog/Python 3.12.0 alpha 6 released.md',
               "pubDate: 2023-03-08\n"
               . "legacyUrl: /2023/03/python-3120-alpha-6-released.html\n");
    write_post($d, 'blog/Notes 2021/My First Post/index.md',
               "pubDate: 2021-10-03\nlegacyUrl: /2021/10/first.html\n");
    write_post($d, 'blog/C++ vs. C#: 10 reasons (part_2).mdx',
               "pubDate: 2022-01-02\nlegacyUrl: /2022/01/cpp.html\n");
    write_post($d, "blog/\xc3\x9cber Stra\xc3\x9fe \xe2\x80\x93 Teil 2.md",
               "pubDate: 2022-02-03\nlegacyUrl: /2022/02/teil-2.html\n");
    write_post($d, 'blog/Own Slug.md', "slug: Kept As_Is\n"
               . "pubDate: 2022-03-04\nlegacyUrl: /2022/03/own.html\n");
    my ($rc, $err, $dump) = build($d);
    is $rc, 0, 'without it: exit 0' or diag $err;
    like $dump, qr{^/2023/03/python-3120-alpha-6-released\.html\t/2023/03/Python%203\.12\.0%20alpha%206%20released\t301$}m,
        'without it: the name as it is';
    builds_to($d, ['--slugify'], [
        "/2021/10/first.html\t/2021/10/my-first-post\t301",
        "/2022/01/cpp.html\t/2022/01/c-vs-c-10-reasons-part_2\t301",
        "/2022/02/teil-2.html\t/2022/02/%C3%BCber-stra%C3%9Fe--teil-2\t301",
        "/2022/03/own.html\t/2022/03/Kept%20As_Is\t301",
        "/2023/03/python-3120-alpha-6-released.html\t"
        . "/2023/03/python-3120-alpha-6-released\t301"],
        'with it: lowercased, spaces made -, punctuation dropped');
    builds_to($d, ['--slugify', '-t', '/blog/{path}/'], [
        "/2021/10/first.html\t/blog/blog/notes-2021/my-first-post/\t301",
        "/2022/01/cpp.html\t/blog/blog/c-vs-c-10-reasons-part_2/\t301",
        "/2022/02/teil-2.html\t/blog/blog/%C3%BCber-stra%C3%9Fe--teil-2/\t301",
        "/2022/03/own.html\t/blog/blog/own-slug/\t301",
        "/2023/03/python-3120-alpha-6-released.html\t"
        . "/blog/blog/python-3120-alpha-6-released/\t301"],
        '{path}: each folder and file name');
    my (undef, $info) = run('redirect-map', 'info', "$d.map");
    like $info, qr{^slugify: true$}m, 'recorded in the map';

    open my $fh, '>', "$d.yaml" or die "$d.yaml: $!";
    print $fh "content: $d\noutput: $d.cfg.map\nslugify: true\n";
    close $fh;
    ($rc, undef, $err) = run('redirect-map', 'build', '-q', '-c', "$d.yaml");
    is $rc, 0, 'slugify: true in redirect-map.yaml: exit 0' or diag $err;
    my (undef, $cfg_dump) = run('redirect-map', 'dump', "$d.cfg.map");
    like $cfg_dump, qr{^/2021/10/first\.html\t/2021/10/my-first-post\t301$}m,
        'slugify: true does what --slugify does';

    # marks stay, those C.UTF-8 counts as letters and the others: a
    # Devanagari virama, a Thai tone mark, a kana's decomposed voicing
    # mark; and a connector like '_' (a full-width low line)
    my $m = content();
    write_post($m, "\xe0\xa4\xb9\xe0\xa4\xbf\xe0\xa4\xa8\xe0\xa5\x8d"
               . "\xe0\xa4\xa6\xe0\xa5\x80.md",
               "pubDate: 2022-04-05\nlegacyUrl: /hindi.html\n");
    write_post($m, "\xe0\xb9\x84\xe0\xb8\xa1\xe0\xb9\x88.md",
               "pubDate: 2022-04-05\nlegacyUrl: /thai.html\n");
    write_post($m, "\xe3\x81\x8b\xe3\x82\x99 a\xef\xbc\xbfb.md",
               "pubDate: 2022-04-05\nlegacyUrl: /kana.html\n");
    builds_to($m, ['--slugify', '-t', '/{slug}'], [
        "/hindi.html\t/%E0%A4%B9%E0%A4%BF%E0%A4%A8%E0%A5%8D%E0%A4%A6%E0%A5%80"
        . "\t301",
        "/kana.html\t/%E3%81%8B%E3%82%99-a%EF%BC%BFb\t301",
        "/thai.html\t/%E0%B9%84%E0%B8%A1%E0%B9%88\t301"],
        'every mark stays, and a connector');

    # {path} is Astro's id: a last "index" dropped once slugified, and
    # no other page taken for its folder
    my $a = content();
    write_post($a, 'blog/Foo/Index.md', "legacyUrl: /foo.html\n");
    write_post($a, 'blog/hello/hello.md', "legacyUrl: /hello.html\n");
    write_post($a, 'blog/bar/index.en.md', "legacyUrl: /bar.html\n");
    write_post($a, 'blog/baz/index.md', "legacyUrl: /baz.html\n");
    builds_to($a, ['--slugify', '-t', '/{path}/'], [
        "/bar.html\t/blog/bar/indexen/\t301",
        "/baz.html\t/blog/baz/\t301",
        "/foo.html\t/blog/foo/\t301",
        "/hello.html\t/blog/hello/hello/\t301"],
        '{path}: Astro\'s id');

    my $e = content();
    write_post($e, '???.md', "pubDate: 2022-03-04\n"
               . "legacyUrl: /2022/03/q.html\n");
    ($rc, $err) = build($e, '--slugify', '-t', '/blog/{slug}/');
    is $rc, 1, 'a name of punctuation alone: exit 1';
    like $err, qr{\?\?\?\.md.*error: .*empty segment}, 'said';
};

subtest '--timezone: the day where the site is built, as Jekyll takes it' => sub {
    my $d = content();
    # Blogger's export as jekyll-import writes it: the blog's own zone
    write_post($d, '_posts/2017-09-28-resize.md',
               "date: '2017-09-28T22:28:00.000-07:00'\n"
               . "blogger_orig_url: https://x.blogspot.com/2017/09/resize.html\n");
    write_post($d, '_posts/2017-10-01-plain.md', "date: 2017-10-01\n"
               . "blogger_orig_url: https://x.blogspot.com/2017/10/plain.html\n");
    write_post($d, '_posts/2017-10-02-local.md', "date: 2017-10-02 23:50\n"
               . "blogger_orig_url: https://x.blogspot.com/2017/10/local.html\n");
    my @opt = ('-k', 'blogger_orig_url', '-t', '/{year}/{month}/{day}/{slug}/');
    builds_to($d, [@opt], [
        "/2017/09/resize.html\t/2017/09/28/resize/\t301",
        "/2017/10/local.html\t/2017/10/02/local/\t301",
        "/2017/10/plain.html\t/2017/10/01/plain/\t301"],
        'by default the day as written');
    builds_to($d, [@opt, '--timezone', 'UTC'], [
        "/2017/09/resize.html\t/2017/09/29/resize/\t301",
        "/2017/10/local.html\t/2017/10/02/local/\t301",
        "/2017/10/plain.html\t/2017/10/01/plain/\t301"],
        'in UTC, as GitHub Pages builds: a timestamp moves, a date alone '
        . 'or a time without a zone does not');
    builds_to($d, [@opt, '--timezone', 'America/Los_Angeles'], [
        "/2017/09/resize.html\t/2017/09/28/resize/\t301",
        "/2017/10/local.html\t/2017/10/02/local/\t301",
        "/2017/10/plain.html\t/2017/10/01/plain/\t301"],
        'a named zone');
    my ($rc, $err) = build($d, @opt, '--timezone', 'Mars/Olympus');
    is $rc, 2, 'a zone that does not exist: usage error';
    like $err, qr{--timezone 'Mars/Olympus': no such zone in the tz database},
        'says so, rather than UTC without a word';
    my $tzdir = $ENV{TZDIR} || '/usr/share/zoneinfo';
    SKIP: {
        skip 'no leapseconds file in the tz database', 1
            unless -f "$tzdir/leapseconds";
        ($rc, $err) = build($d, @opt, '--timezone', 'leapseconds');
        like $err, qr{--timezone 'leapseconds': no such zone},
            'a file of the tz database that is no zone is none';
    }
    SKIP: {
        skip 'no right/ zones in the tz database', 1
            unless -f "$tzdir/right/UTC";
        ($rc, $err) = build($d, @opt, '--timezone', 'right/UTC');
        like $err, qr{--timezone 'right/UTC': a right/ zone counts leap seconds},
            'a zone that counts leap seconds is refused';
    }
    my (undef, $info) = run('redirect-map', 'info', "$d.map");
    like $info, qr{^timezone: America/Los_Angeles$}m, 'recorded in the map';

    # a timestamp moved out of the years a {year} can show
    write_post($d, '_posts/9999-12-31-last.md',
               "date: '9999-12-31T23:30:00Z'\n"
               . "blogger_orig_url: https://x.blogspot.com/9999/12/last.html\n");
    ($rc, $err) = build($d, @opt, '--timezone', '+01:00');
    is $rc, 1, 'a year after 9999: exit 1';
    like $err, qr{last\.md: error: template needs \{year\} but the post's date, in the zone of --timezone, is in the year 10000},
        'an error, not a five-digit year';
};

subtest 'lists, empty values, absolute URLs, CRLF, non-posts' => sub {
    my $d = content();
    write_post($d, 'a/index.mdx', "publishDate: 2020-01-02\nlegacyUrl:\n"
               . "  - /2020/01/a.html\n  - ''\n"
               . "  - https://old.blogspot.com/2020/01/a_6.html?m=1\n");
    write_post($d, 'empty.md', "publishDate: 2020-01-02\nlegacyUrl: ''\n");
    write_post($d, 'null.md', "publishDate: 2020-01-02\nlegacyUrl:\n");
    write_post($d, 'none.md', "publishDate: 2020-01-02\ntitle: x\n");
    write_post($d, 'crlf.md', "---\r\npublishDate: 2020-03-04\r\n"
               . "legacyUrl: /2020/03/crlf.html\r\n---\r\nbody\r\n", raw => 1);
    write_post($d, 'notes.md', "no front matter\nlegacyUrl: /x.html\n",
               raw => 1);
    write_post($d, 'page.txt', "publishDate: 2020-01-02\nlegacyUrl: /t.html\n");
    my $err = builds_to($d, [], [
        "/2020/01/a.html\t/2020/01/a\t301",
        "/2020/01/a_6.html\t/2020/01/a\t301",
        "/2020/03/crlf.html\t/2020/03/crlf\t301"], 'entries');
    like $err, qr/3 redirects written, 3 posts skipped/, 'skipped posts counted';
};

subtest '--key and --target' => sub {
    my $d = content();
    write_post($d, 'p.md', "oldPath: /x/old.html\ncategory: notes\n"
               . "publishDate: 2020-01-02\n");
    builds_to($d, ['--key', 'oldPath', '--target',
                   '/{category}/{year}/{day}/{slug}/'],
              ["/x/old.html\t/notes/2020/02/p/\t301"], 'custom template');
};

subtest 'unpublished posts answer 410' => sub {
    my $d = content();
    write_post($d, 'd.md', "publishDate: 2020-01-02\ndraft: true\n"
               . "legacyUrl: /d.html\n");
    write_post($d, 'u.md', "publishDate: 2020-01-02\npublished: false\n"
               . "legacyUrl: /u.html\n");
    builds_to($d, [], ["/d.html\t\t410", "/u.html\t\t410"],
              '410 without a target');
};

subtest 'drafts need no date; a draft has no live page' => sub {
    my $d = content();
    write_post($d, 'wip.md', "title: wip\ndraft: yes\n"
               . "legacyUrl: /2023/01/wip.html\n");
    write_post($d, 'gone.md', "published: no\nlegacyUrl: /2023/01/gone.html\n");
    # a draft's would-be path is no page: a redirect may leave it
    write_post($d, 'b.md', "draft: true\npublishDate: 2023-01-02\n"
               . "legacyUrl: /old-b.html\n");
    write_post($d, 'c.md', "publishDate: 2023-01-03\n"
               . "legacyUrl: [/c.html, /2023/01/b]\n");
    builds_to($d, [], [
        "/2023/01/b\t/2023/01/c\t301",
        "/2023/01/gone.html\t\t410",
        "/2023/01/wip.html\t\t410",
        "/c.html\t/2023/01/c\t301",
        "/old-b.html\t\t410"], 'drafts answer 410');

    write_post($d, 'maybe.md', "published: maybe\npublishDate: 2023-01-04\n"
               . "legacyUrl: /maybe.html\n");
    my ($rc, $err) = build($d);
    is $rc, 1, 'a published that is not a boolean: exit 1';
    like $err, qr{maybe\.md:2:12: error: published is "maybe", not true or false},
        'named at its place';
};

subtest 'slugs: the front matter\'s own, Hugo bundles and sections' => sub {
    my $d = content();
    write_post($d, 'posts/own.md', "publishDate: 2019-05-05\nslug: custom-slug\n"
               . "legacyUrl: /2019/05/own.html\n");
    write_post($d, 'posts/trip/index.en.md', "publishDate: 2023-01-01\n"
               . "legacyUrl: /2023/01/trip.html\n");
    write_post($d, 'posts/trip/index.fr.md', "publishDate: 2023-01-01\n"
               . "legacyUrl: /2023/01/voyage.html\n");
    write_post($d, 'travel/_index.md', "publishDate: 2023-02-01\n"
               . "legacyUrl: /2023/02/travel.html\n");
    builds_to($d, ['-t', '/{year}/{slug}/'], [
        "/2019/05/own.html\t/2019/custom-slug/\t301",
        "/2023/01/trip.html\t/2023/trip/\t301",
        "/2023/01/voyage.html\t/2023/trip/\t301",
        "/2023/02/travel.html\t/2023/travel/\t301"],
        'slugs as the site makes them');
};

subtest '-k given twice reads both fields' => sub {
    my $d = content();
    write_post($d, '_posts/2010-01-20-wifi.md', "date: 2010-01-20\n"
               . "blogger_orig_url: http://x.blogspot.com/2010/01/wifi.html\n"
               . "redirect_from: [/2010/01/20/wifi/, /2010/01/wifi.html]\n");
    write_post($d, '_posts/2010-02-01-other.md', "date: 2010-02-01\n"
               . "redirect_from: /other/\n");
    builds_to($d, ['-k', 'blogger_orig_url', '-k', 'redirect_from'], [
        "/2010/01/20/wifi/\t/2010/01/wifi\t301",
        "/2010/01/wifi.html\t/2010/01/wifi\t301",
        "/other/\t/2010/02/other\t301"],
        'a URL in both fields of one post is one redirect');
    my ($rc, $err) = build($d, '-k', 'blogger_orig_url,,redirect_from');
    is $rc, 2, 'an empty field name: usage error';
    like $err, qr{--key 'blogger_orig_url,,redirect_from' has an empty field name},
        'says so';
    ($rc, $err) = build($d, '-k', join(',', 'a' .. 'i'));
    is $rc, 2, 'nine fields: usage error';
    like $err, qr{has more than 8 field names}, 'says so';
};

subtest 'a value that gives the new path an empty or dot segment is refused' => sub {
    my $d = content();
    # a slug that is a whole path, as some importers write it
    write_post($d, 'whole.md', "publishDate: 2016-03-27\n"
               . "slug: /2016/03/calc.html\nlegacyUrl: /2016/03/calc.html\n");
    write_post($d, 'up.md', "publishDate: 2016-03-28\nslug: ../../etc\n"
               . "legacyUrl: /2016/03/up.html\n");
    write_post($d, 'escaped.md', "publishDate: 2016-03-29\n"
               . "slug: 'a/%2e%2E'\nlegacyUrl: /2016/03/esc.html\n");
    write_post($d, 'fine.md', "publishDate: 2016-03-30\nslug: a/b...c\n"
               . "legacyUrl: /2016/03/fine.html\n");
    my ($rc, $err) = build($d);
    is $rc, 1, 'exit 1';
    like $err, qr{whole\.md:3:7: error: the value for \{slug\} gives the new path "/2016/03//2016/03/calc\.html", which has an empty segment \("//"\)},
        'an empty segment, named at the slug';
    like $err, qr{up\.md:3:7: error: the value for \{slug\} gives the new path "/2016/03/\.\./\.\./etc", which has the dot segment "\.\."},
        'a dot segment';
    like $err, qr{escaped\.md:3:7: error: .* which has the dot segment "%2e%2E"},
        'a dot segment spelt with escapes';
    unlike $err, qr{fine\.md}, 'dots inside a segment are fine';
    ok !-e "$d.map", 'no map written';

    unlink "$d/$_" for qw(whole.md up.md escaped.md);
    builds_to($d, [], ["/2016/03/fine.html\t/2016/03/a/b...c\t301"],
              'a slug with a slash inside still builds');
    builds_to($d, ['-t', 'HTTPS://New.example/{slug}'],
              ["/2016/03/fine.html\tHTTPS://New.example/a/b...c\t301"],
              'the "//" of a scheme in capitals is no empty segment');
    builds_to($d, ['-t', 'https://web.archive.org/web/2020/https://x/{slug}'],
              ["/2016/03/fine.html\thttps://web.archive.org/web/2020/https://x/a/b...c\t301"],
              'another site\'s path is its own business');
    ($rc, $err) = build($d, '-t', '/{slug}//?from=//old');
    like $err, qr{target template '/\{slug\}//\?from=//old' has an empty segment},
        'a site path\'s is judged before its query';
    builds_to($d, ['-t', '/{slug}/?from=//old'],
              ["/2016/03/fine.html\t/a/b...c/?from=//old\t301"],
              'its query is not');
};

subtest 'a legacy URL that is the home page or needs its query is refused' => sub {
    my $d = content();
    write_post($d, 'wp.md', "publishDate: 2023-01-01\nlegacyUrl: '/?p=123'\n");
    write_post($d, 'home.md', "publishDate: 2023-01-02\n"
               . "legacyUrl: https://maralind.blogspot.com\n");
    write_post($d, 'page.md', "publishDate: 2023-01-03\n"
               . "legacyUrl: '/index.php?page_id=2'\n");
    write_post($d, 'ok.md', "publishDate: 2023-01-04\nlegacyUrl: "
               . "['/ok.html?m=1', '/ok2.html#c?x=1', '/ok3.html?m=0&m=1', "
               . "'/ok4.html?showComment=1690000000000#c1', "
               . "'/ok5.html?utm_source=feed&utm_medium=rss&fbclid=x&spref=tw']\n");
    write_post($d, 'tracker.md', "publishDate: 2023-01-05\n"
               . "legacyUrl: '/t.html?utm_source=x&id=3'\n");
    my ($rc, $err) = build($d);
    is $rc, 1, 'exit 1';
    like $err, qr{home\.md:3:\d+: error: legacy URL "https://maralind\.blogspot\.com" is the site's home page}, 'a blog\'s root';
    like $err, qr{wp\.md:3:\d+: error: legacy URL "/\?p=123" is the site's home page.*; write a rule with match_query$}m, 'a query on the root, and what to write instead';
    unlike $err, qr{blogspot\.com" is the site's home page.*match_query}, 'no rule offered for the bare root';
    like $err, qr{page\.md:3:\d+: error: legacy URL "/index\.php\?page_id=2" has a query string.*"/index\.php" would redirect whatever its query}, 'a query that tells pages apart';
    like $err, qr{tracker\.md:3:\d+: error: legacy URL "/t\.html\?utm_source=x&id=3" has a query string}, 'one parameter that tells pages apart is enough';
    unlike $err, qr{ok\.md}, 'Blogger\'s m, showComment and spref, trackers and a fragment are fine';
    ok !-e "$d.map", 'no map written';
};

subtest 'nothing to redirect is an error, unless --allow-empty' => sub {
    my $d = content();
    write_post($d, 'a.md', "publishDate: 2023-01-01\nlegacyUrl: /a.html\n");
    write_post($d, 'b.md', "publishDate: 2023-01-02\nlegacyUrl: ''\n");
    my ($rc, $err) = build($d, '-k', 'legacyURL');
    is $rc, 1, 'a misspelt --key: exit 1';
    like $err, qr{^redirect-map: error: nothing to redirect: 2 files read, none with a legacy URL in "legacyURL"; --allow-empty}m,
        'says why';
    ok !-e "$d.map", 'no map written';
    my $dump;
    ($rc, $err, $dump) = build($d, '-k', 'legacyURL', '--allow-empty');
    is $rc, 0, '--allow-empty: exit 0' or diag $err;
    is $dump, '', 'an empty map';
    ($rc, undef, $err) = run('redirect-map', 'build', '-q', '-o',
                             "$d.map", "$d/b.md");
    is $rc, 1, 'only empty values: exit 1';
    like $err, qr{nothing to redirect: 1 file read}, 'one file';
};

subtest 'a legacy URL in TOML, JSON or Pelican front matter is an error, not lost' => sub {
    my $d = content();
    my %files = (
        'toml.md'  => "+++\ndate = 2023-01-01\nlegacyUrl = \"/t.html\"\n+++\n",
        'toml2.md' => "+++\ntitle = 'no legacy URL'\n  \"legacyUrl\" = '/q.html'\n+++\n",
        'json.md'  => "{\n  \"date\": \"2023-01-01\",\n  \"legacyUrl\": \"/j.html\"\n}\nbody\n",
        'json1.md' => "{\"legacyUrl\" : \"/j1.html\"}\n",
        'plain.md' => "+++\ntitle = 'none here'\n+++\n",
        'brace.md' => "{ a first line, and no closing one\nlegacyUrl: x\n",
        'crlf.md'  => "{\"legacyUrl\": \"/c.html\"}\r\n",
        'last.md'  => "{\n\"legacyUrl\": \"/l.html\"}\nbody\n",
        'deep.md'  => "{\"t\":\"x\",\"tags\":{\"a\":1}\n,\"legacyUrl\":\"/d.html\"\n}\n",
        'after.md' => "{\"t\":\"a } b \\\" {\",\"x\":1}\n\"legacyUrl\": \"/body.html\"\n",
        # Pelican's "Key: value" lines (it lowercases the keys), up to a
        # blank line or the end of the file
        'pelican.md'  => "Title: First\nDate: 2019-10-4 12:10\n"
                         . "Legacyurl: https://x.blogspot.com/2019/10/f.html\n\nBody\n",
        'pelican2.md' => "Title: Second\r\nlegacyUrl: /p2.html\r\n",
        'note.md'     => "Note: a file that starts like metadata\n\n"
                         . "legacyUrl: /after-the-blank-line.html\n",
        'notmeta.md'  => "Not metadata: legacyUrl: /x.html\n",
    );
    for my $f (keys %files) {
        open my $fh, '>', "$d/$f" or die;
        print {$fh} $files{$f};
        close $fh;
    }
    write_post($d, 'a.md', "publishDate: 2023-01-01\nlegacyUrl: /a.html\n");
    my ($rc, $err) = build($d);
    is $rc, 1, 'exit 1';
    like $err, qr{toml\.md:3: error: legacyUrl is set in TOML front matter, which redirect-map does not read}, 'TOML';
    like $err, qr{toml2\.md:3: error: legacyUrl is set in TOML}, 'TOML, quoted key';
    like $err, qr{json\.md:3: error: legacyUrl is set in JSON front matter}, 'JSON';
    like $err, qr{json1\.md:1: error: legacyUrl is set in JSON}, 'JSON on one line';
    like $err, qr{crlf\.md:1: error: legacyUrl is set in JSON}, 'JSON on one line, CRLF';
    like $err, qr{last\.md:2: error: legacyUrl is set in JSON}, 'the brace on the last line';
    like $err, qr{deep\.md:2: error: legacyUrl is set in JSON}, 'braces counted';
    like $err, qr{pelican\.md:3: error: legacyUrl is set in Pelican front matter}, 'Pelican';
    like $err, qr{pelican2\.md:2: error: legacyUrl is set in Pelican}, 'Pelican, CRLF, to the end';
    unlike $err, qr{plain\.md|brace\.md|after\.md|note\.md|notmeta\.md},
        'without the field, after the object, or not front matter: ignored';
    ok !-e "$d.map", 'no map written';
    unlink "$d/$_" for qw(toml.md toml2.md json.md json1.md crlf.md last.md deep.md
                          pelican.md pelican2.md);
    builds_to($d, [], ["/a.html\t/2023/01/a\t301"], 'the rest builds');
};

subtest 'fields merged in with YAML merge keys' => sub {
    my $d = content();
    write_post($d, 'g.md', "defaults: &d\n  legacyUrl: /g.html\n<<: *d\n"
               . "publishDate: 2023-01-07\n");
    write_post($d, 'h.md', "b: &b {legacyUrl: /h.html, publishDate: 2023-02-01}\n"
               . "o: &o {legacyUrl: /nope.html}\n<<: [*b, *o]\n");
    write_post($d, 'i.md', "<<: {legacyUrl: /over.html}\nlegacyUrl: /i.html\n"
               . "publishDate: 2023-03-01\n");
    write_post($d, 'j.md', "a: &a {legacyUrl: /j.html}\n"
               . "b: &b {<<: *a, publishDate: 2023-04-01}\n<<: *b\n");
    # merges of merges, 50 x 50 x 50 of them: bounded work, still found
    my $s = '[' . join(', ', ('*s') x 50) . ']';
    my $t = '[' . join(', ', ('*t') x 50) . ']';
    my $u = '[' . join(', ', ('*u') x 50) . ']';
    write_post($d, 'k.md', "s: &s {x: 1}\nt: &t {<<: $s}\nu: &u {<<: $t}\n"
               . "<<: $u\nlegacyUrl: /k.html\npublishDate: 2023-05-01\n");
    builds_to($d, [], [
        "/g.html\t/2023/01/g\t301",
        "/h.html\t/2023/02/h\t301",
        "/i.html\t/2023/03/i\t301",
        "/j.html\t/2023/04/j\t301",
        "/k.html\t/2023/05/k\t301"],
        'merged values, the first and own ones winning, merges of merges');
};

subtest 'Jekyll: _posts/YYYY-MM-DD-title.md' => sub {
    my $d = content();
    write_post($d, '_posts/2023-03-07-title.md', "legacyUrl: /2023/03/title.html\n");
    write_post($d, '_posts/2023/2023-03-31-late.markdown',
               "date: 2023-04-01 10:00:00 +0200\nlegacyUrl: /2023/04/late.html\n");
    write_post($d, 'blog/2023-05-01-astro.md', "date: 2023-05-01\n"
               . "legacyUrl: /2023/05/astro.html\n");
    builds_to($d, [], [
        "/2023/03/title.html\t/2023/03/title\t301",
        "/2023/04/late.html\t/2023/04/late\t301",
        "/2023/05/astro.html\t/2023/05/2023-05-01-astro\t301"],
        'title without the date, the date from the name unless the post '
        . 'has one; outside _posts, names are kept');
};

subtest 'post extensions in any case' => sub {
    my $d = content();
    write_post($d, 'B.MD', "publishDate: 2023-01-02\nlegacyUrl: /b.html\n");
    write_post($d, 'c.Markdown', "publishDate: 2023-01-03\nlegacyUrl: /c.html\n");
    write_post($d, 'd.txt', "publishDate: 2023-01-04\nlegacyUrl: /d.html\n");
    builds_to($d, [], ["/b.html\t/2023/01/B\t301", "/c.html\t/2023/01/c\t301"],
              'B.MD and c.Markdown are posts, d.txt is not');
};

subtest 'Jekyll: one-digit months and days, bad dates, drafts' => sub {
    my $d = content();
    write_post($d, '_posts/2023-3-8-hello.md', "legacyUrl: /2023/03/hello.html\n");
    write_post($d, '_drafts/wip.md', "legacyUrl: /2023/03/wip.html\n");
    builds_to($d, [], ["/2023/03/hello.html\t/2023/03/hello\t301",
                       "/2023/03/wip.html\t\t410"],
              'the date of 2023-3-8; a draft answers 410');
    write_post($d, '_posts/2023-13-45-bad.md', "legacyUrl: /bad.html\n");
    my ($rc, $err) = build($d);
    is $rc, 1, 'a file name with no date: exit 1';
    like $err, qr{_posts/2023-13-45-bad\.md: error: template needs \{year\} but the post has no publishDate, date or pubDate, and the date 2023-13-45 of its file name is no date},
        'says which date';
};

subtest 'posts with one new path: a warning naming both, the rest counted' => sub {
    my $d = content();
    # two legacy URLs of one post are one page: no warning for those
    write_post($d, 'a/x.md', "publishDate: 2023-03-01\n"
               . "legacyUrl: [/x1.html, /x1b.html]\n");
    write_post($d, "$_/x.md", "publishDate: 2023-03-02\nlegacyUrl: /x-$_.html\n")
        for qw(b c);
    write_post($d, sprintf('m%02d/y.md', $_), "publishDate: 2023-03-03\n"
               . "legacyUrl: /y$_.html\n") for 0 .. 11;
    my ($rc, $err) = build($d);
    is $rc, 0, 'exit 0: a warning only' or diag $err;
    my @warnings = $err =~ /^(.*warning: .*)$/mg;
    is scalar @warnings, 11, 'ten named, then a count';
    like $warnings[0], qr{^\Q$d\E/b/x\.md: warning: its new path "/2023/03/x" is also that of \Q$d\E/a/x\.md: the legacy URLs of both lead to one page},
        'the later post, with the first';
    like $warnings[1], qr{^\Q$d\E/c/x\.md: warning: .* that of \Q$d\E/a/x\.md:}, 'the third, with the first';
    like $warnings[2], qr{^\Q$d\E/m01/y\.md: warning: .*"/2023/03/y" .* \Q$d\E/m00/y\.md:}, 'in the order of the walk';
    is $warnings[10], 'redirect-map: warning: 3 more posts have the new path of another',
        'the rest counted';
    ok -e "$d.map", 'the map is written';
};

subtest 'duplicates name both files' => sub {
    my $d = content();
    write_post($d, 'one.md', "publishDate: 2020-01-02\nlegacyUrl: /same.html\n");
    write_post($d, 'two.md', "publishDate: 2020-01-03\n"
               . "legacyUrl: /same%2Ehtml\n");
    my ($rc, $err) = build($d);
    is $rc, 1, 'exit 1';
    like $err, qr{two\.md:3:\d+: error: .*"/same\.html".* claimed by \S*one\.md:3},
        'both files and lines named';
    ok !-e "$d.map", 'no map written';
};

subtest 'loops and URLs that are not paths' => sub {
    my $d = content();
    write_post($d, 'self.md', "publishDate: 2020-01-02\n"
               . "legacyUrl: /2020/01/self\n");
    write_post($d, 'rel.md', "publishDate: 2020-01-02\n"
               . "legacyUrl: 2020/01/rel.html\n");
    write_post($d, 'ftp.md', "publishDate: 2020-01-02\n"
               . "legacyUrl: ftp://host/x.html\n");
    write_post($d, 'space.md', "publishDate: 2020-01-02\n"
               . "legacyUrl: /a b.html\n");
    # its own path, but with a query that tells pages apart: no key can
    # keep it, as for any other post
    write_post($d, 'query.md', "publishDate: 2020-01-02\n"
               . "legacyUrl: /2020/01/query?page=2\n");
    write_post($d, 'my post.md', "publishDate: 2020-01-02\n"
               . "legacyUrl: /2020/01/my post\n");
    my ($rc, $err) = build($d);
    is $rc, 1, 'exit 1';
    like $err, qr{query\.md:3:\d+: error: .*has a query string},
        'a query that tells pages apart, even on the post\'s own path';
    like $err, qr{my post\.md:3:\d+: error: .*spaces},
        'a space, even on the post\'s own path';
    like $err, qr{self\.md:3:12: warning: legacy URL "/2020/01/self" is the post's own new path: no redirect needed},
        'a legacy URL that is its own post\'s path is no loop, and said';
    like $err, qr{rel\.md:3:\d+: error: .*neither a path}, 'relative URL';
    like $err, qr{ftp\.md:3:\d+: error: .*neither a path}, 'other scheme';
    like $err, qr{space\.md:3:\d+: error: .*spaces}, 'space';
    like $err, qr/5 errors, .* not written/, 'all errors in one run';
};

subtest 'legacy URLs that are already their post\'s path need no redirect' => sub {
    my $d = content();
    # a site that kept Blogger's paths for most posts, not for all
    for my $i (1 .. 12) {
        write_post($d, "kept$i.md", "publishDate: 2010-01-$i\n"
                   . "legacyUrl: http://old.example/2010/01/kept$i.html?m=1\n");
    }
    write_post($d, 'moved.md', "publishDate: 2010-02-01\n"
               . "legacyUrl: /2010/02/old-name.html\n");
    my $err = builds_to($d, ['-t', '/{year}/{month}/{slug}.html'],
                        ["/2010/02/old-name.html\t/2010/02/moved.html\t301"],
                        'only the post that moved is redirected');
    my @named = $err =~ /warning: legacy URL "[^"]+" is the post's own new path/g;
    is scalar @named, 10, 'ten are named';
    like $err, qr{kept1\.md:3:12: warning: legacy URL "http://old\.example/2010/01/kept1\.html\?m=1" is the post's own new path: no redirect needed},
        'at the legacy URL';
    like $err, qr{^redirect-map: warning: 2 more legacy URLs are their post's own new path}m,
        'the rest counted';

    # the kept paths are still live pages: another post cannot take one
    write_post($d, 'taker.md', "publishDate: 2010-03-01\n"
               . "legacyUrl: /2010/01/kept3.html\n");
    my ($rc, $err2) = build($d, '-t', '/{year}/{month}/{slug}.html');
    is $rc, 1, 'a redirect from a kept page: exit 1';
    like $err2, qr{taker\.md:3:12: error: legacy URL "/2010/01/kept3\.html" is the new path of a post \(\S*kept3\.md\)},
        'it would hide the page';
    unlink "$d/taker.md";

    # in a caseless map a path that differs in case only would loop
    write_post($d, 'Case.md', "publishDate: 2010-04-01\nslug: case\n"
               . "legacyUrl: /2010/04/Case.html\n");
    ($rc, $err2) = build($d, '-i', '-t', '/{year}/{month}/{slug}.html');
    is $rc, 1, 'caseless, differing in case: exit 1';
    like $err2, qr{Case\.md:4:12: error: legacy URL "/2010/04/Case\.html" differs from its post's new path "/2010/04/case\.html" in case only: in a caseless map \(-i\) it would redirect to itself},
        'still a loop, said with the URL as written';

    # nothing but kept paths: nothing to redirect, and said why
    my $e = content();
    write_post($e, 'k.md', "publishDate: 2010-01-01\nlegacyUrl: /2010/01/k.html\n");
    ($rc, $err2) = build($e, '-t', '/{year}/{month}/{slug}.html');
    is $rc, 1, 'exit 1';
    like $err2, qr{nothing to redirect: 1 file read, none with a legacy URL in "legacyUrl" other than 1 that is the post's own path},
        'the empty result names the kept paths';
};

subtest 'YAML errors and missing template fields' => sub {
    my $d = content();
    write_post($d, 'bad.md', "title: ok\nlegacyUrl: [unclosed\n"
               . "publishDate: 2020-01-02\n");
    write_post($d, 'nodate.md', "legacyUrl: /nodate.html\n");
    write_post($d, 'open.md', "---\ntitle: never closed\n", raw => 1);
    # a list indented with a tab, after a title of two-byte characters
    write_post($d, 'tab.md', "title: Été à Zürich\nlegacyUrl:\n\t- /tab.html\n");
    write_post($d, 'tabok.md', "title: \"a\tb\"\npublishDate: 2020-01-02\n"
               . "legacyUrl: /tabok.html\n");
    # libyaml counts a NEL (a cp1252 "..." read as Latin-1) as a line
    # break, and so its marks' lines; a plain CR too
    write_post($d, 'tabnel.md', "title: \"\xc2\x85\"\nlegacyUrl:\n\t- /nel.html\n");
    write_post($d, 'cr.md', "title: a\rb\nlegacyUrl:\n\t- /cr.html\n");
    # libyaml's own words for a tab that indents a key after a plain value
    write_post($d, 'tabkey.md', "legacyUrl: /tabkey.html\n\tdate: 2020-01-02\n");
    # a tab that ends an empty anchor name indents nothing
    write_post($d, 'anchor.md', "legacyUrl: &\tx /anchor.html\n");
    my ($rc, $err) = build($d);
    is $rc, 1, 'exit 1';
    like $err, qr{bad\.md:\d+:\d+: error: }, 'YAML error with line and column';
    like $err, qr{^\Q$d\E/tab\.md:4:1: error: a tab, which YAML does not take for indentation or as the start of a value: indent with spaces$}m,
        'a tab that indents is named as such';
    like $err, qr{^\Q$d\E/tabnel\.md:\d+:1: error: a tab, which YAML does not take for indentation}m,
        'a tab that indents, after a value with a NEL';
    like $err, qr{^\Q$d\E/cr\.md:\d+:\d+: error: could not find expected ':'}m,
        'a plain CR: libyaml\'s own message, not one of a tab elsewhere';
    unlike $err, qr{tabok\.md}, 'a tab inside a quoted value is fine';
    like $err, qr{^\Q$d\E/tabkey\.md:3:1: error: a tab, which YAML does not take for indentation}m,
        'a tab that indents a key after a plain value';
    like $err, qr{^\Q$d\E/anchor\.md:2:13: error: did not find expected alphabetic or numeric character \(while scanning an anchor\)$}m,
        'a tab after "&": libyaml\'s own message, not the advice on indenting';
    like $err, qr{nodate\.md:\d+: error: template needs \{year\}}, 'missing date';
    like $err, qr{open\.md:1: error: front matter is not closed}, 'unclosed';
};

subtest 'a failed build leaves the previous map untouched' => sub {
    my $d = content();
    write_post($d, 'a.md', "publishDate: 2020-01-02\nlegacyUrl: /a.html\n");
    my ($rc) = build($d);
    is $rc, 0, 'first build';
    my $before = slurp("$d.map");
    write_post($d, 'b.md', "publishDate: 2020-01-02\nlegacyUrl: /a.html\n");
    ($rc) = build($d);
    is $rc, 1, 'second build fails';
    is slurp("$d.map"), $before, 'old map intact';
    opendir(my $dh, $tmp) or die "$tmp: $!";
    is_deeply [grep { /^\./ && !/^\.\.?$/ } readdir $dh], [],
        'no temporary file left';
};

subtest 'an output folder that does not exist' => sub {
    my $d = content();
    write_post($d, 'a.md', "publishDate: 2020-01-02\nlegacyUrl: /a.html\n");
    my ($rc, undef, $err) = run('redirect-map', 'build', $d, '-o',
                                "$tmp/missing/dir/x.map");
    is $rc, 3, 'exit 3';
    like $err, qr{missing/dir/x\.map: .*No such file}, 'says why';
};

subtest 'symlink loops end' => sub {
    my $d = content();
    write_post($d, 'sub/a.md', "publishDate: 2020-01-02\nlegacyUrl: /a.html\n");
    symlink '..', "$d/sub/up" or die $!;
    my ($rc, $err, $dump) = build($d);
    is $rc, 0, 'exit 0' or diag $err;
    is $dump, "/a.html\t/2020/01/a\t301\n", 'one entry';
};

subtest 'lookup and dump' => sub {
    my $d = content();
    write_post($d, 'posts/x/index.md', "publishDate: 2020-01-02\n"
               . "legacyUrl: /2020/01/x.html\n");
    my ($rc) = build($d);
    my $map = "$d.map";
    my ($out, $err);
    ($rc, $out) = run('redirect-map', 'lookup', $map, '/2020/01/x.html');
    is $rc, 0, 'hit: exit 0';
    like $out, qr{^/2020/01/x\t301\t\S*posts/x/index\.md:3\texact$}, 'target, status, source, kind';
    ($rc, $out) = run('redirect-map', 'lookup', $map,
                      'https://old.example/2020//01/x%2Ehtml?m=1');
    is $rc, 0, 'full URL, normalised';
    ($rc, $out, $err) = run('redirect-map', 'lookup', $map, '/nope');
    is $rc, 1, 'miss: exit 1';
    like $err, qr{/nope: not found}, 'miss reported';
    open my $fh, '+<:raw', $map or die;
    seek $fh, 200, 0;
    print {$fh} 'XX';
    close $fh;
    ($rc, $out, $err) = run('redirect-map', 'lookup', $map, '/2020/01/x.html');
    is $rc, 3, 'damaged map: exit 3';
    like $err, qr{\Q$map\E: checksum mismatch}, 'names file and reason';
    ($rc, $out, $err) = run('redirect-map', 'dump', "$tmp/none.map");
    is $rc, 3, 'missing map: exit 3';
    like $err, qr{none\.map: No such file}, 'says why';
};

subtest '--no-sources' => sub {
    my $d = "$tmp/nosrc";
    write_post("$d/posts", 'a.md', "date: 2020-01-02\nlegacyUrl: /2020/01/a.html\n");
    write_post("$d/posts", 'b.md', "date: 2020-01-03\nlegacyUrl: /2020/01/b.html\n");
    my ($rc, $out, $err) = run('redirect-map', 'build', '-q', '-o',
                               "$d/with.map", "$d/posts");
    is $rc, 0, 'with sources: built' or diag $err;
    ($rc, $out, $err) = run('redirect-map', 'build', '-q', '--no-sources',
                            '-o', "$d/without.map", "$d/posts");
    is $rc, 0, '--no-sources: built' or diag $err;
    # provenance of 2 sources and lines up to 3: 1 + 2 bits, 1 byte each
    is -s "$d/with.map", (-s "$d/without.map") + 2 * 1
        + length("$d/posts/a.md") + length("$d/posts/b.md") + 2 * 2 + 4
        + 2 * 4, '1 byte less per entry, and no source names';
    ($rc, $out) = run('redirect-map', 'info', "$d/without.map");
    like $out, qr/^flags: none$/m, 'no SOURCES flag';
    like $out, qr/^source files: 0$/m, 'no source files';
    ($rc, $out) = run('redirect-map', 'lookup', "$d/without.map",
                      '/2020/01/a.html');
    is $out, "/2020/01/a\t301\t\texact\n", 'lookup: the entry, no source';
    ($rc, $out) = run('redirect-map', 'diff', "$d/with.map", "$d/without.map");
    like $out, qr/0 added, 0 removed, 0 changed/, 'the same entries';
    ($rc, $out, $err) = run('redirect-map', 'check', '--no-sources',
                            "$d/posts");
    is $rc, 2, 'check --no-sources: a usage error';
    like $err, qr/--no-sources is not one of check's/, 'says so';
};

subtest 'a target too long once percent-encoded' => sub {
    my $d = content();
    open my $fh, '>:raw', "$d.yaml" or die $!;
    print {$fh} "redirects:\n  /y.html: \"/" . ("\xc3\xa9" x 1500) . "\"\n";
    close $fh;
    my ($rc, undef, $err) = run('redirect-map', 'build', '-c', "$d.yaml",
                                '-o', "$d.map");
    is $rc, 1, 'exit 1';
    like $err, qr/longer than 4096 bytes once its non-ASCII characters are percent-encoded/,
        'says why';
    ok !-e "$d.map", 'no map written';
};

subtest 'usage' => sub {
    my ($rc, $out, $err) = run('redirect-map');
    is $rc, 2, 'no command: exit 2';
    ($rc, $out, $err) = run('redirect-map', 'frobnicate');
    is $rc, 2, 'unknown command: exit 2';
    like $err, qr/unknown command/, 'says so';
    ($rc, $out, $err) = run('redirect-map', 'build', "$tmp");
    is $rc, 2, 'build without -o: exit 2';
    ($rc, $out) = run('redirect-map', 'build', '--help');
    is $rc, 0, 'build --help: exit 0';
    like $out, qr/^Usage: redirect-map build/, 'build help';
    ($rc, $out) = run('redirect-map', '--version');
    like $out, qr/^redirect-map \d+\.\d+\.\d+ \(map format 2\)$/m, 'version';
    ($rc, $out, $err) = run('redirect-map', 'lookup');
    is $rc, 2, 'lookup without MAP: exit 2';
};

done_testing;
