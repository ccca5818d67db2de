# jsonb_ivm under valgrind's memcheck: the server runs under valgrind
# (every process it forks, one log each; test/valgrind.supp suppresses
# PostgreSQL-internal false positives only), the regression files and the
# C side of the fuzzer's cases run against it, and no error valgrind
# reports may have a frame in jsonb_ivm.so.  The fuzzer's cases and the
# reference's verdicts are drawn beforehand on a server without valgrind
# (under valgrind, drawing them in plpgsql would take hours); only the C
# functions are replayed under it.  Slow: skipped unless asked for.
#
# Environment:
#   JSONB_IVM_VALGRIND=1          run (needs valgrind)
#   JSONB_IVM_VALGRIND_REGRESS=L  the regression files to run, a list
#                                 separated by spaces (default: all of
#                                 them, about 35 minutes; "none": none)
#   JSONB_IVM_FUZZ_CASES=N        fuzz cases per function replayed
#                                 (default 2,300, the quick mode's; 0: none)
#   JSONB_IVM_FUZZ_JOBS=J         parallel sessions (default 2)
# The logs stay in tmp_check/valgrind.

use strict;
use warnings;

use File::Path qw(make_path);
use IPC::Run;
use Test::More;
use JsonbIvmTest;

plan skip_all => 'set JSONB_IVM_VALGRIND=1 to run the server under valgrind'
  unless $ENV{JSONB_IVM_VALGRIND};
plan skip_all => 'valgrind is not installed'
  unless eval { IPC::Run::run([ 'valgrind', '--version' ], '>', \my $v) };

my $cases = env_count('JSONB_IVM_FUZZ_CASES', 2300);
my $jobs  = env_count('JSONB_IVM_FUZZ_JOBS', 2) || 1;
my $regress_list = $ENV{JSONB_IVM_VALGRIND_REGRESS} // '';
my @regress =
    $regress_list eq 'none' ? ()
  : $regress_list ne ''     ? split(' ', $regress_list)
  : map { m{([^/]+)\.sql$} } sort glob("$JsonbIvmTest::root/test/sql/*.sql");
my $root   = $JsonbIvmTest::root;
my $vg_dir = "$PostgreSQL::Test::Utils::tmp_check/valgrind";
my $cases_file = "$vg_dir/cases.copy";
make_path("$vg_dir/logs", "$vg_dir/bin");

# starting and stopping a server under valgrind takes a while
$ENV{PGCTLTIMEOUT} = 900;

# The fuzzer's cases and the reference's verdicts, drawn without valgrind.
if ($cases > 0)
{
	my $draw = new_node('draw');
	$draw->start;
	setup_db($draw, 'fuzz', qw(helpers reference generator fuzz));
	my $seconds = fuzz(
		$draw, 'fuzz',
		runner => 'draw',
		stream => 'quick',
		cases  => $cases,
		chunk  => 100,
		jobs   => $jobs);
	$draw->safe_psql('fuzz',
		"COPY (SELECT * FROM ivm_fuzz.drawn WHERE stream = 'quick' ORDER BY case_no) TO '$cases_file'"
	);
	note(sprintf('drew %d cases of each function in %.0f s', $cases, $seconds));
	$draw->stop;
}

# The node under valgrind: pg_ctl starts a script that runs postgres under
# valgrind (LLVM's JIT is off: it has nothing to do with jsonb_ivm, and
# loading it under valgrind only adds glibc loader noise).
my $node = new_node('valgrind', "jit = off\nmax_connections = 20\n");
my $bindir = $node->config_data('--bindir');
write_script(
	"$vg_dir/bin/postgres", <<"EOF");
exec valgrind --quiet --trace-children=yes --leak-check=no --track-origins=yes \\
	--num-callers=40 --read-inline-info=yes --gen-suppressions=all \\
	--suppressions="$root/test/valgrind.supp" \\
	--error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END --fullpath-after= \\
	--log-file="$vg_dir/logs/%p.log" \\
	"$bindir/postgres" "\$@"
EOF
write_script("$vg_dir/bin/pg_ctl",
	qq{exec "$bindir/pg_ctl" -p "$vg_dir/bin/postgres" "\$@"\n});
{
	local $ENV{PATH} = "$vg_dir/bin:$ENV{PATH}";
	$node->start;
}
my $start = time;

if (@regress)
{
	my $out;
	my $ok = IPC::Run::run(
		[
			$ENV{PG_REGRESS},          "--bindir=$bindir",
			'--host=' . $node->host,   '--port=' . $node->port,
			"--inputdir=$root/test",   "--outputdir=$vg_dir/regress",
			'--load-extension=jsonb_ivm', @regress
		],
		'>&', \$out,
		init => sub { chdir $root or die "could not chdir to $root: $!" });
	ok($ok, scalar(@regress) . ' regression file(s) pass under valgrind')
	  or diag($out);
	note($out);
}

if ($cases > 0)
{
	setup_db($node, 'fuzz', qw(helpers reference generator fuzz));
	$node->safe_psql('fuzz', "COPY ivm_fuzz.drawn FROM '$cases_file'");
	fuzz(
		$node, 'fuzz',
		runner => 'replay',
		stream => 'quick',
		cases  => $cases,
		chunk  => 100,
		jobs   => $jobs);
	fuzz_report($node, 'fuzz', 'quick', $cases, 'valgrind fuzz');
}

$node->stop;
note(sprintf('under valgrind for %.0f s', time - $start));

# Every error of every process (logs/<pid>.log, between valgrind's error
# markers).  It involves jsonb_ivm when a frame of one of its stacks (where
# it happened, where the memory came from) is in jsonb_ivm.so: in one of
# our source files (src/*.c; --fullpath-after= makes valgrind name them
# with their full path) or, without line information, in jsonb_ivm.so.
my $ours_files = join('|', map { m{([^/]+)\.c$} } glob("$root/src/*.c"));
my $ours_re    = qr{jsonb_ivm\.so|/src/(?:$ours_files)\.c:\d};
my @logs       = glob("$vg_dir/logs/*.log");
ok(@logs > 0, 'the server ran under valgrind (' . scalar(@logs) . ' process logs)');
my (@ours, %others, $total);
for my $log (@logs)
{
	my $text = PostgreSQL::Test::Utils::slurp_file($log);
	while ($text =~ /VALGRINDERROR-BEGIN\n(.*?)^[^\n]*VALGRINDERROR-END\n/msg)
	{
		(my $block = $1) =~ s/^==\d+== ?//mg;
		my ($what) = $block =~ /^(\S.*)$/m;
		$total++;
		if ($block =~ $ours_re)
		{
			push @ours, "$log:\n$block";
		}
		else
		{
			$others{$what // '?'}++;
		}
	}
}
note(sprintf('valgrind: %d errors, %d of them in jsonb_ivm.so', $total // 0,
	scalar(@ours)));
note("not jsonb_ivm: $others{$_} x $_") for sort keys %others;
is(scalar(@ours), 0, 'no valgrind error with a frame in jsonb_ivm.so')
  or diag('the first of them (all in ' . "$vg_dir/logs):\n$ours[0]");

done_testing();

# Write an executable shell script.
sub write_script
{
	my ($file, $body) = @_;
	open my $fh, '>', $file or die "could not write $file: $!";
	print $fh "#!/bin/sh\n$body";
	close $fh;
	chmod 0755, $file or die "could not chmod $file: $!";
	return;
}
