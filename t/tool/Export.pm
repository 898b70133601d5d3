package Export;

# What t/tool/export-*.t share: a fixture map with every kind of entry,
# its dump in one of the formats that hold one value per key (one file per
# status, each with a header giving the lines that use it), and the checks
# that a real server, loaded with those lines, answers every entry as
# "redirect-map lookup" does and passes the request's query on as the
# module does.

use strict;
use warnings;

use Exporter 'import';
use FindBin;
use JSON::PP qw(decode_json);
use Time::HiRes qw(sleep);
use Test::More;

use lib "$FindBin::Bin/..";
use Fixture qw(run http_get root);

our @EXPORT_OK = qw(fixture_map dump_per_status wait_answering check_entries
                    check_queries stop_pidfile stop_if_running);

my @statuses = (410, 301, 302, 303, 307, 308);

# fixture_map($dir): the blog and blogger fixtures, plus keys and targets
# that need quoting, decoding or care with the query; returns its path
sub fixture_map {
    my ($dir) = @_;
    my $fixtures = root() . '/t/fixtures';
    open my $fh, '>', "$dir/redirect-map.yaml" or die;
    print {$fh} <<"YAML";
content: [$fixtures/blog, $fixtures/blogger/posts]
import: [$fixtures/blogger/moved.tsv, $fixtures/blogger/redirects.json]
YAML
    print {$fh} <<'YAML';
redirects:
  /with%20space.html: /space
  /semi;colon.html: /semi
  "/brace{x}.html": /brace
  "/quo\"te.html": /quote
  /dollar.html: /price$5
  /hash%23.html: /hash
  /pct%25.html: /pct
  /q%3Fmark.html: /qmark
  /slash%2Fenc.html: /slash
  /caf%C3%A9.html: /cafe
  /uni.html: /café
  /frag.html: /page#sec
  /tq.html: /s?q=a%20b
  /Case.html: /upper
  /case.html: /lower
  /temp.html: { to: /temp, status: 302 }
  /other.html: { to: /other, status: 303 }
  /tmp.html: { to: /tmp, status: 307 }
  /perm.html: { to: /perm, status: 308 }
  /gone.html: { status: 410 }
  /abs.html: https://example.org/x?a=1
YAML
    close $fh;

    my $map = "$dir/fixture.map";
    my ($rc, undef, $err) = run('redirect-map', 'build', '-q', '-c',
                                "$dir/redirect-map.yaml", '-o', $map);
    is $rc, 0, 'fixture map built' or BAIL_OUT($err);
    return $map;
}

# dump_per_status($map, $format, $dir, qr/^#   (lines to use)$/m): one
# file per status, 410 first; returns the lines the headers give (with
# the files' paths in) and the warnings of all the dumps
sub dump_per_status {
    my ($map, $format, $dir, $usage) = @_;
    my ($lines, $warnings) = ('', '');
    for my $s (@statuses) {
        my ($rc, $out, $err) = run('redirect-map', 'dump', '--format',
                                   $format, '--status', $s, $map);
        is $rc, 0, "dump --format $format --status $s";
        my $file = "$dir/legacy-$s.map";
        open my $o, '>', $file or die;
        print {$o} $out;
        close $o;
        my @use = $out =~ /$usage/g;
        ok @use > 0, "the header of --status $s gives the lines to use";
        s{(/path/to/)?THIS_FILE}{$file}g for @use;
        $lines .= join '', map { "$_\n" } @use;
        $warnings .= $err;
    }
    return ($lines, $warnings);
}

# wait_answering($port, $what): passes once something answers there
sub wait_answering {
    my ($port, $what) = @_;
    my $up = 0;
    for (1 .. 100) {
        my ($s) = http_get($port, '/');
        if ($s) { $up = 1; last }
        sleep 0.05;
    }
    ok $up, "$what answers";
}

# check_entries($port, $map, left_out => qr/key/, left => N,
#               target => sub { ... }, location => sub { ... })
# requests every exact entry as a client would (percent-encoded) and
# expects what "redirect-map lookup" says, but for the keys matching
# left_out, which the dumps reported as not exported: there must be
# exactly N of them.  target and location adjust what lookup and the
# server say where a format documents a difference.
sub check_entries {
    my ($port, $map, %opt) = @_;
    my (undef, $out) = run('redirect-map', 'dump', '--format', 'json', $map);
    my @entries = grep { $_->{type} eq 'exact' } @{ decode_json($out) };
    ok @entries > 20, scalar(@entries) . ' entries';

    my $skipped = 0;
    for my $e (@entries) {
        my $key = $e->{from};
        utf8::encode($key);
        if ($opt{left_out} && $key =~ $opt{left_out}) {
            $skipped++;
            next;
        }
        (my $request = $key)
            =~ s/([^A-Za-z0-9\/._~%!\$&'()*+,;=:\@-])/sprintf '%%%02X', ord $1/ge;
        my (undef, $lout) = run('redirect-map', 'lookup', $map, $request);
        my ($target, $status) = split /\t/, $lout;
        $target = $opt{target}->($target) if $opt{target};
        my ($got_status, $location) = http_get($port, $request);
        $location = $opt{location}->($location)
            if $opt{location} && defined $location;
        my $want = $status == 410 ? '410 ' : "$status $target";
        my $got = ($got_status // 'none') . ' ' . ($location // '');
        is $got, $want, "$request: $want";
    }
    is $skipped, $opt{left} // 0,
        'only the entries reported as left out were skipped';
}

# check_queries($port, location => sub { ... }, skip => [requests]):
# the request's query goes after the target's with '&', after a target
# without one with '?', and an empty one adds nothing
sub check_queries {
    my ($port, %opt) = @_;
    my %skip = map { $_ => 1 } @{ $opt{skip} // [] };
    for my $case (['/abs.html?utm=1', '301 https://example.org/x?a=1&utm=1'],
                  ['/tq.html?q=a%20b', '301 /s?q=a%20b&q=a%20b'],
                  ['/Case.html?utm=1', '301 /upper?utm=1'],
                  ['/Case.html?', '301 /upper'],
                  ['/uni.html?q=%C3%A9', '301 /caf%C3%A9?q=%C3%A9'])
    {
        my ($request, $want) = @$case;
        next if $skip{$request};
        my ($s, $l) = http_get($port, $request);
        $l = $opt{location}->($l) if $opt{location} && defined $l;
        is(($s // 'none') . ' ' . ($l // ''), $want, "$request: $want");
    }
}

# stop_pidfile($file, $signal, $what): stops the server, passes once gone
sub stop_pidfile {
    my ($file, $signal, $what) = @_;
    my $pid = do { local (@ARGV, $/) = $file; <> };
    chomp $pid;
    kill $signal, $pid;
    for (1 .. 50) { last unless kill 0, $pid; sleep 0.1 }
    ok !kill(0, $pid), "$what stopped";
}

# stop_if_running($file, $signal): for END blocks, after a failure
sub stop_if_running {
    my ($file, $signal) = @_;
    return unless -e $file;
    my $pid = do { local (@ARGV, $/) = $file; <> };
    chomp $pid if $pid;
    kill $signal, $pid if $pid && kill 0, $pid;
}

1;
