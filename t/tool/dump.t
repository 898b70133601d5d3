# redirect-map dump --format: every export format, what each leaves out,
# and the errors.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run root map_dir damage_map);
use JSON::PP qw(decode_json);
use Test::More;

my $dir = map_dir();
my $map = "$dir/blogger.map";
my ($rc, $out, $err) = run('redirect-map', 'build', '-q', '-c',
                           root() . '/t/fixtures/blogger/redirect-map.yaml',
                           '-o', $map);
is $rc, 0, 'fixture built' or diag $err;

# a map with keys that need quoting or decoding
mkdir "$dir/odd";
open my $fh, '>', "$dir/odd/redirect-map.yaml" or die;
print {$fh} <<'YAML';
redirects:
  /with%20space.html: /space
  /semi;colon.html: /semi
  /dollar.html: /price$5
  /slash%2Fenc.html: /slash
  /caf%C3%A9.html: /cafe
  /Case.html: /upper
  /case.html: /lower
  /gone.html: { status: 410 }
  /comma,x.html: /a,b
YAML
close $fh;
my $odd = "$dir/odd.map";
($rc, undef, $err) = run('redirect-map', 'build', '-q', '-c',
                         "$dir/odd/redirect-map.yaml", '-o', $odd);
is $rc, 0, 'odd map built' or diag $err;

sub dump_map { run('redirect-map', 'dump', @_) }
sub body { join '', grep { !/^#/ } split /^/, $_[0] }

subtest 'tsv (the default)' => sub {
    my ($rc, $out, $err) = dump_map($map);
    is $rc, 0, 'exit 0';
    my ($rc2, $out2) = dump_map('--format', 'tsv', $map);
    is $out2, $out, '--format tsv is the default';
    like $out, qr{^/p/contact\.html\t/contact/\t308$}m, 'KEY TARGET STATUS';
    is scalar(() = $out =~ /\n/g), 11, 'every entry';
    like $err, qr/warning: 10 pattern rules not exported: tsv cannot express/,
        'rules left out, said on stderr';
    (undef, undef, $err) = dump_map('-q', $map);
    is $err, '', '-q: no warning';
};

subtest 'json' => sub {
    my ($rc, $out, $err) = dump_map('--format', 'json', $map);
    is $rc, 0, 'exit 0';
    is $err, '', 'no warning: rules included';
    my $j = decode_json($out);
    is scalar(@$j), 21, '11 entries and 10 rules';
    is_deeply $j->[0], { type => 'exact', from => '/2017/01/old-garden.html',
                         to => '/notes/old-garden/', status => 301,
                         source => root() . '/t/fixtures/blogger/_redirects',
                         line => 2 }, 'an entry';
    my ($gone) = grep { $_->{status} == 410 } @$j;
    is $gone->{to}, undef, '410: to is null';
    is $gone->{type}, 'rule', 'a rule';
    my ($feed) = grep { $_->{from} =~ /alt=rss/ } @$j;
    ok $feed->{match_query}, 'match_query';
    is $feed->{query}, 'drop', 'query';
    ($rc, $out) = dump_map('--format', 'json', $odd);
    $j = decode_json($out);
    my ($cafe) = grep { $_->{to} && $_->{to} eq '/cafe' } @$j;
    is $cafe->{from}, "/caf\x{e9}.html", 'UTF-8 keys stay UTF-8';
};

subtest 'nginx' => sub {
    my ($rc, $out, $err) = dump_map('--format', 'nginx', $odd);
    is $rc, 0, 'exit 0';
    like $out, qr/^#   map \$uri \$legacy_301 \{ include THIS_FILE; \}$/m,
        'how to use it';
    like $out, qr/^#   map_hash_bucket_size \d+;/m, 'bucket size for the longest key';
    is body($out), qq{/Case.html /upper;\n/caf\xc3\xa9.html /cafe;\n/comma,x.html /a,b;\n}
        . qq{/dollar.html /price%245;\n"/semi;colon.html" /semi;\n}
        . qq{"/with space.html" /space;\n},
        'decoded keys, quoted where needed, $ encoded in targets';
    like $err, qr/1 entry not exported: another status/, 'the 410 left out';
    like $err, qr/1 entry not exported: the key holds an encoded '\/'/, '%2F left out';
    like $err, qr/1 entry not exported: the key differs from another only by case/,
        'case duplicates left out';
    ($rc, $out) = dump_map('--format', 'nginx', '--status', 410, $odd);
    is body($out), "/gone.html 410;\n", '--status 410';
    like $out, qr/if \(\$legacy_410\) \{ return 410; \}/, '410 usage';
    ($rc, $out) = dump_map('--format', 'nginx', '--status', 308, $map);
    is body($out), "/p/contact.html /contact/;\n", '--status 308';
};

subtest 'apache and haproxy' => sub {
    my ($rc, $out, $err) = dump_map('--format', 'apache', $odd);
    is $rc, 0, 'apache: exit 0';
    like $out, qr/^#   RewriteMap legacy301 "txt:/m, 'RewriteMap usage';
    is body($out), "/Case.html /upper\n/caf\xc3\xa9.html /cafe\n/case.html /lower\n"
        . "/comma,x.html /a,b\n/dollar.html /price\$5\n/semi;colon.html /semi\n",
        'KEY TARGET, no key with a space';
    like $err, qr/1 entry not exported: the key holds a space/, 'says so';
    like $out, qr/^#   RewriteRule \^ %1 \[R=301,L,NE\]$/m,
        'no target with a query: a plain rule';
    open my $q, '>', "$dir/query.yaml" or die;
    print {$q} "redirects:\n  /a.html: /a?x=1\n  /b.html: /b\n";
    close $q;
    run('redirect-map', 'build', '-q', '-c', "$dir/query.yaml", '-o',
        "$dir/query.map");
    ($rc, $out) = dump_map('--format', 'apache', "$dir/query.map");
    like $out, qr/^#   RewriteRule \^ %1 \[R=301,L,NE,QSA,UnsafeAllow3F\]$/m,
        'a target with a query: QSA and UnsafeAllow3F';
    ($rc, $out) = dump_map('--format', 'nginx', "$dir/query.map");
    like $out, qr/^#   if \(\$legacy_301\) \{ return 301 \$legacy_301\$legacy_301_q\$args; \}$/m,
        'nginx, a target with a query: "&" before the request\'s';
    ($rc, $out) = dump_map('--format', 'nginx', $map);
    like $out, qr/^#   if \(\$legacy_301\) \{ return 301 \$legacy_301\$is_args\$args; \}$/m,
        'nginx, no target with a query: $is_args';
    ($rc, $out, $err) = dump_map('--format', 'haproxy', $map);
    is $rc, 0, 'haproxy: exit 0';
    like $out, qr/^#   http-request set-var\(txn\.legacy301\) path,url_dec,map\(/m,
        'usage';
    like $out, qr/^#   http-request redirect code 301 location %\[var\(txn\.legacy301\)\]\?%\[query\] if/m,
        'the request\'s query passed on';
    like body($out), qr{\A(/\S+ /\S+\n){8}\z}, 'eight 301 entries';
};

subtest 'netlify' => sub {
    my ($rc, $out, $err) = dump_map('--format', 'netlify', $odd);
    is $rc, 0, 'exit 0';
    like $out, qr{^/caf%C3%A9\.html /cafe 301!$}m, 'encoded key, forced status';
    like $out, qr{^/with%20space\.html /space 301!$}m, 'space stays encoded';
    unlike $out, qr{gone}, 'no 410 (Netlify needs a page)';
    like $err, qr/1 entry not exported: a status the format does not support/,
        'says so';
    ($rc, $out) = dump_map('--format', 'netlify', $map);
    like $out, qr{^/p/contact\.html /contact/ 308!$}m, 'statuses kept';
};

subtest 'cloudflare-csv' => sub {
    my ($rc, $out, $err) = dump_map('--format', 'cloudflare-csv', $map);
    is $rc, 2, 'without --host: exit 2';
    like $err, qr/needs --host/, 'says so';
    ($rc, $out, $err) = dump_map('--format', 'cloudflare-csv', '--host',
                                 'blog.example.org', $map);
    is $rc, 0, 'exit 0';
    like $out, qr{^blog\.example\.org/p/contact\.html,https://blog\.example\.org/contact/,308,TRUE,FALSE,FALSE,FALSE$}m,
        'source_url,target_url,status_code,preserve_query_string,include_subdomains,subpath_matching,preserve_path_suffix';
    unlike $out, qr/^source_url/, 'no header row';
    unlike $out, qr/,303,/, 'no 303';
    like $err, qr/1 entry not exported: a status/, 'the 303 said';
    ($rc, $out) = dump_map('--format', 'cloudflare-csv', '--host',
                           'http://blog.example.org', $odd);
    like $out, qr{^"blog\.example\.org/comma,x\.html","http://blog\.example\.org/a,b",301,}m,
        'commas quoted; scheme from --host';
    like $out, qr{^blog\.example\.org/caf%C3%A9\.html,}m, 'encoded key';

    # quotes in a quoted field are doubled (RFC 4180)
    mkdir "$dir/quotes";
    open my $fh, '>', "$dir/quotes/redirect-map.yaml" or die;
    print {$fh} <<'YAML';
redirects:
  /quote%22.html: /t3
  '/a,b"c.html': '/x"y,z'
  /q.html: '/t?a=1&b="2"'
  /abs.html: 'https://other.example/q"x'
YAML
    close $fh;
    ($rc, undef, $err) = run('redirect-map', 'build', '-q', '-c',
                             "$dir/quotes/redirect-map.yaml", '-o',
                             "$dir/quotes.map");
    is $rc, 0, 'a map with quotes in keys and targets' or diag $err;
    ($rc, $out) = dump_map('--format', 'cloudflare-csv', '--host',
                           'example.org', "$dir/quotes.map");
    is $out, qq{"example.org/a,b""c.html","https://example.org/x""y,z",301,TRUE,FALSE,FALSE,FALSE\n}
        . qq{example.org/abs.html,"https://other.example/q""x",301,TRUE,FALSE,FALSE,FALSE\n}
        . qq{example.org/q.html,"https://example.org/t?a=1&b=""2""",301,TRUE,FALSE,FALSE,FALSE\n}
        . qq{"example.org/quote"".html",https://example.org/t3,301,TRUE,FALSE,FALSE,FALSE\n},
        'a field with a quote is quoted, its quotes doubled';
};

subtest 'errors' => sub {
    my ($rc, $out, $err) = dump_map('--format', 'xml', $map);
    is $rc, 2, 'unknown format: exit 2';
    like $err, qr/unknown format "xml" \(formats: tsv, json, nginx, apache, haproxy, netlify, cloudflare-csv\)/,
        'lists the formats';
    ($rc, undef, $err) = dump_map('--status', 200, $map);
    is $rc, 2, 'bad --status: exit 2';
    for my $f (qw(tsv json nginx apache haproxy netlify cloudflare-csv)) {
        ($rc, $out, $err) = dump_map('--format', $f, '--host', 'x.org',
                                     "$dir/none.map");
        is $rc, 3, "$f: missing map: exit 3";
    }
    damage_map($map, 'flipped.map', sub { vec(${$_[0]}, 8 * 300 + 3, 1) ^= 1 });
    for my $f (qw(tsv json nginx)) {
        ($rc, $out, $err) = dump_map('--format', $f, "$dir/flipped.map");
        is $rc, 3, "$f: damaged map: exit 3";
        is $out, '', 'nothing on stdout';
    }
    like $err, qr/checksum mismatch/, 'says why';
};

done_testing;
