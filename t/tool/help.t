# --help for every command, --version, and the man page renders cleanly
# and names every command, option and exit code the help texts list.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run root);
use Test::More;

my @commands = qw(build check info lookup dump diff);
my $man = root() . '/docs/redirect-map.1';

my ($rc, $out) = run('redirect-map', '--help');
is $rc, 0, '--help: exit 0';
like $out, qr/^  \Q$_\E /m, "--help lists $_" for @commands;

($rc, $out) = run('redirect-map', '--version');
is $rc, 0, '--version: exit 0';
like $out, qr/^redirect-map \d+\.\d+\.\d+ \(map format 2\)$/, 'version line';

my %options;
for my $cmd (@commands) {
    my ($rc, $out, $err) = run('redirect-map', $cmd, '--help');
    is $rc, 0, "$cmd --help: exit 0";
    like $out, qr/^Usage: redirect-map \Q$cmd\E /, "$cmd --help: usage line";
    like $out, qr/^Exit status: /m, "$cmd --help: exit status";
    is $err, '', "$cmd --help: nothing on stderr";
    $options{$cmd} = [ $out =~ /^  (?:-\w, )?(--[a-z-]+)/mg ];
    ($rc, $out, $err) = run('redirect-map', $cmd, '--no-such-option');
    is $rc, 2, "$cmd --no-such-option: exit 2";
    is $err, "redirect-map $cmd: unrecognized option '--no-such-option'\n"
             . "Try 'redirect-map $cmd --help'.\n",
       "$cmd --no-such-option: one line and where to look";
}

# a usage error is one line naming the command, then where to look
for my $args (['info'], ['info', 'a', 'b'], ['lookup'], ['dump'],
              ['dump', '-f', 'xml', 'x.map'], ['dump', '-s', '200', 'x.map'],
              ['dump', '-f', 'cloudflare-csv', 'x.map'], ['diff', 'x.map'],
              ['check', '--site', '/nonexistent', '.'], ['build', '-o'])
{
    my ($rc, $out, $err) = run('redirect-map', @$args);
    is $rc, 2, "@$args: exit 2";
    like $err, qr/\Aredirect-map $args->[0]: [^\n]+\nTry 'redirect-map \Q$args->[0]\E --help'\.\n\z/,
         "@$args: the reason, then Try 'redirect-map $args->[0] --help'";
}

SKIP: {
    skip 'no groff', 5 unless system('groff -v >/dev/null 2>&1') == 0;
    my ($rc, $text, $err) = run('sh', '-c', "groff -man -Tutf8 -ww '$man'");
    is $rc, 0, 'groff renders the man page';
    is $err, '', 'without warnings';
    $text =~ s/.\x08//g;                    # overstrike
    $text =~ s/\x1b\[[0-9;]*m//g;           # SGR
    $text =~ s/\x{e2}\x{80}\x{90}/-/g;      # hyphen
    like $text, qr/^   \Q$_\E$/m, "man page: $_ section" for qw(build check);
    my @missing;
    for my $cmd (@commands) {
        push @missing, "$cmd: $_" for grep { index($text, $_) < 0 } @{ $options{$cmd} };
    }
    is_deeply \@missing, [], 'every option of every --help is in the man page';
}

SKIP: {
    skip 'no man', 1 unless system('man -V >/dev/null 2>&1') == 0;
    my ($rc, undef, $err) = run('sh', '-c', "MANWIDTH=80 man -l '$man'");
    is $err, '', 'man -l: no warnings';
}

# the README lists every command
my $readme = do { local (@ARGV, $/) = root() . '/README.md'; <> };
like $readme, qr/^redirect-map \Q$_\E\b/m, "README synopsis: $_" for @commands;

done_testing;
