package Test::Nginx::Socket;

# A small, self-contained stand-in for OpenResty's Test::Nginx::Socket.
#
# It is only meant to be used when the real module is not installed (see
# t/lib/README.md).  It reads the same data-driven .t files (Test::Base
# syntax after __DATA__), writes the same nginx.conf layout, sends the same
# HTTP requests and emits the same TAP test names and test counts for the
# sections it supports.  Sections it does not support make the block FAIL;
# they are never silently ignored.
#
# Only core Perl modules are used.

use strict;
use warnings;

our $VERSION = '0.01';

use Test::More ();
use Cwd ();
use File::Path ();
use File::Spec ();
use IO::Select ();
use IO::Socket::INET ();
use List::Util ();
use MIME::Base64 ();
use POSIX qw(:sys_wait_h SIGQUIT SIGTERM SIGKILL);
use Scalar::Util qw(looks_like_number);
use Time::HiRes ();

# ---------------------------------------------------------------------------
# Settings (same environment variables and defaults as Test::Nginx::Util)
# ---------------------------------------------------------------------------

for my $mode (qw(TEST_NGINX_USE_HUP TEST_NGINX_USE_HTTP2 TEST_NGINX_USE_HTTP3
                 TEST_NGINX_CHECK_LEAK TEST_NGINX_BENCHMARK TEST_NGINX_USE_STAP
                 TEST_NGINX_USE_RR TEST_NGINX_RANDOMIZE TEST_NGINX_NO_NGINX_MANAGER))
{
    die "$mode is set, but this mode is not supported by the fallback "
        . "Test::Nginx::Socket in t/lib (see t/lib/README.md)\n" if $ENV{$mode};
}

our $NginxBinary       = $ENV{TEST_NGINX_BINARY} || 'nginx';
our $LoadModules       = $ENV{TEST_NGINX_LOAD_MODULES};
our $UseValgrind       = $ENV{TEST_NGINX_USE_VALGRIND};
our $Timeout           = $ENV{TEST_NGINX_TIMEOUT} || 3;
our $Sleep             = $ENV{TEST_NGINX_SLEEP} || 0.015;
our $LogLevel          = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
our $MasterProcess     = $ENV{TEST_NGINX_MASTER_PROCESS} || 'off';
our $NoShuffle         = $ENV{TEST_NGINX_NO_SHUFFLE} || 0;
our $CheckAccumErrLog  = $ENV{TEST_NGINX_CHECK_ACCUM_ERR_LOG};
our $ServerPort        = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
our $ServerPortForClient = $ENV{TEST_NGINX_CLIENT_PORT} || $ServerPort;
our $ServerAddr        = '127.0.0.1';
our $ServerName        = 'localhost';
our $Workers           = 1;
our $WorkerConnections = 64;
our $RepeatEach        = 1;
our $NoLongString      = 0;
our $NoRootLocation    = 0;
our $ConfigPreamble    = '';
our $DaemonEnabled     = $UseValgrind ? 'off' : 'on';
our @EnvToNginx;
our @BlockPreprocessors;
our @CleanupHandlers;
our @ResponseBodyChecks;

our $ServRoot = $ENV{TEST_NGINX_SERVROOT} || File::Spec->rel2abs('t/servroot');
$ENV{TEST_NGINX_SERVER_ROOT} = $ServRoot;
our $LogDir     = "$ServRoot/logs";
our $ErrLogFile = "$LogDir/error.log";
our $AccLogFile = "$LogDir/access.log";
our $HtmlDir    = "$ServRoot/html";
our $ConfDir    = "$ServRoot/conf";
our $ConfFile   = "$ConfDir/nginx.conf";
our $PidFile    = "$LogDir/nginx.pid";

our ($NginxVersion, $PrevConfig, $ChildPid, $ErrLogFilePos, $Blocks);

# Sections this runner understands.  Anything else fails the block.
my %Supported = map { $_ => 1 } qw(
    config http_config main_config post_main_config server_name user_files
    request raw_request raw_request_middle_delay more_headers timeout wait abort ignore_response init
    error_code error_code_like
    response_headers response_headers_like
    raw_response_headers_like raw_response_headers_unlike
    response_body response_body_like response_body_unlike
    error_log no_error_log grep_error_log grep_error_log_out
    access_log no_access_log
    must_die log_level skip_nginx skip_eval
    ONLY SKIP LAST no_check_leak curl
);

# ---------------------------------------------------------------------------
# Exports (the real module exports its own helpers plus Test::More's)
# ---------------------------------------------------------------------------

my @OwnExports = qw(
    env_to_nginx is_str run_tests repeat_each config_preamble
    worker_connections master_process_enabled no_long_string workers
    master_on master_off log_level no_shuffle no_root_location server_name
    server_addr server_root html_dir server_port server_port_for_client
    timeout check_accum_error_log add_block_preprocessor bail_out
    add_cleanup_handler add_response_body_check blocks use_hup
    no_nginx_manager no_diag_on_only
);
my @TestMoreExports = qw(
    ok is isnt like unlike is_deeply cmp_ok skip todo_skip pass fail
    eq_array eq_hash eq_set plan can_ok isa_ok diag note explain use_ok
    done_testing BAIL_OUT
);

sub import {
    my ($class, @args) = @_;
    my $caller = caller;
    no strict 'refs';
    *{"${caller}::$_"} = \&{"Test::Nginx::Socket::$_"} for @OwnExports;
    *{"${caller}::$_"} = \&{"Test::More::$_"} for @TestMoreExports;
    # Test::Base turns on strict and warnings in the test file; so do we.
    strict->import;
    warnings->import;
    # `use Test::Nginx::Socket 'no_plan';` / `tests => N` / `skip_all => ..`
    Test::More->builder->plan(@args) if @args;
}

# ---------------------------------------------------------------------------
# Small configuration helpers (same names/semantics as the real runner)
# ---------------------------------------------------------------------------

sub _getset { my ($ref, @v) = @_; $$ref = $v[0] if @v; return $$ref }

sub repeat_each        { _getset(\$RepeatEach, @_) }
sub workers            { _getset(\$Workers, @_) }
sub worker_connections { _getset(\$WorkerConnections, @_) }
sub log_level          { _getset(\$LogLevel, @_) }
sub timeout            { _getset(\$Timeout, @_) }
sub server_name        { _getset(\$ServerName, @_) }
sub server_addr        { _getset(\$ServerAddr, @_) }
sub server_port        { _getset(\$ServerPort, @_) }
sub server_port_for_client { _getset(\$ServerPortForClient, @_) }
sub config_preamble    { $ConfigPreamble = shift }
sub no_long_string     { $NoLongString = 1 }
sub no_shuffle         { $NoShuffle = 1 }
sub no_root_location   { $NoRootLocation = 1 }
sub check_accum_error_log { $CheckAccumErrLog = 1 }
sub master_on          { $MasterProcess = 'on' }
sub master_off         { $MasterProcess = 'off' }
sub master_process_enabled {
    return $MasterProcess unless @_;
    $MasterProcess = $_[0] ? 'on' : 'off';
}
sub html_dir    { $HtmlDir }
sub server_root { $ServRoot }
sub no_diag_on_only { }
sub add_block_preprocessor (&) { unshift @BlockPreprocessors, shift }
sub add_cleanup_handler        { unshift @CleanupHandlers, shift }
sub add_response_body_check    { push @ResponseBodyChecks, shift }
sub use_hup          { die "use_hup() is not supported by t/lib's Test::Nginx::Socket\n" }
sub no_nginx_manager { die "no_nginx_manager() is not supported by t/lib's Test::Nginx::Socket\n" }

sub env_to_nginx {
    die "env_to_nginx: no arguments specified\n" unless @_;
    for my $v (@_) {
        die "env_to_nginx: bad argument value: $v\n"
            if $v !~ /^[A-Za-z_]/ || $v =~ /\n/;
        push @EnvToNginx, $v;
    }
}

sub is_str {
    my ($got, $expected, $desc) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    return Test::More::like($got, $expected, $desc)
        if ref $expected && ref $expected eq 'Regexp';
    return Test::More::is($got, $expected, $desc);
}

sub bail_out {
    cleanup();
    Test::More::BAIL_OUT(join '', @_);
}

# ---------------------------------------------------------------------------
# Block objects: Test::Base::Block compatible accessors.  Values are stored
# as $block->{section} = [values]; an accessor returns the first value in
# scalar context, like Test::Base does.  Unknown accessors return undef.
# ---------------------------------------------------------------------------

package Test::Nginx::Socket::Block;

our $AUTOLOAD;

sub new { bless {}, shift }

sub set_value {
    my ($self, $key, @values) = @_;
    $self->{$key} = [@values];
}

sub AUTOLOAD {
    my $self = shift;
    (my $key = $AUTOLOAD) =~ s/.*:://;
    return if $key eq 'DESTROY';
    die "Not allowed to set values for '$key'\n" if @_;
    my @list = @{ $self->{$key} || [] };
    return wantarray ? @list : $list[0];
}

# Package in which `eval` filters run (like Test::Base::Filter: not main,
# strict on), so `--- request eval` code must use $::var for globals.
package Test::Nginx::Socket::Filter;

sub run_eval {
    my @ret = eval $_[0];    ## no critic
    die "eval filter failed: $@" if $@;
    return @ret;
}

package Test::Nginx::Socket;

# ---------------------------------------------------------------------------
# Parsing the __DATA__ spec (Test::Base semantics)
# ---------------------------------------------------------------------------

my %Filters = (
    norm => sub { my $t = shift // ''; $t =~ s/\015\012/\n/g; $t =~ s/\r/\n/g; $t },
    trim => sub {
        map { my $s = $_; $s =~ s/\A([ \t]*\n)+//; $s =~ s/(?<=\n)\s*\z//g; $s } @_
    },
    chomp   => sub { map { my $s = $_; chomp $s; $s } @_ },
    chop    => sub { map { my $s = $_; chop $s; $s } @_ },
    unchomp => sub { map { "$_\n" } @_ },
    eval    => sub { Test::Nginx::Socket::Filter::run_eval(shift) },
    escape  => sub { my $t = shift; $t =~ s/(\\.)/eval "qq{$1}"/ge; $t },
    base64_decode => sub { MIME::Base64::decode_base64(shift) },
    lines   => sub { my $t = shift; length $t ? ($t =~ /^(.*\n?)/gm) : () },
    array   => sub { [@_] },
    join    => sub { my $sep = $_[-1]; join $sep // '', @_[0 .. $#_ - 1] },
);
my %FilterTakesArg = (join => 1);

sub _parse_spec {
    my $spec = do { no warnings 'once'; local $/; my $fh = \*main::DATA; <$fh> };
    die "Test::Nginx::Socket: no __DATA__ section found in $0\n" unless defined $spec;
    die "Test::Nginx::Socket: <<< >>> pre-eval is not supported\n"
        if $spec =~ /\A\s*<<</;

    my @blocks;
    for my $hunk ($spec =~ /^(===.*?(?=^===|\z))/msg) {
        my $block = _make_block($hunk);
        if (exists $block->{ONLY}) {
            Test::More::diag("I found ONLY: maybe you're debugging?");
            return [$block];
        }
        next if exists $block->{SKIP};
        push @blocks, $block;
        last if exists $block->{LAST};
    }
    return \@blocks;
}

sub _make_block {
    my $hunk = shift;
    my $block = Test::Nginx::Socket::Block->new;
    $hunk =~ s/\A===[ \t]*(.*)\s+// or die "bad block: $hunk";
    my $name = $1;
    my @parts = split /^---[ ]+\(?(\w+)\)? *(.*)?\n/m, $hunk;
    shift @parts;    # description text between the title and 1st section
    my (%filters, @order);
    while (@parts) {
        my ($type, $filters, $value) = splice @parts, 0, 3;
        $value   //= '';
        $filters //= '';
        if ($filters =~ /:(\s|\z)/) {    # --- name: inline value
            die "Extra lines not allowed in '$type' section\n" if $value =~ /\S/;
            ($filters, $value) = split /\s*:(?:\s+|\z)/, $filters, 2;
            $value //= '';
            $value =~ s/^\s*(.*?)\s*$/$1/;
        }
        $filters{$type} = $filters;
        push @order, $type;
        $block->set_value($type, $value);
    }
    $block->set_value(name => $name);
    $block->{_filters} = \%filters;
    $block->{_order}   = \@order;
    return $block;
}

# Default filters are "norm trim"; "-x" removes one, "+x" appends one.
sub _filter_list {
    my $string = shift // '';
    my (@filters, @append);
    for my $spec ('norm', 'trim', split /\s+/, $string) {
        my $f = $spec;
        next unless length $f;
        if ($f =~ s/^-//)     { @filters = grep { $_ ne $f } @filters }
        elsif ($f =~ s/^\+//) { push @append, $f }
        else                  { push @filters, $f }
    }
    return (@filters, @append);
}

sub _run_filters {
    my $block = shift;
    for my $type (@{ $block->{_order} }) {
        my @value = @{ $block->{$type} };
        for my $filter (_filter_list($block->{_filters}{$type})) {
            my $arg = $filter =~ s/=(.*)$// ? $1 : undef;
            no strict 'refs';
            if (defined &{"main::$filter"}) {    # user-defined filter in the .t
                local $_ = join '', map { $_ // '' } @value;
                @value = &{"main::$filter"}(@value);
                @value = ($_) if !@value
                    || (@value == 1 && defined $value[0] && $value[0] =~ /\A(\d+|)\z/);
            } elsif (my $code = $Filters{$filter}) {
                @value = $code->(@value, $FilterTakesArg{$filter} ? ($arg) : ());
            } else {
                die "$0: block '" . $block->name . "': Can't find a function "
                    . "or method for '$filter' filter (section '$type')\n";
            }
        }
        $block->set_value($type, @value);
    }
}

sub blocks {
    $Blocks ||= _parse_spec();
    return scalar @$Blocks unless wantarray;
    for my $b (@$Blocks) {
        next if $b->{_filtered}++;
        _run_filters($b);
    }
    return @$Blocks;
}

# ---------------------------------------------------------------------------
# nginx process management
# ---------------------------------------------------------------------------

sub _is_running { my $pid = shift; return $pid && kill 0, $pid }

sub _read_pid {
    open my $in, '<', $PidFile or return undef;
    my $pid = <$in>;
    close $in;
    return undef unless defined $pid;
    chomp $pid;
    return $pid =~ /^\d+$/ ? $pid : undef;
}

# QUIT, wait up to timeout(), then TERM a few times, then KILL.
sub _kill_process {
    my ($pid, $name) = @_;
    return unless _is_running($pid);
    kill SIGQUIT, $pid;
    my $left = $Timeout;
    while ($left > 0 && _is_running($pid)) {
        waitpid $pid, WNOHANG;
        Time::HiRes::sleep(0.05);
        $left -= 0.05;
    }
    for (1 .. 20) {
        last unless _is_running($pid);
        kill SIGTERM, $pid;
        Time::HiRes::sleep(0.1);
        waitpid $pid, WNOHANG;
    }
    if (_is_running($pid)) {
        warn "$name - WARNING: killing the process $pid with force...\n";
        kill SIGKILL, $pid;
        waitpid $pid, 0;
    }
}

sub _stop_nginx {
    my $name = shift;
    my $pid = _read_pid();
    _kill_process($pid, $name) if defined $pid;
    if (defined $ChildPid) {    # valgrind mode: nginx is our child
        _kill_process($ChildPid, $name);
        waitpid $ChildPid, 0;
        undef $ChildPid;
    }
    unlink $PidFile if -f $PidFile;
}

sub cleanup {
    $_->() for @CleanupHandlers;
    if (defined $ChildPid) {
        _kill_process($ChildPid, 'cleanup');
        waitpid $ChildPid, 0;
        undef $ChildPid;
    }
}

sub _nginx_version {
    my $out = `$NginxBinary -V 2>&1`;
    bail_out("Failed to get the version of the Nginx in PATH: " . ($out // ''))
        if !defined $out || $? != 0;
    return sprintf "%d.%03d%03d", $1, $2, $3
        if $out =~ m{(?:nginx|openresty)[^/]*/(\d+)\.(\d+)\.(\d+)}s
        || $out =~ m{\w+/(\d+)\.(\d+)\.(\d+)}s;
    bail_out("Failed to parse the output of \"nginx -V\": $out");
}

# Recreate servroot/{conf,html,logs} (error.log starts empty for each start).
sub _setup_server_root {
    if (-d $ServRoot) {
        File::Path::remove_tree($ConfDir, $HtmlDir, $LogDir,
                                glob("$ServRoot/*_cache"), glob("$ServRoot/*_temp"));
        rmdir $ServRoot or bail_out("Can't remove $ServRoot (not empty?): $!");
    }
    for my $d ($ServRoot, $LogDir, $HtmlDir, $ConfDir) {
        mkdir $d or bail_out("Failed to do mkdir $d: $!");
    }
    _write_file("$HtmlDir/index.html",
        '<html><head><title>It works!</title></head><body>It works!</body></html>');
}

sub _write_file {
    my ($path, $content) = @_;
    open my $out, '>', $path or bail_out("Can't open $path for writing: $!");
    binmode $out;
    print $out $content;
    close $out;
}

# $TEST_NGINX_FOO -> $ENV{TEST_NGINX_FOO}; TEST_NGINX_RAND_PORT_N -> free port.
sub _expand_env {
    my ($text, $name, $rand_ports) = @_;
    return undef unless defined $text;
    $text =~ s{\$(TEST_NGINX_[_A-Z0-9]+)}{
        my $var = $1;
        if ($var =~ /^TEST_NGINX_RAND_PORT_\d+$/) {
            $rand_ports->{$var} //= _rand_port($name, $rand_ports);
        } else {
            defined $ENV{$var} or bail_out("$name - No environment $var defined.");
            $ENV{$var};
        }
    }ge;
    return $text;
}

sub _rand_port {
    my ($name, $used) = @_;
    my %used = map { $_ => 1 } $ServerPort, values %$used;
    for (1 .. 1000) {
        my $port = int(rand 63550) + 1985;
        next if $used{$port};
        my $sock = IO::Socket::INET->new(LocalAddr => $ServerAddr, LocalPort => $port,
                                         Proto => 'tcp', Listen => 1);
        if ($sock) { close $sock; return $port }
    }
    bail_out("$name - Cannot find an available listening port number.");
}

sub _write_user_files {
    my ($block, $rand_ports) = @_;
    my $name  = $block->name;
    my $files = $block->user_files;
    return unless $files;
    if (!ref $files) {
        my (@list, $cur);
        for my $line (split /^/, $files) {
            if ($line =~ />>> (\S+)(?:\s+(.+))?/) {
                push @list, $cur if $cur;
                $cur = [$1, undef, $2];
            } elsif ($cur) {
                $cur->[1] .= $line;
            }
        }
        push @list, $cur if $cur;
        $files = \@list;
    } elsif (ref $files ne 'ARRAY') {
        bail_out("$name - wrong value type: " . ref($files)
                 . ", only scalar or ARRAY are accepted");
    }
    for my $f (@$files) {
        my ($fname, $body, $date) = @$f;
        my $path = $fname =~ m{^/} ? $fname : "$HtmlDir/$fname";
        if ($path =~ m{(.*)/} && !-d $1) {
            File::Path::make_path($1) or bail_out("$name - Cannot create directory $1");
        }
        _write_file($path, _expand_env($body // '', $name, $rand_ports));
        if ($date) {
            system("TZ=GMT touch -t '$date' '$path'") == 0
                or bail_out("Failed to set the date of $path");
        }
    }
}

# Same layout as Test::Nginx::Util::write_config_file().
sub _write_config {
    my ($block, $config, $rand_ports) = @_;
    my $name = $block->name;
    my $http_config = _expand_env(scalar $block->http_config, $name, $rand_ports) // '';
    my $main_config = $block->main_config // '';
    # load_module lines are appended to main_config (joined by a space).
    if ($LoadModules) {
        my @m = map { "load_module $_;" } grep { length } split /\s+/, $LoadModules;
        $main_config .= join ' ', @m;
    }
    $main_config = _expand_env($main_config, $name, $rand_ports);
    my $post_main = _expand_env(scalar $block->post_main_config, $name, $rand_ports) // '';
    my $server_name = $block->server_name // $ServerName;
    my $env = join '', map { my $v = /\s/ ? "'$_'" : $_; "env $v;\n" } @EnvToNginx;
    my $root_loc = $NoRootLocation ? '' : <<"_EOC_";
        location / {
            root $HtmlDir;
            index index.html index.htm;
        }
_EOC_
    my $user = $> == 0 ? "user root;\n" : '';

    my $conf = <<"_EOC_";
worker_processes  $Workers;
daemon $DaemonEnabled;
master_process $MasterProcess;
error_log $ErrLogFile $LogLevel;
pid       $PidFile;
env MOCKEAGAIN_VERBOSE;
env MOCKEAGAIN;
env MOCKEAGAIN_WRITE_TIMEOUT_PATTERN;
env LD_PRELOAD;
env LD_LIBRARY_PATH;
env DYLD_INSERT_LIBRARIES;
env DYLD_FORCE_FLAT_NAMESPACE;
${env}#env LUA_PATH;
#env LUA_CPATH;

$main_config

http {
    access_log $AccLogFile;
    #access_log off;

    default_type text/plain;
    keepalive_timeout  68;

$http_config

    server {
        listen          $ServerPort;
        server_name     '$server_name';

        client_max_body_size 30M;
        #client_body_buffer_size 4k;


        # Begin preamble config...
$ConfigPreamble
        # End preamble config...

        # Begin test case config...
$config
        # End test case config.

${root_loc}    }
}

$post_main

#timer_resolution 100ms;

events {
    accept_mutex off;

    worker_connections  $WorkerConnections;
}
env ASAN_OPTIONS;
env MOCKNOEAGAIN_VERBOSE;
env MOCKNOEAGAIN;
_EOC_
    _write_file($ConfFile, $conf . $user);
}

# The nginx command line, as the real runner builds it.  Note: messages
# that nginx logs before its error_log directive takes effect (config parse
# errors) go to the error log path compiled into nginx: servroot/logs/
# error.log for nginx built with the default relative path (OpenResty), but
# stderr only for Debian's nginx (--error-log-path=stderr).  We do not add
# "-e", so a "--- must_die" + "--- error_log" block sees exactly what it
# would see under the real runner with the same binary.
sub _nginx_cmd {
    return "$NginxBinary -p '$ServRoot/' -c '$ConfFile'";
}

sub _valgrind_cmd {
    my $cmd = shift;
    return "valgrind -q $UseValgrind $cmd" unless $UseValgrind =~ /^\d+$/;
    my $supp = -f 'valgrind.suppress' ? ' --suppressions=valgrind.suppress' : '';
    # ours: nginx's own single-process leaks (see that file), and an exit
    # code telling _stop_valgrind that memcheck reported something.
    (my $own = __FILE__) =~ s{Socket\.pm$}{valgrind.suppress};
    $supp .= " --suppressions='$own'" if -f $own;
    return "valgrind --num-callers=100 -q --tool=memcheck --leak-check=full "
        . "--show-possibly-lost=no --gen-suppressions=all$supp "
        . "--errors-for-leak-kinds=definite --error-exitcode=99 $cmd";
}

# Start nginx in the background under valgrind (daemon off, our child).
sub _start_valgrind {
    my ($name) = @_;
    my $cmd = _valgrind_cmd(_nginx_cmd()) . ' > /dev/null';
    warn "$name\n";
    my $pid = fork;
    bail_out("$name - fork() failed: $!") unless defined $pid;
    if ($pid == 0) {
        setpgrp;
        exec "exec $cmd" or POSIX::_exit(127);
    }
    $ChildPid = $pid;
    Time::HiRes::sleep($Sleep);
}

# After a block in valgrind mode: QUIT nginx so memcheck reports leaks now.
sub _stop_valgrind {
    my ($name) = @_;
    return unless defined $ChildPid;
    my $pid = $ChildPid;
    undef $ChildPid;
    kill SIGQUIT, $pid;
    my $left = 30;
    while ($left > 0 && waitpid($pid, WNOHANG) == 0) {
        Time::HiRes::sleep(0.05);
        $left -= 0.05;
    }
    if ($left <= 0) {
        kill SIGKILL, -$pid;
        waitpid $pid, 0;
    }
    my $exit = $? >> 8;
    # Extra check of ours: the real runner only prints valgrind's report.
    Test::More::fail("$name - valgrind reported errors (see stderr)") if $exit == 99;
    unlink $PidFile;
}

# ---------------------------------------------------------------------------
# Running the blocks
# ---------------------------------------------------------------------------

sub run_tests {
    $NginxVersion = _nginx_version();
    $ENV{TEST_NGINX_SERVER_PORT} //= $ServerPort;
    my @blocks = blocks();
    @blocks = List::Util::shuffle(@blocks) unless $NoShuffle;
    for my $block (@blocks) {
        $_->($block) for @BlockPreprocessors;
        $block->set_value(name => "$0 " . $block->name);
        run_test($block);
    }
    cleanup();
}

sub _unsupported_sections {
    my $block = shift;
    return grep { !/^_/ && $_ ne 'name' && !$Supported{$_} } sort keys %$block;
}

sub _parse_time {
    my $t = shift;
    return $t unless defined $t;
    if ($t =~ s/([^_a-zA-Z])ms$/$1/) { $t /= 1000 }
    else { $t =~ s/([^_a-zA-Z])s$/$1/ }
    return $t;
}

# Returns (number of tests to skip, reason) or () if the block runs.
sub _skip_spec {
    my $block = shift;
    my $name = $block->name;
    if (defined(my $s = $block->skip_eval)) {
        if ($s =~ /^\s*(\d+)\s*:\s*(.*)/s) {
            my ($n, $code) = ($1, $2);
            my $skip = eval $code;
            bail_out("$name - skip_eval - failed to eval the Perl code \"$code\": $@") if $@;
            return ($n, 'skip_eval') if $skip;
        }
    }
    if (defined(my $s = $block->skip_nginx)) {
        $s =~ /^\s*(\d+)\s*:\s*([<>]=?)\s*(\d+)\.(\d+)\.(\d+)(?:\s*:\s*(.*))?\s*$/
            or bail_out("$name - Invalid --- skip_nginx spec: $s");
        my ($n, $op, $reason) = ($1, $2, $6);
        my $ver = sprintf "%d.%03d%03d", $3, $4, $5;
        return ($n, $reason || "nginx version $op $3.$4.$5")
            if eval "$NginxVersion $op $ver";
    }
    return ();
}

sub run_test {
    my $block = shift;
    my $name  = $block->name;

    if (my @bad = _unsupported_sections($block)) {
        Test::More::fail("$name - unsupported section(s) for t/lib's Test::Nginx::Socket: "
                         . join(', ', map { "--- $_" } @bad));
        return;
    }

    my $rand_ports = {};
    my $config = _expand_env(scalar $block->config, $name, $rand_ports);
    local $LogLevel = $block->log_level || $LogLevel;
    my $must_die = $block->must_die;
    local $UseValgrind = defined $must_die ? undef : $UseValgrind;
    local $DaemonEnabled = $UseValgrind ? 'off' : 'on';

    my ($nskip, $skip_reason) = _skip_spec($block);
    if (defined $nskip) {
        for (1 .. $RepeatEach) {
          SKIP: { Test::More::skip("$name - $skip_reason", $nskip) }
        }
        return;
    }

    # Like the real runner, a block without --- config reuses the nginx
    # started for the previous block (no restart, error.log is kept).
    if (defined $config) {
        $PrevConfig = $config;
        _stop_nginx($name);
        _setup_server_root();
        _write_user_files($block, $rand_ports);
        _write_config($block, $config, $rand_ports);
        if (defined $must_die) {
            return _run_must_die($block, $must_die);
        }
        _start_nginx($block);
    } elsif (!defined $PrevConfig) {
        bail_out("$name - No '--- config' section specified and could not get previous one.");
    }

    if (defined $block->init) {
        eval $block->init;
        bail_out("$name - init failed: $@") if $@;
    }

    $ErrLogFilePos = 0;
    for my $i (1 .. $RepeatEach) {
        _write_user_files($block, $rand_ports) if $i > 1;
        _run_requests($block, $i - 1);
    }
    _stop_valgrind($name) if $UseValgrind;
}

sub _start_nginx {
    my $block = shift;
    my $name  = $block->name;
    if ($UseValgrind) {
        _start_valgrind($name);
        return;
    }
    my $cmd = _nginx_cmd() . ' > /dev/null';
    my $waited = 0;
    for (my $i = 1; ; $i++) {
        system $cmd;
        last if $? == 0;
        # the previous nginx may still hold the port: retry a little
        # (the real runner retries for 30 s before bailing out).
        bail_out("$name - Cannot start nginx using command \"$cmd\" (status code $?).")
            if $waited >= 3;
        my $delay = $i * 0.1 > 1 ? 1 : $i * 0.1;
        Time::HiRes::sleep($delay);
        $waited += $delay;
    }
    Time::HiRes::sleep($Sleep);
}

# --- must_die: nginx must fail to start.  Then error_log / no_error_log are
# checked against servroot/logs/error.log (as the real runner does).
sub _run_must_die {
    my ($block, $must_die) = @_;
    my $name = $block->name;
    my $cmd  = _nginx_cmd() . ' > /dev/null';
    $ErrLogFilePos = 0;
    for my $i (0 .. $RepeatEach - 1) {
        system $cmd;
        my $status = $?;
        if ($status == -1) {
            Test::More::fail("$name - failed to execute the nginx command line");
        } elsif ($status & 128) {
            Test::More::fail("$name - nginx core dumped");
        } elsif (looks_like_number($must_die)) {
            Test::More::is($must_die, $status >> 8, "$name - die with the expected exit code");
        } else {
            Test::More::isnt($status, 0, "$name - die as expected");
        }
        _check_error_log($block, undef, $i);
        if ($status == 0) {
            warn "WARNING: $name - nginx must die but it does not; killing it (req $i)\n";
            for (1 .. 15) { last if -f $PidFile; Time::HiRes::sleep($Sleep) }
            _stop_nginx($name);
        }
    }
}

# ---------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------

sub _parse_more_headers {
    my $in = shift;
    my ($out, $chunked) = ('', 0);
    for my $h (split /\n+/, $in) {
        next if $h =~ /^\s*#/;
        my ($k, $v) = split /:\s*/, $h, 2;
        $v //= '';
        $chunked = 1 if lc($k) eq 'transfer-encoding' && $v eq 'chunked';
        $out .= "$k: $v\r\n";
    }
    return ($out, $chunked);
}

# "METHOD [URI [VERSION]]\n[body]" -> full HTTP request text, adding
# Host: localhost, Connection: close and Content-Length like the real runner.
sub _build_request {
    my ($name, $text, $more_headers) = @_;
    $text //= '';
    my ($first, $content) = split /\n/, $text, 2;
    $first   //= '';
    $content //= '';
    $first =~ /^\s*(\S+)(?:\s+(\S+))?(?:\s+(\S+))?\s*$/
        or bail_out("$name - Request line should be non-empty") ;
    my ($meth, $url, $ver) = ($1, $2 // '/', $3 // 'HTTP/1.1');
    my ($hdr, $chunked) = _parse_more_headers($more_headers);
    my $len = '';
    if (!$chunked && $content ne '' && $hdr !~ /(?:^|\n)Content-Length:/) {
        $content =~ s/^\s+|\s+$//gs;
        $len = 'Content-Length: ' . length($content) . "\r\n";
    }
    my $headers = '';
    $headers .= "Host: $ServerName\r\n" if $hdr !~ /(?:^|\n)Host:/msi;
    $headers .= "Connection: close\r\n" if $hdr !~ /(?:^|\n)Connection/msi;
    return "$meth $url $ver\r\n$headers$hdr$len\r\n$content";
}

# Returns a list of requests; each request is a list of packets.
sub _requests {
    my $block = shift;
    my $name  = $block->name;
    if (defined(my $raw = $block->raw_request)) {
        return ref $raw eq 'ARRAY' ? [@$raw] : [$raw];
    }
    my $req = $block->request;
    if (defined $req && !ref $req) {
        1 while $req =~ s/^\s*\#[^\n]+\s+|^\s+//gs;
    }
    my $more = $block->more_headers // '';
    my $hdr_for = sub {
        my $i = shift;
        return $more unless ref $more eq 'ARRAY';
        my $h = $more->[$i];
        bail_out("--- more_headers lacks data for the ${i}th request") unless defined $h;
        return $h;
    };
    return [ _build_request($name, $req, $hdr_for->(0)) ] if !ref $req;
    bail_out("$name - invalid ---request : MUST be string or array of requests")
        if ref $req ne 'ARRAY';
    my @reqs;
    for my $i (0 .. $#$req) {
        my $one = $req->[$i];
        if (!ref $one) {
            push @reqs, [ _build_request($name, $one, $hdr_for->($i)) ];
        } else {
            # A request given as packets: sent in one go here (the real
            # runner sends the packets separately).
            my $text = join '', map { ref $_ ? $_->{value} : $_ } @$one;
            push @reqs, [ _build_request($name, $text, $hdr_for->($i)) ];
        }
    }
    return @reqs;
}

# Send one request (list of packets), read until the server closes.
sub _send_request {
    my ($block, $packets, $timeout) = @_;
    my $name = $block->name;
    my $sock;
    for my $try (1 .. 50) {
        $sock = IO::Socket::INET->new(PeerAddr => $ServerAddr,
                                      PeerPort => $ServerPortForClient,
                                      Proto => 'tcp', Timeout => $timeout);
        last if $sock;
        my $wait = ($Sleep + $Sleep * $try) * $try / 2;
        $wait = 1 if $wait > 1;
        warn "$name - Can't connect to $ServerAddr:$ServerPortForClient: $!\n" if $wait >= 0.6;
        Time::HiRes::sleep($wait);
    }
    if (!$sock) {
        Test::More::fail("$name - Can't connect to $ServerAddr:$ServerPortForClient: $! (aborted)\n");
        return '';
    }
    binmode $sock;
    my $delay = $block->raw_request_middle_delay;
    for my $k (0 .. $#$packets) {
        Time::HiRes::sleep($delay) if $k && $delay;
        my $data = $packets->[$k];
        while (length $data) {
            my $n = syswrite $sock, $data;
            if (!defined $n) { warn "write failed: $!\n"; last }
            substr($data, 0, $n) = '';
        }
    }
    my $sel  = IO::Select->new($sock);
    my $resp = '';
    while (1) {
        if (!$sel->can_read($timeout)) {
            Test::More::fail("ERROR: client socket timed out - $name\n")
                unless defined $block->abort;
            last;
        }
        my $n = sysread $sock, my $buf, 4096;
        last unless $n;
        $resp .= $buf;
    }
    close $sock;
    return $resp;
}

# Parse a raw response into {code, headers => [[k, v]...], content}, the
# raw header text, and any bytes left over (HTTP::Response semantics).
sub _parse_response {
    my ($name, $raw, $head_req) = @_;
    my $raw_headers = $raw =~ /(.*?\r\n)\r\n/s ? $1 : '';
    my $res = { headers => [], content => '' };
    my $str = $raw;
    if ($str =~ s/^(.*)\n//) {
        (my $status = $1) =~ s/\r\z//;
        my @f = $status =~ /^\d{3} / ? (undef, split ' ', $status, 2)
                                    : split ' ', $status, 3;
        $res->{code} = $f[1];
    } else {
        $res->{code} = undef;
        $str = '';
    }
    while ($str =~ s/^([^\s:]+)[ \t]*: ?(.*)\n?//) {
        my ($k, $v) = ($1, $2);
        $v =~ s/\r\z//;
        push @{ $res->{headers} }, [$k, $v];
    }
    $str =~ s/^\r?\n//;
    $res->{content} = $str;
    my $code = $res->{code};
    undef $res->{code} if defined $code && $code !~ /^\d+$/;
    return ($res, $raw_headers) if $res->{code} && ($code == 304 || $code == 101);

    my $left;
    my $enc = _header($res, 'Transfer-Encoding');
    my $len = _header($res, 'Content-Length');
    if (defined $enc && $enc eq 'chunked') {
        my ($body, $decoded) = ($res->{content}, '');
        while (1) {
            if ($body =~ /\G0[ \t]*\r\n\r\n/gc) {
                $left = $1 if $body =~ /\G(.+)/gcs;
                last;
            }
            if ($body =~ /\G[ \t]*([A-Fa-f0-9]+)[ \t]*\r\n/gc) {
                my $size = hex $1;
                if ($body !~ /\G(.{$size})/gcs) {
                    Test::More::fail("$name - invalid chunked data received "
                                     . "(not enought octets for the data section)");
                    return;
                }
                $decoded .= $1;
                if ($body !~ /\G\r\n/gc) {
                    Test::More::fail("$name - invalid chunked data received (expected CRLF).");
                    return;
                }
            } elsif ($body =~ /\G(.+)/gcs) {
                Test::More::fail("$name - invalid chunked body received: $1");
                return;
            } else {
                Test::More::fail("$name - no last chunk found - $body");
                return;
            }
        }
        $res->{content} = $decoded;
    } elsif (defined $len && $len ne '' && $len >= 0) {
        my $got = length $res->{content};
        if ($got < $len) {
            warn "WARNING: $name - response body truncated: $len expected, but got $got\n"
                unless $head_req;
        } elsif ($got > $len) {
            $left = substr $res->{content}, $len;
            $res->{content} = substr $res->{content}, 0, $len;
        }
    }
    return ($res, $raw_headers, $left);
}

# HTTP::Headers->header($key): case-insensitive, "_" means "-", several
# values joined with ", ".
sub _header {
    my ($res, $key) = @_;
    return undef unless $res;
    my $k = lc $key;
    $k =~ tr/_/-/ unless $k =~ /^:/;
    my @v = map { $_->[1] } grep { lc($_->[0]) eq $k } @{ $res->{headers} };
    return @v ? join(', ', @v) : undef;
}

sub _run_requests {
    my ($block, $rep) = @_;
    my $name = $block->name;
    my @reqs = _requests($block);
    my $timeout = _parse_time(scalar $block->timeout) // $Timeout;
    my $need_array = @reqs > 1;
    my $res;
    for my $idx (0 .. $#reqs) {
        my $raw  = _send_request($block, $reqs[$idx], $timeout);
        my $head = join('', @{ $reqs[$idx] }) =~ /^\s*HEAD\s+/ ? 1 : 0;
        my ($raw_headers, $left);
        if (!defined $block->ignore_response) {
            ($res, $raw_headers, $left) = _parse_response($name, $raw, $head);
            if (defined $left && length $left) {
                $left =~ s/([\0-\037\200-\377])/sprintf('\x{%02x}', ord $1)/eg;
                warn "WARNING: $name - unexpected extra bytes after last chunk in "
                     . "response: \"$left\"\n";
            }
            _check_error_code($block, $res, $idx, $need_array);
            _check_raw_headers($block, $raw_headers, $idx, $need_array);
            _check_headers($block, $res, $raw_headers, $idx, $need_array);
            _check_body($block, $res, $idx, $rep, $need_array);
        }
        if ($idx < $#reqs) {
            Time::HiRes::sleep($block->wait) if $block->wait;
            _check_error_log($block, $res, $rep);
            _check_log_file($block, $rep, 'access') unless defined $block->ignore_response;
        }
    }
    Time::HiRes::sleep($block->wait) if $block->wait;
    _check_error_log($block, $res, $rep);
    _check_log_file($block, $rep, 'access') unless defined $block->ignore_response;
}

# ---------------------------------------------------------------------------
# Checks (test names and counts follow the real runner)
# ---------------------------------------------------------------------------

# With several requests, expectation sections must be arrays (eval [...]).
sub _indexed {
    my ($name, $value, $idx, $need_array) = @_;
    if ($need_array) {
        return $value->[$idx] if ref $value eq 'ARRAY';
        bail_out("$name - You asked for many requests, the expected results "
                 . "should be arrays as well.");
    }
    return ref $value eq 'ARRAY' ? $value->[0] : $value;
}

sub _check_error_code {
    my ($block, $res, $idx, $need_array) = @_;
    my $name = $block->name;
    my $code = ($res && $res->{code}) || '';
    if (defined $block->error_code_like) {
        my $pat = _indexed($name, scalar $block->error_code_like, $idx, $need_array);
        Test::More::like($code, qr/$pat/sm, "$name - status code ok");
    } elsif (defined $block->error_code) {
        Test::More::is($code, _indexed($name, scalar $block->error_code, $idx, $need_array),
                       "$name - status code ok");
    } else {
        Test::More::is($code, 200, "$name - status code ok");
    }
}

sub _check_raw_headers {
    my ($block, $raw, $idx, $need_array) = @_;
    my $name = $block->name;
    if (defined $block->raw_response_headers_like) {
        my $pat = _indexed($name, scalar $block->raw_response_headers_like, $idx, $need_array);
        Test::More::like($raw, qr/$pat/s, "$name - raw resp headers like");
    }
    if (defined $block->raw_response_headers_unlike) {
        my $pat = _indexed($name, scalar $block->raw_response_headers_unlike, $idx, $need_array);
        Test::More::unlike($raw, qr/$pat/s, "$name - raw resp headers unlike");
    }
}

# "Name: value" -> exact; "!Name" -> absent (undef); one entry per name.
sub _parse_header_spec {
    my $s = shift // '';
    my %h;
    for my $line (split /\n/, $s) {
        $line =~ s/^\s+|\s+$//g;
        if ($line =~ s/^!\s*//) {
            $h{$line} = undef;
        } else {
            my ($k, $v) = split /\s*:\s*/, $line, 2;
            $h{$k} = $v;
        }
    }
    return \%h;
}

sub _subst_port {
    my $s = shift;
    $s =~ s/\$ServerPort\b/$ServerPort/g;
    $s =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
    return $s;
}

sub _check_headers {
    my ($block, $res, $raw, $idx, $need_array) = @_;
    my $name = $block->name;
    no warnings 'uninitialized';
    if (defined $block->response_headers) {
        my $h = _parse_header_spec(_indexed($name, scalar $block->response_headers, $idx, $need_array));
        for my $key (sort keys %$h) {
            my $val = $h->{$key};
            if (!defined $val) {
                Test::More::unlike($raw, qr/^\s*\Q$key\E\s*:/ms,
                                   "$name - header $key not present in the raw headers");
                next;
            }
            Test::More::is(_header($res, $key) // '', _subst_port($val),
                           "$name - header $key ok");
        }
    } elsif (defined $block->response_headers_like) {
        # only used when there is no --- response_headers (like the real one)
        my $h = _parse_header_spec(_indexed($name, scalar $block->response_headers_like, $idx,
                                            $need_array));
        for my $key (sort keys %$h) {
            my $val = $h->{$key};
            Test::More::like(_header($res, $key) // '', qr/^$val$/,
                             "$name - header $key like ok");
        }
    }
}

sub _trim_summary {
    my $s = shift;
    return '' unless defined $s;
    $s =~ s/^\s+|\s+$//g;
    $s =~ s/\n/ /gs;
    $s =~ s/\s{2,}/ /gs;
    return $s;
}

sub _check_body {
    my ($block, $res, $idx, $rep, $need_array) = @_;
    my $name = $block->name;
    my $content = $res ? $res->{content} : undef;
    if (defined $content) {
        $content =~ s/^TE: deflate,gzip;q=0\.3\r\n//gms;
        $content =~ s/^Connection: TE, close\r\n//gms;
    }
    if (defined $block->response_body) {
        my $expected = _indexed($name, scalar $block->response_body, $idx, $need_array);
        $expected = _subst_port($expected) if defined $expected && !ref $expected;
        if (ref $expected) {
            Test::More::like($content, $expected,
                "$name - response_body - like (repeated req $rep, req $idx)");
        } else {
            Test::More::is($content, $expected,
                "$name - response_body - response is expected (repeated req $rep, req $idx)");
        }
    } elsif (defined $block->response_body_like || defined $block->response_body_unlike) {
        my $type = defined $block->response_body_like ? 'like' : 'unlike';
        my $section = "response_body_$type";
        my $pat  = _indexed($name, scalar $block->$section, $idx, $need_array);
        $pat = _subst_port($pat);
        my $desc = "$name - response_body_$type - response is expected ("
                   . _trim_summary($content) . ")";
        if ($type eq 'like') { Test::More::like($content, qr/$pat/s, $desc) }
        else                 { Test::More::unlike($content, qr/$pat/s, $desc) }
    }
    $_->($block, $res ? $res->{content} : undef, $idx, $rep, 0) for @ResponseBodyChecks;
}

# New lines of error.log since the last read (whole file for each block).
sub _error_log_lines {
    Time::HiRes::sleep($Sleep * 3);
    open my $in, '<', $ErrLogFile or return [];
    seek $in, $ErrLogFilePos, 0 if !$CheckAccumErrLog && $ErrLogFilePos;
    my @lines = <$in>;
    $ErrLogFilePos = tell $in unless $CheckAccumErrLog;
    close $in;
    return \@lines;
}

sub _fmt {
    my $s = shift;
    chomp $s;
    $s =~ s/"/\\"/g;
    $s =~ s/\r/\\r/g;
    $s =~ s/\n/\\n/g;
    return $s;
}

# A section value -> list of patterns: text lines are plain substrings,
# Regexp objects (from "eval") are regexes.
sub _patterns {
    my $pats = shift;
    return [@$pats] if ref $pats eq 'ARRAY';
    return [$pats]  if ref $pats eq 'Regexp';
    chomp $pats;
    return [split /\n+/, $pats];
}

sub _matches {
    my ($line, $pat) = @_;
    return (ref $pat && $line =~ /$pat/) || $line =~ /\Q$pat\E/;
}

sub _contains {
    my ($val, $str) = @_;
    return scalar grep { !ref $_ || ref $_ eq 'Regexp' ? "$_" =~ /\Q$str\E/ : 0 }
        ref $val eq 'ARRAY' ? @$val : ($val);
}

# "must match" / "must not match" checks on a log's lines.
sub _match_patterns {
    my ($name, $lines, $want, $forbid, $file, $rep) = @_;
    if (defined $want) {
        my $pats = _patterns($want);
        for my $line (@$lines) {
            for my $pat (@$pats) {
                next unless defined $pat && _matches($line, $pat);
                Test::More::pass("$name - pattern \"$pat\" matches a line in $file (req $rep)");
                undef $pat;
            }
        }
        for my $pat (grep { defined } @$pats) {
            Test::More::fail("$name - pattern \"$pat\" should match a line in $file (req $rep)");
        }
    }
    if (defined $forbid) {
        my $pats = _patterns($forbid);
        my %found;
        for my $i (0 .. $#$lines) {
            my $line = $lines->[$i];
            for my $pat (grep { defined } @$pats) {
                next unless _matches($line, $pat);
                $found{$pat} = 1;
                my $more = join '', @$lines[$i + 1 .. List::Util::min($i + 9, $#$lines - 1)];
                Test::More::fail("$name - pattern \"" . _fmt($pat) . "\" should not match any "
                    . "line in $file but matches line \"" . _fmt($line) . "\" (req $rep)\n$more");
            }
        }
        for my $pat (grep { defined && !$found{$_} } @$pats) {
            Test::More::pass("$name - pattern \"" . _fmt($pat)
                             . "\" does not match a line in $file (req $rep)");
        }
    }
}

sub _check_error_log {
    my ($block, $res, $rep) = @_;
    my $name = $block->name;
    my $lines;

    my $grep = $block->grep_error_log;
    if (defined $grep) {
        $grep = $grep->[$rep] if ref $grep eq 'ARRAY';
        my $expected = $block->grep_error_log_out;
        bail_out("$name - No --- grep_error_log_out defined but --- grep_error_log is defined")
            unless defined $expected;
        $expected = $expected->[$rep] if ref $expected eq 'ARRAY';
        $lines ||= _error_log_lines();
        my $out = '';
        for my $line (@$lines) {
            if ((ref $grep && $line =~ /$grep/) || $line =~ /\Q$grep\E/) {
                $out .= "$&\n" if $& !~ /\n/;
            }
        }
        is_str($out, $expected, "$name - grep_error_log_out (req $rep)");
    } elsif (defined $block->grep_error_log_out) {
        bail_out("$name - No --- grep_error_log defined but --- grep_error_log_out is defined");
    }

    if (defined $block->error_log || defined $block->no_error_log) {
        $lines ||= _error_log_lines();
        _match_patterns($name, $lines, scalar $block->error_log, scalar $block->no_error_log,
                        'error.log', $rep);
    }

    # Default checks: [alert], [crit] and [emerg] lines only produce
    # warnings (unless a pattern above mentions them); lines with a failed
    # assertion fail the block.
    $lines ||= _error_log_lines();
    for my $level (qw(alert crit emerg)) {
        next if grep { defined $_ && _contains($_, "[$level") }
                     scalar($block->error_log), scalar($block->no_error_log);
        warn "WARNING: $name - " . _fmt($_) . "\n" for grep { /\[$level\]/ } @$lines;
    }
    for my $line (grep { /\bAssertion .*?failed\b/ } @$lines) {
        chomp(my $l = $line);
        Test::More::fail("$name - $l\n");
    }
}

sub _check_log_file {
    my ($block, $rep) = @_;
    return unless defined $block->access_log || defined $block->no_access_log;
    Time::HiRes::sleep($Sleep * 3);
    my @lines;
    if (open my $in, '<', $AccLogFile) { @lines = <$in>; close $in }
    _match_patterns($block->name, \@lines, scalar $block->access_log, scalar $block->no_access_log,
                    'access.log', $rep);
}

END {
    cleanup();
    if (!$ENV{TEST_NGINX_NO_CLEAN} || $UseValgrind) {
        local $?;
        my $pid = _read_pid();
        if (defined $pid && _is_running($pid)) { _kill_process($pid, 'END') }
        elsif (-f $PidFile) { unlink $PidFile }
    }
}

1;
