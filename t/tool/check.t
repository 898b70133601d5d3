# redirect-map check: build's validation without a map, targets checked
# against a built site (--site), the JSON report, and the progress line.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run write_post root);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use JSON::PP qw(decode_json);
use Test::More;

my $tmp = tempdir(CLEANUP => 1);
my $blogger = root() . '/t/fixtures/blogger';

sub touch {
    my ($path) = @_;
    make_path($1) if $path =~ m{(.*)/};
    open my $fh, '>', $path or die "$path: $!";
    close $fh;
}

subtest 'valid content: exit 0, no map written' => sub {
    my $d = "$tmp/ok";
    write_post($d, 'posts/a.md', "publishDate: 2020-01-02\nlegacyUrl: /a.html\n");
    my ($rc, $out, $err) = run('redirect-map', 'check', $d);
    is $rc, 0, 'exit 0' or diag $err;
    is $out, '', 'nothing on stdout';
    like $err, qr/^redirect-map: 1 file read, 1 redirect checked, 0 posts skipped in [\d.]+ s: no errors$/m,
        'summary';
    opendir my $dh, $tmp or die;
    is_deeply [grep { /\.map$/ } readdir $dh], [], 'no map anywhere';
    ($rc, $out, $err) = run('redirect-map', 'check', '-q', $d);
    is $err, '', '-q: silent';
};

subtest 'the errors build reports' => sub {
    my $d = "$tmp/bad";
    write_post($d, 'a.md', "publishDate: 2020-01-02\nlegacyUrl: /same.html\n");
    write_post($d, 'b.md', "publishDate: 2020-01-02\nlegacyUrl: /same.html\n");
    write_post($d, 'c.md', "publishDate: 2020-01-02\nlegacyUrl: [unclosed\n");
    my ($rc, $out, $err) = run('redirect-map', 'check', $d);
    is $rc, 1, 'exit 1';
    like $err, qr{c\.md:\d+:\d+: error: }, 'YAML error with line and column';
    like $err, qr{b\.md:3:12: error: .*same\.html}, 'duplicate';
    like $err, qr/^redirect-map: 2 errors$/m, 'count';
};

subtest 'options: as build, but no -o' => sub {
    my ($rc, undef, $err) = run('redirect-map', 'check', '-o', "$tmp/x.map",
                                "$tmp/ok");
    is $rc, 2, '-o: exit 2';
    like $err, qr/-o\/--output is not one of check's/, 'says so';
    ($rc, undef, $err) = run('redirect-map', 'check');
    is $rc, 2, 'no content and no config: exit 2';
    ($rc, undef, $err) = run('redirect-map', 'check', '--site',
                             "$tmp/nowhere", "$tmp/ok");
    is $rc, 2, '--site that is not a folder: exit 2';
    ($rc, undef, $err) = run('redirect-map', 'check', '--config',
                             "$blogger/redirect-map.yaml", '-q');
    is $rc, 0, '--config like build' or diag $err;
};

# a built site that lacks some targets
my $site = "$tmp/site";
touch("$site/$_") for qw(about/index.html rss.xml notes/summer-list.html
                         notes/old-garden/index.html 2023/03/pep-notes.html
                         contact/index.html);
touch("$site/2024/04/release-notes");      # a file named as the target
touch("$site/notes/winter-list/index.html");

subtest '--site: redirects to nowhere, at their source' => sub {
    my ($rc, $out, $err) = run('redirect-map', 'check', '--config',
                               "$blogger/redirect-map.yaml", '--site', $site);
    is $rc, 1, 'exit 1';
    my @errors = $err =~ /^(.*error: .*)$/mg;
    is scalar(@errors), 3, 'three missing targets' or diag $err;
    like $err, qr{redirects\.json:3:3: error: target "/notes/autumn-list/" of "/2018/06/autumn-list\.html" does not exist in \Q$site\E$}m,
        'JSON list entry';
    like $err, qr{moved\.tsv:3: error: target "/notes/spring-list/" of "/2019/02/spring-list\.html" does not exist in}m,
        'TSV list entry';
    like $err, qr{redirect-map\.yaml:14:11: error: target "/atom\.xml" of rule '\^/feeds/posts/default' does not exist in}m,
        'literal rule target';
    unlike $err, qr{tags|/blog/|release-notes|pep-notes|/about/|/contact/|old-garden|winter-list},
        'targets found as FILE, FILE/index.html, FILE.html; $N rules skipped';
    like $err, qr/^redirect-map: 3 errors$/m, 'count';
};

subtest '--site: a legacy URL that is a page of the site is a warning' => sub {
    my $d = "$tmp/hide";
    write_post($d, 'content/x.md', "date: 2023-03-01\nlegacyUrl: /2023/03/x.html\n");
    touch("$d/dist/$_") for 'about/index.html', '2023/03/x/index.html',
                            '_astro/a.css', "caf\xc3\xa9.html";
    open my $fh, '>', "$d/redirect-map.yaml" or die;
    print {$fh} "content: content\nredirects:\n  /about/: /2023/03/x\n"
        . "  /_astro/a.css: /2023/03/x\n  /gone.html: /2023/03/x\n"
        . "  /caf%C3%A9.html: /2023/03/x\n  /2023/03/: /2023/03/x\n";
    close $fh;
    chdir $d or die;
    my ($rc, $out, $err) = run('redirect-map', 'check', '--site', 'dist',
                               '--json');
    chdir '/' or die;
    is $rc, 0, 'exit 0: warnings only' or diag $err;
    my @warnings = $err =~ /^(.*warning: .*)$/mg;
    is scalar @warnings, 3, 'three pages hidden' or diag $err;
    like $err, qr{^redirect-map\.yaml:3:3: warning: legacy URL "/about/" is a page of the site \(dist/about/index\.html\): the redirect hides it$}m,
        'a folder\'s index.html';
    like $err, qr{^redirect-map\.yaml:4:3: warning: legacy URL "/_astro/a\.css" is a page of the site \(dist/_astro/a\.css\)}m,
        'a file';
    like $err, qr{^redirect-map\.yaml:6:3: warning: legacy URL "/caf\xc3\xa9\.html" is a page}m,
        'percent-decoded';
    is decode_json($out)->{legacy_urls_hiding_pages}, 3, 'counted in the JSON';
};

subtest '--site: a legacy URL left out as its post\'s own path must be a page' => sub {
    my $d = "$tmp/kept";
    write_post($d, 'content/kept.md', "date: 2010-01-01\n"
               . "legacyUrl: http://x.blogspot.com/2010/01/kept.html\n");
    write_post($d, 'content/lost.md', "date: 2010-01-02\n"
               . "legacyUrl: /2010/01/lost.html\n");
    touch("$d/dist/2010/01/kept.html");
    my ($rc, $out, $err) = run('redirect-map', 'check', '-t',
                               '/{year}/{month}/{slug}.html', '--site',
                               "$d/dist", '--json', "$d/content");
    is $rc, 1, 'exit 1';
    like $err, qr{lost\.md:3:12: error: legacy URL "/2010/01/lost\.html" was left out as its post's own new path, but it does not exist in \S+/dist$}m,
        'the one the site lacks, at its place';
    unlike $err, qr{error: .*kept\.html}, 'the one it has is fine';
    is decode_json($out)->{targets_missing}, 1, 'counted in the JSON';
};

subtest '--site: query strings, fragments, percent-encoding, absolute URLs' => sub {
    my $d = "$tmp/enc";
    mkdir $d;
    open my $fh, '>', "$d/redirect-map.yaml" or die;
    print {$fh} <<'YAML';
redirects:
  /a.html: /caf%C3%A9/?x=1#top
  /b.html: /sp%20ace.html
  /c.html: https://elsewhere.example/nothing
  /d.html: /
  /e.html: /missing#frag
YAML
    close $fh;
    my $s = "$tmp/site2";
    touch("$s/café/index.html");
    touch("$s/sp ace.html");
    touch("$s/index.html");
    my ($rc, $out, $err) = run('redirect-map', 'check', '-c',
                               "$d/redirect-map.yaml", '--site', $s, '--json');
    is $rc, 1, 'exit 1';
    my $j = eval { decode_json($out) };
    ok $j, 'stdout is one JSON document' or diag $out;
    is scalar(@{ $j->{errors} }), 1, 'one error' or diag $out;
    like $j->{errors}[0]{message}, qr{target "/missing#frag" of "/e\.html"},
        'the missing one';
    is $j->{targets_checked}, 4, 'four checked';
    is $j->{targets_skipped}, 1, 'the absolute URL skipped';
};

subtest '--json' => sub {
    my ($rc, $out, $err) = run('redirect-map', 'check', '--config',
                               "$blogger/redirect-map.yaml", '--site', $site,
                               '--json');
    is $rc, 1, 'exit 1';
    my $j = eval { decode_json($out) };
    ok $j, 'valid JSON' or return diag $out;
    ok !$j->{ok}, 'ok: false';
    is $j->{exit}, 1, 'exit: 1';
    is scalar(@{ $j->{errors} }), 3, 'three errors';
    is_deeply [sort keys %{ $j->{errors}[0] }],
        [qw(column file line message)], 'error fields';
    my ($json_err) = grep { $_->{file} =~ /redirects\.json$/ } @{ $j->{errors} };
    is $json_err->{line}, 3, 'line';
    is $json_err->{column}, 3, 'column';
    my ($tsv_err) = grep { $_->{file} =~ /moved\.tsv$/ } @{ $j->{errors} };
    is $tsv_err->{column}, undef, 'no column: null';
    is $j->{redirects}, 11, 'redirects';
    is $j->{rules}, 10, 'rules';
    is $j->{files}, 2, 'files';
    is_deeply $j->{warnings}, [], 'no warnings';
    like $err, qr/error: target/, 'messages on stderr too';

    ($rc, $out) = run('redirect-map', 'check', '--config',
                      "$blogger/redirect-map.yaml", '--json');
    $j = decode_json($out);
    is $rc, 0, 'without --site: exit 0';
    ok $j->{ok}, 'ok: true';
    is $j->{site}, undef, 'site: null';
};

subtest 'progress line on a terminal' => sub {
    plan skip_all => 'no script(1)' unless system('script -V >/dev/null 2>&1') == 0;
    my $d = "$tmp/many";
    write_post($d, 'post.md', 'title: ' . ('abcdefgh ' x 4000) . "\n");
    mkdir "$d/all";
    link "$d/post.md", "$d/all/p$_.md" or die for 1 .. 7000;
    # show the line at once, however fast this machine reads the posts
    my $cmd = "REDIRECT_MAP_PROGRESS_DELAY=0 " . root()
              . "/build/redirect-map check --allow-empty $d/all";
    my $tty = `script -qec '$cmd' /dev/null`;
    like $tty, qr/\rredirect-map: read \d+ files \(\d+ files\/s\)\.\.\./,
        'a progress line on a TTY';
    like $tty, qr/\r +\rredirect-map: 7000 files read/, 'cleared before the summary';
    my ($rc, undef, $err) = run('redirect-map', 'check', '--allow-empty',
                                "$d/all");
    unlike $err, qr/\r|files\/s/, 'nothing when stderr is not a TTY';
    $tty = `script -qec '$cmd -q' /dev/null`;
    is $tty, '', 'nothing with -q';
};

done_testing;
