# Hostile content for redirect-map build: YAML alias bombs, deep nesting,
# a 100 MB post, binary and invalid UTF-8 files, a BOM and CRLF, symlink
# loops, unreadable files and folders, an output folder that cannot be
# written, a full disk (ulimit -f), and two builds writing one map at
# once.  Each gets a clear error or a correct map, within a time and
# memory bound (ulimit -v), and a map that was there before stays intact
# when a build fails.
#
# As root, the permission cases run the tool as "nobody" (setpriv).
# HOSTILE_NO_VMEM=1 drops the ulimit -v bound (for ASan builds, which
# reserve a lot of address space).

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run map_dir root slurp write_post);
use File::Path qw(make_path remove_tree);
use Time::HiRes qw(time);
use Test::More;

my $tool = root() . '/build/redirect-map';
my $top = map_dir();
my $n = 0;
my $vmem_kb = 1024 * 1024;       # 1 GiB of address space for one build
my $max_seconds = 20;

# a fresh folder with a content folder and a good map already built
sub fresh {
    my $d = "$top/case" . ++$n;
    make_path("$d/posts");
    write_post($d, 'posts/good/index.md',
               "date: 2021-05-01\nlegacyUrl: /2021/05/good.html\n");
    my ($rc, undef, $err) = build($d);
    $rc == 0 or die "fresh build failed: $err";
    return $d;
}

# build($d, @more_args) -> ($rc, $stdout, $stderr, $seconds), bounded
sub build {
    my ($d, @args) = @_;
    my @limit = $ENV{HOSTILE_NO_VMEM} ? () : ("ulimit -v $vmem_kb;");
    my $t0 = time;
    my ($rc, $out, $err) = run('bash', '-c',
        "@limit ulimit -t $max_seconds; exec \"\$@\"", 'build',
        $tool, 'build', '-q', '-o', "$d/out.map", @args ? @args : "$d/posts");
    my $signal = $? & 127;
    $err .= "[killed by signal $signal]" if $signal;
    return ($rc, $out, $err, time - $t0);
}

sub dump_of {
    my ($map) = @_;
    my ($rc, $out) = run('redirect-map', 'dump', $map);
    return $rc == 0 ? $out : undef;
}

# the map is unchanged byte for byte, and no temporary file is left
sub intact {
    my ($d, $before, $name) = @_;
    is slurp("$d/out.map"), $before, "$name: the previous map is intact";
    opendir my $dh, $d or die $!;
    my @tmp = grep { /^\.out\.map\./ } readdir $dh;
    is_deeply \@tmp, [], "$name: no temporary file left";
}

sub fails_cleanly {
    my ($d, $name, $message, @args) = @_;
    my $before = slurp("$d/out.map");
    my ($rc, undef, $err, $secs) = build($d, @args);
    is $rc, 1, "$name: exit 1" or diag $err;
    like $err, $message, "$name: says why";
    cmp_ok $secs, '<', 10, "$name: within 10 s";
    intact($d, $before, $name);
}

# --- YAML alias bombs --------------------------------------------------------

my $bomb = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    . join('', map { my $p = $_ - 1; "a$_: &a$_ [" . join(', ', ("*a$p") x 9) . "]\n" } 1 .. 40);

{
    my $d = fresh();
    write_post($d, 'posts/bomb/index.md',
               "date: 2021-06-01\nlegacyUrl: /2021/06/bomb.html\n$bomb");
    my ($rc, undef, $err, $secs) = build($d);
    is $rc, 0, 'alias bomb in front matter: aliases are not expanded, the map is built' or diag $err;
    cmp_ok $secs, '<', 5, '... at once';
    like dump_of("$d/out.map") // '', qr{^/2021/06/bomb\.html\t/2021/06/bomb\t301$}m,
        '... with the post\'s redirect';

    write_post($d, 'posts/bomb/index.md',
               "date: 2021-06-01\n$bomb" . "legacyUrl: *a40\n");
    fails_cleanly($d, 'a legacy URL that is an alias bomb', qr/legacyUrl|legacy URL/);
}

{
    my $d = fresh();
    write_post($d, 'redirect-map.yaml', "content: posts\n$bomb", raw => 1);
    fails_cleanly($d, 'alias bomb in redirect-map.yaml',
                  qr/redirect-map\.yaml:\d+:\d+: error: .*a0/,
                  '-c', "$d/redirect-map.yaml");
}

# --- deep nesting -----------------------------------------------------------

my $deep = '[' x 200_000 . ']' x 200_000;
{
    my $d = fresh();
    write_post($d, 'posts/deep/index.md',
               "date: 2021-06-01\nlegacyUrl: /2021/06/deep.html\ndeep: $deep\n");
    fails_cleanly($d, '200000 nested flow sequences in front matter',
                  qr{posts/deep/index\.md:4:\d+: error: YAML nested deeper than 256 levels});

    remove_tree("$d/posts/deep");
    write_post($d, 'redirect-map.yaml', "content: posts\nx: $deep\n", raw => 1);
    fails_cleanly($d, 'deep nesting in redirect-map.yaml',
                  qr{redirect-map\.yaml:2:\d+: error: YAML nested deeper},
                  '-c', "$d/redirect-map.yaml");

    write_post($d, 'redirect-map.yaml', "content: posts\nimport: [list.json]\n", raw => 1);
    write_post($d, 'list.json', '{"/a.html": ' . ('{"to": ' x 50_000) . '"/b"' . ('}' x 50_001), raw => 1);
    fails_cleanly($d, 'deep nesting in an imported JSON list',
                  qr{list\.json:1:\d+: error: YAML nested deeper},
                  '-c', "$d/redirect-map.yaml");
}

{
    my $d = fresh();
    write_post($d, 'posts/nest/index.md', "date: 2021-06-01\nlegacyUrl: /2021/06/nest.html\n"
               . 'x: ' . '[' x 200 . ']' x 200 . "\n");
    my ($rc, undef, $err) = build($d);
    is $rc, 0, '200 levels of nesting are fine' or diag $err;
}

# --- a 100 MB post ----------------------------------------------------------

{
    my $d = fresh();
    my $path = write_post($d, 'posts/huge/index.md',
                          "date: 2021-07-01\nlegacyUrl: /2021/07/huge.html\n");
    open my $fh, '>>:raw', $path or die $!;
    my $mb = 'x' x (1 << 20);
    print {$fh} $mb for 1 .. 100;
    close $fh;
    my ($rc, undef, $err, $secs) = build($d);
    is $rc, 0, 'a post with a 100 MB body is built' or diag $err;
    cmp_ok $secs, '<', 5, '... quickly (only the head is read)';
    like dump_of("$d/out.map") // '', qr{^/2021/07/huge\.html\t/2021/07/huge\t301$}m,
        '... with its redirect';

    open $fh, '>:raw', $path or die $!;
    print {$fh} "---\ndate: 2021-07-01\nlegacyUrl: /2021/07/huge.html\n";
    print {$fh} "z: $mb\n" for 1 .. 100;
    close $fh;
    fails_cleanly($d, 'a 100 MB front matter that is never closed',
                  qr{huge/index\.md:1: error: front matter is not closed within the first 64 MiB});
    unlink $path;
}

# --- binary, invalid UTF-8, BOM, CRLF ---------------------------------------

{
    my $d = fresh();
    srand 42;
    write_post($d, 'posts/binary.md', join('', map { chr int rand 256 } 1 .. 65536), raw => 1);
    my ($rc, undef, $err) = build($d);
    is $rc, 0, 'a binary file named .md is not a post: the map is built' or diag $err;

    write_post($d, 'posts/binary.md', "---\n" . join('', map { chr int rand 256 } 1 .. 4096) . "\n---\n", raw => 1);
    fails_cleanly($d, 'binary bytes in a front matter', qr{posts/binary\.md:\d+:\d+: error: });
    unlink "$d/posts/binary.md";

    write_post($d, 'posts/latin1.md', "---\ndate: 2021-06-01\ntitle: caf\xe9\nlegacyUrl: /2021/06/cafe.html\n---\n", raw => 1);
    fails_cleanly($d, 'invalid UTF-8 in a front matter',
                  qr{posts/latin1\.md:3:\d+: error: .*UTF-8});
    unlink "$d/posts/latin1.md";

    write_post($d, 'posts/bom-crlf.md', "\xef\xbb\xbf---\r\ndate: 2021-06-02\r\nlegacyUrl: /2021/06/bom.html\r\n---\r\nBody\r\n", raw => 1);
    ($rc, undef, $err) = build($d);
    is $rc, 0, 'a BOM and CRLF lines: the post is read' or diag $err;
    like dump_of("$d/out.map") // '', qr{^/2021/06/bom\.html\t/2021/06/bom-crlf\t301$}m,
        '... with its redirect (no \\r in key or target)';

    write_post($d, 'posts/nul.md', "---\ndate: 2021-06-02\nlegacyUrl: \"/2021/06/n\\0ul.html\"\n---\n", raw => 1);
    ($rc, undef, $err) = build($d);
    ok $rc == 0 || $err =~ /nul\.md:3:\d+: error/, 'a NUL in a legacy URL: escaped in the key or refused with its place'
        or diag $err;
}

# --- symlink loops ------------------------------------------------------------

{
    my $d = fresh();
    symlink '..', "$d/posts/good/up" or die $!;
    symlink '.', "$d/posts/self" or die $!;
    symlink 'loop.md', "$d/posts/loop.md" or die $!;
    symlink 'nowhere.md', "$d/posts/dangling.md" or die $!;
    my ($rc, undef, $err, $secs) = build($d);
    cmp_ok $secs, '<', 5, 'symlink loops: the walk ends';
    ok $rc == 0 || $err =~ /loop\.md/, 'symlink loops: a map, or an error naming the link' or diag $err;
    like $err, qr{loop\.md: error: .*(?:symbolic links|Too many levels)}i, '... a self-link is reported';
}

# --- permissions --------------------------------------------------------------

my @as_user = ();
if ($> == 0) {
    @as_user = ('setpriv', '--reuid=65534', '--regid=65534', '--clear-groups');
}

sub build_as_user {
    my ($d) = @_;
    my ($rc, undef, $err) = run(@as_user, $tool, 'build', '-q', '-o',
                                "$d/out.map", "$d/posts");
    return ($rc, $err);
}

SKIP: {
    skip 'running as root without setpriv', 9
        if $> == 0 && system('setpriv --reuid=65534 true 2>/dev/null') != 0;

    my $d = fresh();
    chmod 0777, $d, "$d/posts";
    chmod 0666, "$d/out.map";
    if ($> == 0) {
        system('chown', '-R', '65534:65534', $d) == 0 or die;
    }

    write_post($d, 'posts/secret.md', "---\ndate: 2021-06-01\nlegacyUrl: /s.html\n---\n", raw => 1);
    chmod 0000, "$d/posts/secret.md";
    make_path("$d/posts/closed");
    write_post($d, 'posts/closed/x.md', "---\ndate: 2021-06-01\nlegacyUrl: /c.html\n---\n", raw => 1);
    chmod 0000, "$d/posts/closed";

    my $before = slurp("$d/out.map");
    my ($rc, $err) = build_as_user($d);
    isnt $rc, 0, 'an unreadable file and folder: the build fails';
    like $err, qr{secret\.md: error: cannot open: Permission denied}, '... naming the file';
    like $err, qr{closed: error: .*Permission denied}, '... and the folder';
    intact($d, $before, 'unreadable content');
    chmod 0755, "$d/posts/closed";
    chmod 0644, "$d/posts/secret.md";

    unlink "$d/posts/secret.md";
    remove_tree("$d/posts/closed");
    chmod 0555, $d;
    ($rc, $err) = build_as_user($d);
    is $rc, 3, 'an output folder that cannot be written: exit 3';
    like $err, qr{out\.map: .*Permission denied}, '... saying why';
    is slurp("$d/out.map"), $before, '... and the previous map is intact';
    chmod 0777, $d;

    chmod 0444, "$d/out.map";
    ($rc, $err) = build_as_user($d);
    is $rc, 0, 'a read-only map file in a writable folder is replaced (rename)' or diag $err;
}

# --- a full disk --------------------------------------------------------------

{
    my $d = fresh();
    write_post($d, 'posts/many/index.md', "date: 2021-06-01\nlegacyUrl:\n"
               . join('', map { "  - /old/$_-" . ('x' x 100) . ".html\n" } 1 .. 3000));
    my $before = slurp("$d/out.map");
    my ($rc, undef, $err) = run('bash', '-c', 'ulimit -f 64; exec "$@"', 'x',
                                $tool, 'build', '-q', '-o', "$d/out.map", "$d/posts");
    is $? & 127, 0, 'ulimit -f: the tool is not killed by SIGXFSZ';
    is $rc, 3, '... exits 3';
    like $err, qr{out\.map: File too large}, '... saying why';
    intact($d, $before, 'full disk');
}

# --- two builds writing the same map at once ---------------------------------

{
    my $d = fresh();
    make_path("$d/a", "$d/b");
    write_post($d, 'a/a.md', "date: 2021-01-01\nlegacyUrl: /a.html\n");
    write_post($d, 'b/b.md', "date: 2021-02-02\nlegacyUrl:\n"
               . join('', map { "  - /b/$_.html\n" } 1 .. 2000));
    system($tool, 'build', '-q', '-o', "$d/ref-a.map", "$d/a") == 0 or die;
    system($tool, 'build', '-q', '-o', "$d/ref-b.map", "$d/b") == 0 or die;
    my %ref = (dump_of("$d/ref-a.map") => 'a', dump_of("$d/ref-b.map") => 'b');

    my (%seen, @bad);
    for my $round (1 .. 25) {
        my @pids;
        for my $src ('a', 'b') {
            my $pid = fork // die;
            if ($pid == 0) {
                exec $tool, 'build', '-q', '-o', "$d/out.map", "$d/$src";
            }
            push @pids, $pid;
        }
        my $failed = 0;
        waitpid($_, 0) == $_ && ($failed ||= $?) for @pids;
        push @bad, "round $round: a build failed ($failed)" if $failed;
        my $got = $ref{dump_of("$d/out.map") // ''};
        push @bad, "round $round: neither map" unless $got;
        $seen{$got // '?'}++;
    }
    is_deeply \@bad, [], 'two builds at once, 25 times: each result is one whole map or the other';
    note 'last writer: ' . join(', ', map { "$_ $seen{$_}" } sort keys %seen);
    intact($d, slurp("$d/out.map"), 'concurrent builds');
}

done_testing;
