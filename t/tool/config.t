# redirect-map.yaml: finding it, overriding it, its rules, redirects and
# imported lists, statuses, chains, loops, caseless maps and lookup
# through pattern rules.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Cwd qw(getcwd);
use Fixture qw(run write_post slurp);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use Test::More;

my $tmp = tempdir(CLEANUP => 1);
my $home = getcwd();
my $n = 0;

# A fresh site folder with one live post (/2023/03/a) and its legacy URL.
sub site {
    my $d = "$tmp/s" . ++$n;
    make_path("$d/posts");
    write_post($d, 'posts/a.md', "publishDate: 2023-03-08\n"
               . "legacyUrl: /2023/03/a.html\n");
    return $d;
}

sub write_file {
    my ($path, $text) = @_;
    make_path($1) if $path =~ m{(.*)/};
    open my $fh, '>:raw', $path or die "$path: $!";
    print {$fh} $text;
    close $fh;
    return $path;
}

# in_dir($dir, @cmd): run() with $dir as the current folder
sub in_dir {
    my ($dir, @cmd) = @_;
    chdir $dir or die "$dir: $!";
    my @r = run(@cmd);
    chdir $home or die "$home: $!";
    return @r;
}

# build_site($dir, $yaml, @options) -> (exit, stderr, dump or undef);
# the config is $dir/redirect-map.yaml and the map $dir/out.map
sub build_site {
    my ($d, $yaml, @opt) = @_;
    write_file("$d/redirect-map.yaml", "content: posts\noutput: out.map\n"
               . $yaml);
    my ($rc, undef, $err) = in_dir($d, 'redirect-map', 'build', '-q', @opt);
    my $dump;
    (undef, $dump) = run('redirect-map', 'dump', "$d/out.map")
        if -e "$d/out.map";
    return ($rc, $err, $dump);
}

sub lookup {
    my ($map, @urls) = @_;
    my ($rc, $out, $err) = run('redirect-map', 'lookup', $map, @urls);
    return ($rc, $out, $err);
}

subtest 'found in the current folder, or given with --config' => sub {
    my $d = site();
    my ($rc, $err, $dump) = build_site($d, "redirects:\n  /p/about.html: /about/\n");
    is $rc, 0, 'exit 0' or diag $err;
    is $dump, "/2023/03/a.html\t/2023/03/a\t301\n/p/about.html\t/about/\t301\n",
        'posts and redirects';

    # elsewhere, relative paths are relative to the config's folder
    my $e = "$tmp/elsewhere" . ++$n;
    make_path("$e/conf");
    write_post($e, 'content/b.md', "publishDate: 2022-01-02\n"
               . "legacyUrl: /2022/01/b.html\n");
    write_file("$e/conf/moved.tsv", "/m.html\t/m/\n");
    write_file("$e/conf/site.yaml", "content: ../content\n"
               . "output: ../maps/b.map\nimport: [moved.tsv]\n");
    mkdir "$e/maps";
    ($rc, undef, $err) = run('redirect-map', 'build', '-q', '--config',
                             "$e/conf/site.yaml");
    is $rc, 0, '--config: exit 0' or diag $err;
    my (undef, $out) = run('redirect-map', 'dump', "$e/maps/b.map");
    is $out, "/2022/01/b.html\t/2022/01/b\t301\n/m.html\t/m/\t301\n",
        'relative paths from the config folder';

    ($rc, undef, $err) = run('redirect-map', 'build', '--config',
                             "$e/conf/none.yaml");
    is $rc, 1, 'missing --config file: exit 1';
    like $err, qr{none\.yaml: error: cannot open}, 'says so';
};

subtest 'key: several fields, as a list or with commas' => sub {
    my $d = site();
    write_post($d, 'posts/wifi.md', "publishDate: 2010-01-20\n"
               . "blogger_orig_url: https://x.blogspot.com/2010/01/wifi-radio.html\n"
               . "redirect_from:\n  - /2010/01/20/wifi/\n  - /wifi/\n");
    write_file("$d/redirect-map.yaml", "content: posts\noutput: out.map\n"
               . "key: [blogger_orig_url, redirect_from]\n");
    my ($rc, undef, $err) = in_dir($d, 'redirect-map', 'build', '-q');
    is $rc, 0, 'a list: exit 0' or diag $err;
    my (undef, $out) = run('redirect-map', 'dump', "$d/out.map");
    is $out, "/2010/01/20/wifi/\t/2010/01/wifi\t301\n"
        . "/2010/01/wifi-radio.html\t/2010/01/wifi\t301\n"
        . "/wifi/\t/2010/01/wifi\t301\n", 'the URLs of both fields';

    write_file("$d/redirect-map.yaml", "content: posts\noutput: out.map\n"
               . "key: 'blogger_orig_url , redirect_from'\n");
    ($rc, undef, $err) = in_dir($d, 'redirect-map', 'build', '-q');
    is $rc, 0, 'commas: exit 0' or diag $err;
    my (undef, $again) = run('redirect-map', 'dump', "$d/out.map");
    is $again, $out, 'the same map';

    write_file("$d/redirect-map.yaml", "content: posts\noutput: out.map\n"
               . "key: [blogger_orig_url, {a: 1}]\n");
    ($rc, undef, $err) = in_dir($d, 'redirect-map', 'build', '-q');
    is $rc, 1, 'an item that is no name: exit 1';
    like $err, qr{^redirect-map\.yaml:3:25: error: an item of key must be a string, not a mapping}m,
        'named at its place';

    write_file("$d/redirect-map.yaml", "content: posts\noutput: out.map\n"
               . "key: []\n");
    ($rc, undef, $err) = in_dir($d, 'redirect-map', 'build', '-q');
    is $rc, 1, 'an empty list: exit 1';
    like $err, qr{^redirect-map\.yaml:3:6: error: key is an empty list}m,
        'said';

    write_file("$d/redirect-map.yaml", "content: posts\noutput: out.map\n"
               . "key: 'a,,b'\n");
    ($rc, undef, $err) = in_dir($d, 'redirect-map', 'build', '-q');
    is $rc, 1, 'an empty name: exit 1';
    like $err, qr{^redirect-map\.yaml:3:6: error: key 'a,,b' has an empty field name}m,
        'named at its place';
};

subtest 'timezone' => sub {
    my $d = site();
    write_post($d, 'posts/late.md', "date: 2023-12-31T23:30:00-01:00\n"
               . "legacyUrl: /2023/12/late.html\n");
    write_file("$d/redirect-map.yaml", "content: posts\noutput: out.map\n"
               . "timezone: UTC\n");
    my ($rc, undef, $err) = in_dir($d, 'redirect-map', 'build', '-q');
    is $rc, 0, 'exit 0' or diag $err;
    my (undef, $out) = run('redirect-map', 'dump', "$d/out.map");
    is $out, "/2023/03/a.html\t/2023/03/a\t301\n"
        . "/2023/12/late.html\t/2024/01/late\t301\n", 'the day in UTC';

    ($rc, undef, $err) = in_dir($d, 'redirect-map', 'build', '-q',
                                '--timezone', '-01:00');
    is $rc, 0, 'the option wins' or diag $err;
    (undef, $out) = run('redirect-map', 'dump', "$d/out.map");
    is $out, "/2023/03/a.html\t/2023/03/a\t301\n"
        . "/2023/12/late.html\t/2023/12/late\t301\n", 'the day at -01:00';

    write_file("$d/redirect-map.yaml", "content: posts\noutput: out.map\n"
               . "timezone: Europe/Atlantis\n");
    ($rc, undef, $err) = in_dir($d, 'redirect-map', 'build', '-q');
    is $rc, 1, 'a zone that does not exist: exit 1';
    like $err, qr{^redirect-map\.yaml:3:11: error: timezone 'Europe/Atlantis': no such zone}m,
        'named at its place';
};

subtest 'command-line flags override the file' => sub {
    my $d = site();
    write_post($d, 'other/c.md', "publishDate: 2021-05-06\n"
               . "oldUrl: /2021/05/c.html\n");
    write_file("$d/redirect-map.yaml", "content: posts\noutput: out.map\n"
               . "key: legacyUrl\ntarget: /{year}/{month}/{slug}\n");
    my ($rc, undef, $err) = in_dir($d, 'redirect-map', 'build', '-q', '-k',
                                   'oldUrl', '-t', '/p/{slug}', '-o',
                                   'flags.map', 'other');
    is $rc, 0, 'exit 0' or diag $err;
    ok !-e "$d/out.map", '-o replaces output';
    my (undef, $out) = run('redirect-map', 'dump', "$d/flags.map");
    is $out, "/2021/05/c.html\t/p/c\t301\n", 'DIR, -k and -t replace the file';

    my $empty = "$tmp/empty" . ++$n;
    mkdir $empty;
    ($rc, undef, $err) = in_dir($empty, 'redirect-map', 'build');
    is $rc, 2, 'no config, no DIR, no -o: usage error';
    write_file("$empty/redirect-map.yaml", "content: .\n");
    ($rc, undef, $err) = in_dir($empty, 'redirect-map', 'build');
    is $rc, 2, 'config without output and no -o: usage error';
    like $err, qr/no output file/, 'says so';
};

subtest 'unknown keys and bad values name file, line and column' => sub {
    my $d = site();
    my ($rc, $err) = build_site($d, "colour: blue\nrules:\n"
        . "  - from: '^/x\$'\n    to: /y\n    frobnicate: 1\n"
        . "  - to: /z\n"
        . "  - from: '^/q\$'\n    to: /r\n    query: maybe\n    match_query: yes\n"
        . "ignore_case: perhaps\n");
    is $rc, 1, 'exit 1';
    like $err, qr{redirect-map\.yaml:3:1: error: unknown key 'colour'}, 'top-level key';
    like $err, qr{redirect-map\.yaml:7:5: error: unknown rule field 'frobnicate'}, 'rule field';
    like $err, qr{redirect-map\.yaml:8:5: error: a rule needs a pattern}, 'no from';
    like $err, qr{redirect-map\.yaml:11:12: error: query must be keep or drop}, 'query';
    like $err, qr{redirect-map\.yaml:12:18: error: match_query must be true or false}, 'match_query';
    like $err, qr{redirect-map\.yaml:13:14: error: ignore_case must be true or false}, 'ignore_case';
    ok !-e "$d/out.map", 'nothing written';

    ($rc, $err) = build_site($d, "rules: [unclosed\n");
    is $rc, 1, 'YAML error: exit 1';
    like $err, qr{redirect-map\.yaml:\d+:\d+: error: }, 'with line and column';
};

subtest 'a configuration that is not a mapping: exit 1, as check says' => sub {
    my $d = site();
    write_file("$d/redirect-map.yaml", "- content\n- posts\n");
    for my $cmd (qw(build check)) {
        my ($rc, undef, $err) = in_dir($d, 'redirect-map', $cmd);
        is $rc, 1, "$cmd: exit 1";
        like $err, qr{redirect-map\.yaml:1:1: error: the configuration is a sequence, not a mapping}, "$cmd: says why";
        unlike $err, qr{no output file}, "$cmd: no usage error on top";
    }
};

subtest 'statuses of rules and redirects' => sub {
    my $d = site();
    my ($rc, $err, $dump) = build_site($d, "redirects:\n"
        . "  /r302.html: { to: /x/, status: 302 }\n"
        . "  /r303.html: { to: /x/, status: 303 }\n"
        . "  /r307.html: { to: /x/, status: 307 }\n"
        . "  /r308.html: { to: /x/, status: 308 }\n"
        . "  /gone.html: { status: 410 }\n"
        . "rules:\n"
        . "  - from: '^/t/(.*)\$'\n    to: /tags/\$1\n    status: 307\n"
        . "  - from: '^/p/old-about\\.html\$'\n    status: 410\n");
    is $rc, 0, 'exit 0' or diag $err;
    like $dump, qr{^/gone\.html\t\t410$}m, '410 without a target';
    like $dump, qr{^/r30$_\.html\t/x/\t30$_$}m, "status 30$_" for 2, 3, 7, 8;
    my ($out);
    ($rc, $out) = lookup("$d/out.map", '/t/x', '/p/old-about.html');
    is $out, "/tags/x\t307\tredirect-map.yaml:10\trule\n"
           . "\t410\tredirect-map.yaml:13\trule\n", 'rule statuses';

    ($rc, $err) = build_site($d, "redirects:\n"
        . "  /a.html: { to: /x/, status: 200 }\n"
        . "  /b.html: { to: /x/, status: '3o1' }\n"
        . "  /c.html: { to: /x/ , code: 301 }\n"
        . "rules:\n"
        . "  - from: '^/j\$'\n    status: 404\n    to: /k\n"
        . "  - from: '^/l\$'\n    status: 410\n    to: /m\n"
        . "  - from: '^/n\$'\n");
    is $rc, 1, 'exit 1';
    like $err, qr{:4:\d+: error: status 200 is not one of}, 'status 200';
    like $err, qr{:5:\d+: error: status 3o1 is not one of}, 'not a number';
    like $err, qr{:6:\d+: error: unknown redirect field 'code'}, 'unknown field';
    like $err, qr{:9:\d+: error: status 404 is not one of}, 'rule status 404';
    like $err, qr{:11:\d+: error: rule '\^/l\$' has status 410 \(Gone\), which takes no target},
        '410 with a target';
    like $err, qr{:14:\d+: error: rule '\^/n\$' has no target}, 'no target';
};

subtest 'patterns and targets checked at build time' => sub {
    my $d = site();
    my ($rc, $err) = build_site($d, "rules:\n"
        . "  - from: '^/a/(x'\n    to: /b/\n"
        . "  - from: '^/c/(\\d+)\$'\n    to: '/d/\$2'\n"
        . "  - from: '^/e/(.*)\$'\n    to: '//evil/\$1'\n"
        . "  - from: '^/f/(.*)\$'\n    to: 'https://\$1/'\n"
        . "  - from: '^/g\$'\n    to: \"/h\\r\\nSet-Cookie: x=1\"\n"
        . "  - from: '^/i\$'\n    to: '/a b'\n"
        . "  - from: '^/j\$'\n    to: 'ftp://host/x'\n"
        . "  - from: '^/k\$'\n    to: '/price\$'\n"
        . "redirects:\n"
        . "  /l.html: \"/m\\n\"\n"
        . "  /n.html: //evil.example/\n");
    is $rc, 1, 'exit 1';
    like $err, qr{redirect-map\.yaml:4:11: error: rule pattern '\^/a/\(x' does not compile: missing closing parenthesis at offset 6},
        'pattern that does not compile';
    like $err, qr{:6:11: error: target '/d/\$2' of rule .* uses a group the pattern does not have \(the pattern has 1 group\)},
        '$2 with one group';
    like $err, qr{:8:11: error: target '//evil/\$1' .* must be a site path}, '//evil';
    like $err, qr{:10:11: error: target 'https://\$1/' .* cannot choose the host}, 'https://$1/';
    like $err, qr{:12:11: error: target '/h\\x0d\\x0aSet-Cookie: x=1' .* control characters},
        'CR LF, shown escaped';
    like $err, qr{:14:11: error: target '/a b' .* spaces}, 'space';
    like $err, qr{:16:11: error: target 'ftp://host/x' .* must be a site path}, 'other scheme';
    like $err, qr{:18:11: error: target '/price\$' .* group number}, 'lone $';
    like $err, qr{:21:3: error: target "/m\\x0a" of legacy URL "/l\.html" must be}, 'exact target with LF';
    like $err, qr{:22:3: error: target "//evil\.example/" of legacy URL}, 'exact //evil';
    unlike $err, qr/\r/, 'no raw CR in messages';
    like $err, qr/10 errors, out\.map not written/, 'every error in one run';
    ok !-e "$d/out.map", 'nothing written';
};

subtest 'JSON imports' => sub {
    my $d = site();
    write_file("$d/lists/redirects.json", <<'JSON');
{
  "/j1.html": "/j1/",
  "/j2.html": {"to": "/j2/", "status": 307},
  "/j3.html": {"status": 410}
}
JSON
    write_file("$d/lists/array.json",
        qq([{"from": "/k1.html", "to": "/k1/"},\n {"from": "/k2.html", "to": "/k2/", "status": 302}]\n));
    my ($rc, $err, $dump) = build_site($d, "import:\n  - lists/redirects.json\n"
                                      . "  - lists/array.json\n");
    is $rc, 0, 'exit 0' or diag $err;
    is $dump, "/2023/03/a.html\t/2023/03/a\t301\n/j1.html\t/j1/\t301\n"
            . "/j2.html\t/j2/\t307\n/j3.html\t\t410\n/k1.html\t/k1/\t301\n"
            . "/k2.html\t/k2/\t302\n", 'object and array forms';
    my ($out);
    ($rc, $out) = lookup("$d/out.map", '/j2.html', '/k2.html');
    is $out, "/j2/\t307\tlists/redirects.json:3\texact\n"
           . "/k2/\t302\tlists/array.json:2\texact\n", 'file and line of each entry';

    write_file("$d/bad.json", qq({\n  "/a.html": 5,\n  "/b.html": {"to": "/b/", "status": 399},\n)
               . qq(  "/c.html": {"go": "/x"},\n  "/d.html": "/d /e"\n}\n));
    write_file("$d/broken.json", qq({"/a.html": "/b/",\n "/c.html" "/d"}\n));
    ($rc, $err) = build_site($d, "import: [bad.json, broken.json]\n");
    is $rc, 1, 'exit 1';
    like $err, qr{bad\.json:2:3: error: target "5"}, 'not a path';
    like $err, qr{bad\.json:3:\d+: error: status 399 is not one of}, 'bad status';
    like $err, qr{bad\.json:4:\d+: error: unknown field "go"}, 'unknown field';
    like $err, qr{bad\.json:5:3: error: target "/d /e"}, 'space in target';
    like $err, qr{broken\.json:2:\d+: error: }, 'syntax error with its line';
};

subtest 'TSV imports' => sub {
    my $d = site();
    write_file("$d/moved.tsv", "# old\tnew\tstatus\n\n/t1.html\t/t1/\n"
               . "/t2.html\t/t2/\t308\r\n/t3.html\t\t410\n");
    my ($rc, $err, $dump) = build_site($d, "import: moved.tsv\n");
    is $rc, 0, 'exit 0' or diag $err;
    is $dump, "/2023/03/a.html\t/2023/03/a\t301\n/t1.html\t/t1/\t301\n"
            . "/t2.html\t/t2/\t308\n/t3.html\t\t410\n", 'entries, CRLF, comments';
    my ($out);
    ($rc, $out) = lookup("$d/out.map", '/t2.html');
    is $out, "/t2/\t308\tmoved.tsv:4\texact\n", 'source line';

    # as a spreadsheet saves it: a byte order mark first
    write_file("$d/bom.tsv", "\xef\xbb\xbf/p/bom.html\t/about/\n");
    write_file("$d/_redirects", "\xef\xbb\xbf/p/bom2.html /about/ 301\n");
    ($rc, $err, $dump) = build_site($d, "import: [bom.tsv, _redirects]\n");
    is $rc, 0, 'a byte order mark: exit 0' or diag $err;
    like $dump, qr{^/p/bom\.html\t/about/\t301\n/p/bom2\.html\t/about/\t301$}m,
        '... and no part of the first key';

    write_file("$d/bad.tsv", "/a\n/b\t/c\t999\n/c\t/d\t301\textra\n/e /f\n"
               . "\t/g\n/h\t/i j\n");
    ($rc, $err) = build_site($d, "import: [bad.tsv, missing.tsv]\n");
    is $rc, 1, 'exit 1';
    like $err, qr{bad\.tsv:1: error: expected old<TAB>new\[<TAB>status\], found 1 field}, 'one field';
    like $err, qr{bad\.tsv:2: error: status "999"}, 'bad status';
    like $err, qr{bad\.tsv:3: error: .*found 4 fields}, 'four fields';
    like $err, qr{bad\.tsv:4: error: .*found 1 field}, 'spaces are not tabs';
    like $err, qr{bad\.tsv:5: error: empty old URL}, 'empty old URL';
    like $err, qr{bad\.tsv:6: error: target "/i j"}, 'space in target';
    like $err, qr{missing\.tsv: error: cannot open}, 'missing file';
};

subtest 'Netlify _redirects imports' => sub {
    my $d = site();
    write_file("$d/_redirects", "# Netlify\n/n1.html  /n1/\n"
               . "/n2.html\t/n2/  302\n/n3.html /n3/ 301!\n/n4.html 410\n"
               . "/old/*  /new/:splat 301\n"
               . "/u/:user/p/:id   /people/:user/:id\n"
               . "https://blog.example.org/x/* /y/:splat\n");
    my ($rc, $err, $dump) = build_site($d, "import: [_redirects]\n");
    is $rc, 0, 'exit 0' or diag $err;
    is $dump, "/2023/03/a.html\t/2023/03/a\t301\n/n1.html\t/n1/\t301\n"
            . "/n2.html\t/n2/\t302\n/n3.html\t/n3/\t301\n/n4.html\t\t410\n",
        'exact lines, forced status, 410';
    my ($out);
    ($rc, $out, $err) = lookup("$d/out.map", '/old/a/b.html', '/u/bob/p/7',
                               '/x/z', '/old');
    is $out, "/new/a/b.html\t301\t_redirects:6\trule\n"
           . "/people/bob/7\t301\t_redirects:7\trule\n"
           . "/y/z\t301\t_redirects:8\trule\n", 'splat and placeholders become rules';
    like $err, qr{^/old: not found}m, '^/old/(.*)$ needs the slash';

    write_file("$d/bad.redirects", "/store id=:id /blog/:id 301\n/a /b 200\n"
               . "/c /d 404\n/e /f 302 Country=us\n/g/:x /h/:y\n/lonely\n"
               . "/k /l 418\n");
    ($rc, $err) = build_site($d, "import: [bad.redirects]\n");
    is $rc, 1, 'exit 1';
    like $err, qr{bad\.redirects:1: error: query-parameter conditions \("id=:id"\) are not supported}, 'query condition';
    like $err, qr{bad\.redirects:2: error: status 200 is not supported \(a rewrite}, 'status 200';
    like $err, qr{bad\.redirects:3: error: status 404 is not supported}, 'status 404';
    like $err, qr{bad\.redirects:4: error: conditions \("Country=us"\) are not supported}, 'country';
    like $err, qr{bad\.redirects:5: error: .*:y placeholder is not in the old path}, 'unknown placeholder';
    like $err, qr{bad\.redirects:6: error: expected "old new \[status\]"}, 'one field';
    like $err, qr{bad\.redirects:7: error: status 418 is not supported}, 'status 418';

    # Netlify's other place for redirects: TOML tables, not lines
    write_file("$d/netlify.toml", "[build]\n  publish = \"dist/\"\n\n"
               . "[[redirects]]\n  from = \"/n5.html\"\n  to = \"/n5/\"\n"
               . "  status = 301\n");
    ($rc, $err) = build_site($d, "import: [netlify.toml]\n");
    is $rc, 1, 'netlify.toml: exit 1';
    like $err, qr{^netlify\.toml: error: TOML is not an import format: netlify\.toml's \[\[redirects\]\] are not read; write them in a _redirects file}m,
        'netlify.toml: one error that says what to write instead';
    unlike $err, qr{netlify\.toml:\d}, 'not one error a line';
};

subtest 'chains collapse to one hop' => sub {
    my $d = site();
    my ($rc, $err, $dump) = build_site($d, "redirects:\n"
        . "  /c1.html: /c2.html\n"
        . "  /c2.html: { to: /c3.html, status: 302 }\n"
        . "  /c3.html: /2023/03/a.html\n"
        . "  /g1.html: /g2.html\n"
        . "  /g2.html: { status: 410 }\n"
        . "  /r1.html: /label/Python\n"
        . "  /r2.html: /gone/x\n"
        . "rules:\n"
        . "  - from: '^/label/([^/]+)\$'\n    to: /tags/\$1\n"
        . "  - from: '^/gone/'\n    status: 410\n"
        . "  - from: '^/literal\$'\n    to: /c1.html\n");
    is $rc, 0, 'exit 0' or diag $err;
    is $dump, "/2023/03/a.html\t/2023/03/a\t301\n"
            . "/c1.html\t/2023/03/a\t301\n/c2.html\t/2023/03/a\t302\n"
            . "/c3.html\t/2023/03/a\t301\n/g1.html\t\t410\n/g2.html\t\t410\n"
            . "/r1.html\t/tags/Python\t301\n/r2.html\t\t410\n",
        'A->B->C is A->C, first status kept, a later 410 wins';
    my ($out);
    ($rc, $out) = lookup("$d/out.map", '/c1.html', '/literal');
    is $out, "/2023/03/a\t301\tredirect-map.yaml:4\texact\n"
           . "/2023/03/a\t301\tredirect-map.yaml:16\trule\n",
        'lookup: one hop, for entries and literal rule targets';
};

subtest 'loops are errors naming every place' => sub {
    my $d = site();
    my ($rc, $err) = build_site($d, "redirects:\n"
        . "  /la.html: /lb.html\n"
        . "  /lb.html: /la.html\n"
        . "  /x.html: /via/rule\n"
        . "rules:\n"
        . "  - from: '^/blog/.*\$'\n    to: /blog/x\n"
        . "  - from: '^/via/'\n    to: /x.html\n");
    is $rc, 1, 'exit 1';
    like $err, qr{redirect-map\.yaml:4:3: error: redirect loop: /la\.html \(redirect-map\.yaml:4\) -> /lb\.html \(redirect-map\.yaml:5\) -> /la\.html},
        'A -> B -> A';
    like $err, qr{redirect-map\.yaml:6:3: error: redirect loop: /x\.html \(redirect-map\.yaml:6\) -> /via/rule \(rule redirect-map\.yaml:10\) -> /x\.html},
        'through a rule';
    like $err, qr{redirect-map\.yaml:8:11: error: rule '\^/blog/\.\*\$' redirects to "/blog/x", which the rule matches again},
        'a rule whose literal target matches itself';
    like $err, qr/3 errors/, 'each loop once';
    ok !-e "$d/out.map", 'nothing written';
};

subtest 'a rule may not redirect a live page' => sub {
    my $d = site();
    my ($rc, $err) = build_site($d, "rules:\n"
        . "  - from: '^/2023/(\\d+)/([a-z]+)\$'\n    to: /posts/\$2\n");
    is $rc, 1, 'exit 1';
    like $err, qr{redirect-map\.yaml:4:11: error: rule '.*' matches "/2023/03/a", the new path of \S*posts/a\.md: it would redirect a live page},
        'names the rule and the post';
    ($rc, $err) = build_site($d, "redirects:\n  /2023/03/a: /elsewhere\n");
    is $rc, 1, 'an exact key on a live page: exit 1';
    like $err, qr{is the new path of a post \(\S*posts/a\.md\)}, 'names the post';
};

subtest 'ignore_case' => sub {
    my $d = site();
    my ($rc, $err, $dump) = build_site($d, "ignore_case: true\n"
        . "redirects:\n  /P/About.html: /about/\n"
        . "rules:\n  - from: '^/search/label/([^/?]+)\$'\n    to: /tags/\$1\n");
    is $rc, 0, 'exit 0' or diag $err;
    is $dump, "/2023/03/a.html\t/2023/03/a\t301\n/p/about.html\t/about/\t301\n",
        'keys lowercased';
    my ($out);
    ($rc, $out) = lookup("$d/out.map", '/2023/03/A.HTML', '/p/ABOUT.html',
                         '/Search/Label/Python');
    is $rc, 0, 'every case hits';
    is $out, "/2023/03/a\t301\t" . "posts/a.md:3\texact\n"
           . "/about/\t301\tredirect-map.yaml:5\texact\n"
           . "/tags/python\t301\tredirect-map.yaml:7\trule\n",
        'exact and rule hits (the rule sees the lowercased path)';
    like slurp("$d/out.map"), qr/ignore_case\0true\0/, 'recorded in the metadata';

    ($rc, $err) = build_site($d, "redirects:\n  /P/About.html: /about/\n",
                             '--ignore-case');
    is $rc, 0, '--ignore-case' or diag $err;
    ($rc, $out) = lookup("$d/out.map", '/p/about.HTML');
    is $rc, 0, 'caseless from the flag';

    ($rc, $err) = build_site($d, "ignore_case: true\nredirects:\n"
                             . "  /Same.html: /one/\n  /same.html: /two/\n");
    is $rc, 1, 'case-only duplicates: exit 1';
    like $err, qr{:6:3: error: legacy URL "/same\.html" is already claimed by redirect-map\.yaml:5},
        'names both lines';

    ($rc, $err, $dump) = build_site($d, "redirects:\n"
                                    . "  /Same.html: /one/\n  /same.html: /two/\n");
    is $rc, 0, 'without ignore_case they are two keys' or diag $err;
};

subtest 'lookup through rules, as a migrated Blogger blog needs' => sub {
    my $d = site();
    my ($rc, $err) = build_site($d, "rules:\n"
        . "  - from: '^/search/label/([^/?]+)\$'\n    to: '/tags/\$1'\n"
        . "  - from: '^/(\\d{4})/(\\d{2})/?\$'\n    to: '/blog/\$1/\$2/'\n"
        . "  - from: '^/feeds/posts/default\\?alt=rss\$'\n    to: /rss.xml\n"
        . "    query: drop\n    match_query: true\n"
        . "  - from: '^/feeds/posts/default'\n    to: /atom.xml\n"
        . "  - from: '^/(\\d{4})/(\\d{2})/(.+)_\\d+\\.html\$'\n    to: '/\$1/\$2/\$3'\n"
        . "  - from: '^/p/old-about\\.html\$'\n    status: 410\n");
    is $rc, 0, 'exit 0' or diag $err;
    my $map = "$d/out.map";
    my ($out);
    ($rc, $out, $err) = lookup($map, '/search/label/Python',
        '/search/label/Python?max-results=20', '/2023/03/', '/2023/03',
        '/feeds/posts/default?alt=rss', '/feeds/posts/default?alt=rss&m=1',
        '/feeds/posts/default', '/2023/03/a_6.html',
        'https://x.blogspot.com/2023/03/a.html?showComment=123#c1',
        '/2023/03/a.html?m=1', '/p/old-about.html', '/p/other.html');
    is $rc, 1, 'one miss: exit 1';
    is $out, join('', map { "$_\n" }
        "/tags/Python\t301\tredirect-map.yaml:4\trule",
        "/tags/Python\t301\tredirect-map.yaml:4\trule",
        "/blog/2023/03/\t301\tredirect-map.yaml:6\trule",
        "/blog/2023/03/\t301\tredirect-map.yaml:6\trule",
        "/rss.xml\t301\tredirect-map.yaml:8\trule",
        "/rss.xml\t301\tredirect-map.yaml:8\trule",
        "/atom.xml\t301\tredirect-map.yaml:12\trule",
        "/2023/03/a\t301\tredirect-map.yaml:14\trule",
        "/2023/03/a\t301\t" . "posts/a.md:3\texact",
        "/2023/03/a\t301\t" . "posts/a.md:3\texact",
        "\t410\tredirect-map.yaml:16\trule"), 'every URL shape';
    like $err, qr{^/p/other\.html: not found$}m, 'a miss';
};

subtest 'old URLs that end in "/": a rule adds the form without it' => sub {
    # docs/normalisation.md: "/x" and "/x/" are two keys; WordPress sent
    # "/x" on to "/x/", and a rule does it for the map (two hops)
    my $d = "$tmp/s" . ++$n;
    make_path("$d/posts");
    write_post($d, 'posts/jenkins.md', "date: 2012-07-03\n"
               . "legacyUrl: /2012/07/jenkins-pour-xcode/\n");
    my ($rc, $err) = build_site($d, "target: '/blog/{slug}/'\nrules:\n"
        . "  - from: '^(/\\d{4}/\\d\\d/[^/.]+)\$'\n    to: '\$1/'\n");
    is $rc, 0, 'exit 0' or diag $err;
    my $out;
    ($rc, $out, $err) = lookup("$d/out.map", '/2012/07/jenkins-pour-xcode/',
        '/2012/07/jenkins-pour-xcode', '/2012/07/jenkins-pour-xcode/?m=1');
    is $rc, 0, 'no miss';
    is $out, join('', map { "$_\n" }
        "/blog/jenkins/\t301\tposts/jenkins.md:3\texact",
        "/2012/07/jenkins-pour-xcode/\t301\tredirect-map.yaml:5\trule",
        "/blog/jenkins/\t301\tposts/jenkins.md:3\texact"),
        'with the slash: the entry; without: the rule, to the entry';

    # a new site whose pages are such paths cannot have the rule
    ($rc, $err) = build_site(site(), "rules:\n"
        . "  - from: '^(/\\d{4}/\\d\\d/[^/.]+)\$'\n    to: '\$1/'\n");
    is $rc, 1, 'a rule that would redirect a live page: exit 1';
    like $err, qr{/2023/03/a}, 'the page named';
};

done_testing;
