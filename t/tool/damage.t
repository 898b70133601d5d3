# Damaged maps: every truncation of a small map, thousands of random bit
# flips and byte overwrites of real maps, and a few whole-file accidents
# are refused, with a reason, by the tool (redirect-map info and lookup)
# and by nginx -t with the module.  None crashes either, and none is
# accepted: the checksum covers every byte, so a damaged map never
# answers with wrong redirects.
#
# DAMAGE_SEED=N replays a run (the seed is printed); DAMAGE_FLIPS and
# DAMAGE_NGINX scale the random parts (defaults 2000 and 150).

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use Fixture qw(run build_map map_dir root slurp);
use POSIX qw(WIFSIGNALED WTERMSIG);
use Test::More;

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $module = $ENV{TEST_NGINX_LOAD_MODULES}
             || root() . '/build/ngx_http_legacy_redirect_module.so';
my $seed = $ENV{DAMAGE_SEED} // time;
my $flips = $ENV{DAMAGE_FLIPS} // 2000;
my $nginx_samples = $ENV{DAMAGE_NGINX} // 150;
srand $seed;
note "DAMAGE_SEED=$seed";

my $dir = map_dir();
mkdir "$dir/logs";

my $shop = build_map('shop.map', 't/fixtures/shop');
my $blog = build_map('blog.map', 't/fixtures/blog');
my $blogger = do {
    my $out = "$dir/blogger.map";
    my ($rc, undef, $err) = run('redirect-map', 'build', '-q', '-c',
                                root() . '/t/fixtures/blogger/redirect-map.yaml',
                                '-o', $out);
    $rc == 0 or die "blogger build: $err";
    $out;
};

# every reason lrm_open() and the loaders give
my $reason = join '|',
    'not a legacy redirect map \(bad magic\)', 'file is truncated',
    'map format version \d+ is not supported',
    'file is \d+ bytes but its header says \d+', 'checksum mismatch',
    'bad header size or reserved field', 'unknown flags in header',
    'hash table lies outside', 'inconsistent entry, bucket and slot',
    'section lies outside the file', 'section is malformed', 'empty file';

my $damaged = "$dir/damaged.map";

sub write_bytes {
    my ($path, $bytes) = @_;
    open my $fh, '>:raw', $path or die "$path: $!";
    print {$fh} $bytes;
    close $fh or die "$path: $!";
}

# the tool: "info" opens and validates, "lookup" also looks up
my (%tool_fail, $tool_tries);
sub tool_refuses {
    my ($what) = @_;
    $tool_tries++;
    run('redirect-map', 'lookup', $damaged, '/x.html');
    if ($? & 127) {
        $tool_fail{"$what: lookup died with signal " . ($? & 127)}++;
    }
    my ($rc, $out, $err) = run('redirect-map', 'info', $damaged);
    if ($? & 127) {
        $tool_fail{"$what: info died with signal " . ($? & 127)}++;
    } elsif ($rc != 3) {
        $tool_fail{"$what: info exit $rc, not 3"}++;
    } elsif ($err !~ /^redirect-map: \Q$damaged\E: (?:$reason)/m) {
        $tool_fail{"$what: unclear message: $err"}++;
    }
}

# nginx -t with the module
my $conf = "$dir/nginx.conf";
write_bytes($conf, <<"EOF");
load_module $module;
error_log $dir/logs/error.log;
pid $dir/logs/nginx.pid;
events { worker_connections 16; }
http {
    access_log off;
    server {
        listen 127.0.0.1:1;
        legacy_redirect_map $damaged;
    }
}
EOF

my (%nginx_fail, $nginx_tries);
sub nginx_refuses {
    my ($what) = @_;
    $nginx_tries++;
    my ($rc, undef, $err) = run($nginx, '-t', '-q', '-p', $dir, '-c', $conf);
    if ($? & 127) {
        $nginx_fail{"$what: nginx -t died with signal " . ($? & 127)}++;
    } elsif ($rc == 0) {
        $nginx_fail{"$what: nginx -t accepted it"}++;
    } elsif ($err !~ /\[emerg\] .*legacy_redirect_map "\Q$damaged\E":? (?:$reason)/) {
        $nginx_fail{"$what: unclear message: $err"}++;
    }
}

# --- every truncation of a small map ----------------------------------------

my $bytes = slurp($shop);
my $size = length $bytes;
for my $len (0 .. $size - 1) {
    write_bytes($damaged, substr($bytes, 0, $len));
    tool_refuses("shop.map cut to $len bytes");
    nginx_refuses("shop.map cut to $len bytes");
}
# and one byte too many
write_bytes($damaged, $bytes . "\0");
tool_refuses('shop.map padded');
nginx_refuses('shop.map padded');

is_deeply \%tool_fail, {}, "the tool refuses all $tool_tries truncations of a $size-byte map, with a reason";
is_deeply \%nginx_fail, {}, "nginx -t refuses all $nginx_tries of them, with a reason";

# --- random bit flips and byte overwrites of real maps ----------------------

%tool_fail = %nginx_fail = ();
$tool_tries = $nginx_tries = 0;

my @maps = map { [$_, slurp($_)] } $blog, $blogger, $shop;

sub damage_once {
    my ($i) = @_;
    my ($name, $b) = @{ $maps[$i % @maps] };
    $name =~ s{.*/}{};
    my $what;
    if ($i % 2) {
        my $bit = int rand(8 * length $b);
        vec($b, $bit, 1) ^= 1;
        $what = "$name: bit $bit flipped";
    } else {
        my $at = int rand(length $b);
        my $n = 1 + int rand(8);
        my $new = join '', map { chr int rand 256 } 1 .. $n;
        $new = chr(ord(substr($b, $at, 1)) ^ 0xff) . substr($new, 1)
            if substr($b, $at, 1) eq substr($new, 0, 1);   # always a change
        substr($b, $at, $n) = $new;
        $b = substr($b, 0, length $maps[$i % @maps][1]);   # same size
        $what = "$name: $n bytes overwritten at $at";
    }
    write_bytes($damaged, $b);
    return $what;
}

for my $i (1 .. $flips) {
    tool_refuses(damage_once($i));
}
for my $i (1 .. $nginx_samples) {
    nginx_refuses(damage_once($i));
}

is_deeply \%tool_fail, {}, "the tool refuses $tool_tries randomly damaged maps (bit flips, overwrites)";
is_deeply \%nginx_fail, {}, "nginx -t refuses $nginx_tries randomly damaged maps";

# --- whole-file accidents ---------------------------------------------------

%tool_fail = %nginx_fail = ();
my %accidents = (
    'zeros'          => "\0" x length($maps[0][1]),
    'another format' => "# nginx map\n/old.html /new;\n",
    'header only'    => substr($maps[0][1], 0, 128),
    'two maps'       => $maps[0][1] . $maps[2][1],
    'version 3'      => do { my $b = $maps[0][1]; substr($b, 8, 4) = pack('V', 3); $b },
);
for my $what (sort keys %accidents) {
    write_bytes($damaged, $accidents{$what});
    tool_refuses($what);
    nginx_refuses($what);
}
is_deeply \%tool_fail, {}, 'the tool refuses a zeroed map, a text file, a header alone, two maps, version 3';
is_deeply \%nginx_fail, {}, 'and so does nginx -t';

unlink $damaged;
mkdir $damaged;
my ($rc, undef, $err) = run($nginx, '-t', '-q', '-p', $dir, '-c', $conf);
like $err, qr/\[emerg\] .*legacy_redirect_map "\Q$damaged\E" is not a file/,
    'nginx -t: a folder where the map should be';
($rc, undef, $err) = run('redirect-map', 'info', $damaged);
isnt $rc, 0, 'the tool refuses a folder too';
like $err, qr/\Q$damaged\E/, '... naming it';

done_testing;
