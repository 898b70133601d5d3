# Where and how redirect-map build writes its map (-o): through symbolic
# links to the file they lead to, with the permissions (and, as root, the
# owner and group) of the map it replaces, and what it says when only the
# last fsync, of the map's folder, fails; and what every command says
# when its standard output cannot be written.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run root write_post);
use File::Temp qw(tempdir);
use Test::More;

my $tmp = tempdir(CLEANUP => 1);
my $n = 0;

# a fresh folder with content/a.md, and build(folder, $url, @options)
# that gives a.md the legacy URL $url and builds it
sub fresh {
    my $d = "$tmp/o" . ++$n;
    mkdir $d or die $!;
    mkdir "$_" or die $! for "$d/build", "$d/real";
    return $d;
}

sub build {
    my ($d, $url, @opt) = @_;
    write_post($d, 'content/a.md', "date: 2023-01-01\nlegacyUrl: $url\n");
    my ($rc, undef, $err) = run('redirect-map', 'build', '-q',
                                "$d/content", @opt);
    return ($rc, $err);
}

# the legacy URLs in a map
sub keys_of {
    my (undef, $out) = run('redirect-map', 'dump', $_[0]);
    return join ' ', map { (split /\t/)[0] } split /\n/, $out;
}

# the names in a folder, temporary files included
sub names {
    opendir my $dh, $_[0] or die "$_[0]: $!";
    return join ' ', sort grep { !/^\.\.?$/ } readdir $dh;
}

subtest 'a link to the map: the map it leads to is replaced' => sub {
    my $d = fresh();
    my ($rc, $err) = build($d, '/one.html', '-o', "$d/real/current.map");
    is $rc, 0, 'first map built' or diag $err;
    symlink '../real/current.map', "$d/build/link.map" or die $!;

    ($rc, $err) = build($d, '/two.html', '-o', "$d/build/link.map");
    is $rc, 0, 'exit 0' or diag $err;
    ok -l "$d/build/link.map", 'the link is still a link';
    is readlink("$d/build/link.map"), '../real/current.map',
        '... to the same place';
    is keys_of("$d/real/current.map"), '/two.html', 'the map it leads to is new';
    is names("$d/build"), 'link.map', 'no temporary file beside the link';
    is names("$d/real"), 'current.map', 'none beside the map';

    # a chain: an absolute link to the relative one
    symlink "$d/build/link.map", "$d/chain.map" or die $!;
    ($rc, $err) = build($d, '/three.html', '-o', "$d/chain.map");
    is $rc, 0, 'through two links: exit 0' or diag $err;
    ok -l "$d/chain.map" && -l "$d/build/link.map", 'both are still links';
    is keys_of("$d/real/current.map"), '/three.html',
        'the map at the end of the chain is new';
};

subtest 'a link to nothing is written through when it can be' => sub {
    my $d = fresh();
    symlink '../real/new.map', "$d/build/new.map" or die $!;
    my ($rc, $err) = build($d, '/one.html', '-o', "$d/build/new.map");
    is $rc, 0, 'exit 0' or diag $err;
    ok -l "$d/build/new.map", 'the link is still a link';
    is keys_of("$d/real/new.map"), '/one.html', 'the map is where it leads';

    symlink '../missing/x.map', "$d/build/nowhere.map" or die $!;
    ($rc, $err) = build($d, '/one.html', '-o', "$d/build/nowhere.map");
    is $rc, 3, 'a link into a folder that does not exist: exit 3';
    is $err, "redirect-map: $d/build/nowhere.map: cannot create a file "
        . "beside it: No such file or directory\n", '... saying why';
    ok -l "$d/build/nowhere.map", '... the link left as it was';

    symlink 'loop.map', "$d/build/loop.map" or die $!;
    ($rc, $err) = build($d, '/one.html', '-o', "$d/build/loop.map");
    is $rc, 3, 'a loop of links: exit 3';
    like $err, qr{loop\.map: .*Too many levels of symbolic links},
        '... saying why';
    ok -l "$d/build/loop.map", '... the link left as it was';
};

subtest 'the new map has the permissions of the old one' => sub {
    my $d = fresh();
    my $map = "$d/real/x.map";
    my ($rc, $err) = run('sh', '-c', 'umask 022 && exec "$@"', 'sh',
                         root() . '/build/redirect-map', 'build', '-q',
                         '-o', $map, map_content($d, '/one.html'));
    is $rc, 0, 'built' or diag $err;
    is sprintf('%04o', (stat $map)[2] & 07777), '0644',
        'a new map: what the umask leaves (022)';

    for my $mode (0640, 0600, 0444) {
        chmod $mode, $map or die $!;
        ($rc, $err) = build($d, '/two.html', '-o', $map);
        is $rc, 0, 'rebuilt' or diag $err;
        is sprintf('%04o', (stat $map)[2] & 07777), sprintf('%04o', $mode),
            sprintf('a map that was %04o stays %04o', $mode, $mode);
    }

    symlink $map, "$d/build/link.map" or die $!;
    chmod 0640, $map or die $!;
    ($rc, $err) = build($d, '/three.html', '-o', "$d/build/link.map");
    is $rc, 0, 'rebuilt through a link' or diag $err;
    is sprintf('%04o', (stat $map)[2] & 07777), '0640',
        '... the permissions of the map the link leads to';
};

# writes content/a.md and returns the content folder
sub map_content {
    my ($d, $url) = @_;
    write_post($d, 'content/a.md', "date: 2023-01-01\nlegacyUrl: $url\n");
    return "$d/content";
}

subtest 'owner and group: kept as root, left when not allowed' => sub {
    plan skip_all => 'not root' if $> != 0;
    my $d = fresh();
    my $map = "$d/real/x.map";
    my ($rc, $err) = build($d, '/one.html', '-o', $map);
    chown 65534, 65534, $map or die $!;
    chmod 0640, $map or die $!;
    ($rc, $err) = build($d, '/two.html', '-o', $map);
    is $rc, 0, 'rebuilt as root' or diag $err;
    my @st = stat $map;
    is "$st[4]:$st[5]", '65534:65534', 'the owner and group of the old map';
    is sprintf('%04o', $st[2] & 07777), '0640', 'and its permissions';
    is keys_of($map), '/two.html', 'the new map';

    # a user who may not give the file away: the map is still written
    SKIP: {
    skip 'no setpriv', 4
        if system('setpriv --reuid=65534 true 2>/dev/null') != 0;
    chmod 0755, $tmp, $d;
    chown 65534, 65534, "$d/real" or die $!;
    chown 0, 0, $map or die $!;
    chmod 0640, $map or die $!;
    map_content($d, '/three.html');
    ($rc, undef, $err) = run('setpriv', '--reuid=65534', '--regid=65534',
                             '--clear-groups', root() . '/build/redirect-map',
                             'build', '-q', '-o', $map, "$d/content");
    is $rc, 0, 'rebuilt by another user: exit 0' or diag $err;
    is $err, '', 'nothing said';
    @st = stat $map;
    is "$st[4]:$st[5]", '65534:65534', 'the map is that user\'s';
    is sprintf('%04o', $st[2] & 07777), '0644',
        'not the old 0640, which would shut out the old group: the umask\'s';
    }
};

subtest 'the folder cannot be synced: the new map is in place, and said so' => sub {
    my $cc = `command -v cc 2>/dev/null`;
    plan skip_all => 'no C compiler' unless $cc;
    my $d = fresh();
    # fsync fails with EIO for folders only
    open my $fh, '>', "$d/eio.c" or die $!;
    print {$fh} <<'EOF';
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/stat.h>

int
fsync(int fd)
{
    struct stat  st;
    int        (*real)(int) = (int (*)(int)) dlsym(RTLD_NEXT, "fsync");

    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        errno = EIO;
        return -1;
    }
    return real(fd);
}
EOF
    close $fh;
    system('cc', '-shared', '-fPIC', '-o', "$d/eio.so", "$d/eio.c", '-ldl') == 0
        or die "cc eio.so\n";

    my $map = "$d/real/x.map";
    my ($rc, $err) = build($d, '/one.html', '-o', $map);
    is $rc, 0, 'first map built' or diag $err;

    local $ENV{LD_PRELOAD} = "$d/eio.so";
    local $ENV{ASAN_OPTIONS} = join ':', grep { defined }
        $ENV{ASAN_OPTIONS}, 'verify_asan_link_order=0';
    ($rc, $err) = build($d, '/two.html', '-o', $map);
    is $rc, 0, 'exit 0: the new map is in place';
    is $err, "redirect-map: warning: $map: written, but its folder could "
        . "not be synced (Input/output error): after a crash the previous "
        . "map may be back\n", 'a warning says what happened';
    is keys_of($map), '/two.html', 'the new map';
    is names("$d/real"), 'x.map', 'no temporary file left';
};

# standard output that cannot be written (a full disk): exit 3, and a
# message, from every command that prints a result
subtest 'stdout on a full disk' => sub {
    plan skip_all => 'no /dev/full' unless -c '/dev/full';
    my $d = fresh();
    my $map = "$d/real/x.map";
    my ($rc, $err) = build($d, '/one.html', '-o', $map);
    is $rc, 0, 'map built' or diag $err;
    my $tool = root() . '/build/redirect-map';

    for my $args (['info', $map], ['info', '--json', $map],
                  ['lookup', $map, '/one.html'],
                  ['dump', $map], ['diff', $map, $map],
                  ['check', '-q', '--json', "$d/content"])
    {
        my $cmd = join ' ', map { "'$_'" } $tool, @$args;
        my $err = `$cmd 2>&1 >/dev/full`;
        is $? >> 8, 3, "@$args >/dev/full: exit 3";
        like $err, qr/^redirect-map: cannot write the output$/m,
             "@$args >/dev/full: says so";
    }
};

done_testing;
