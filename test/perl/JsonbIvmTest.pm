# Shared code of jsonb_ivm's TAP tests (test/t/*.pl): a node with the
# extension and the SQL of test/lib loaded, and the driver of the
# differential fuzzer (test/lib/fuzz.sql), which 010_fuzz.pl runs and
# 040_valgrind.pl replays under valgrind.

package JsonbIvmTest;

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use IPC::Run;
use Test::More;
use Time::HiRes qw(time sleep);

# PostgreSQL 13 and 14 ship PostgresNode.pm instead; the TAP suites need
# PostgreSQL::Test::Cluster (PostgreSQL 15 and later).
BEGIN
{
	plan skip_all =>
	  'PostgreSQL::Test::Cluster is missing (it ships with PostgreSQL 15 and later)'
	  unless eval { require PostgreSQL::Test::Cluster; 1 };
}

use Exporter 'import';
our @EXPORT = qw(env_count new_node citus_cluster setup_db limit_memory fuzz fuzz_report);

# The repository's root: the SQL of test/lib is loaded from there.
our $root = abs_path(dirname(__FILE__) . '/../..');

# Sessions print warnings only (the scripts' DROP ... IF EXISTS notices are
# noise in the test log).
$ENV{PGOPTIONS} = '-c client_min_messages=warning';

# The non-negative integer in environment variable $name, or $default.
sub env_count
{
	my ($name, $default) = @_;
	my $v = $ENV{$name};
	return $default if !defined $v || $v eq '';
	die "$name must be a non-negative integer, not \"$v\"\n"
	  unless $v =~ /^\d+$/;
	return $v + 0;
}

# A new node, initialized (UTF8, C.UTF-8, as the regression suite expects)
# but not started; $conf is appended to postgresql.conf.  The postmaster
# reinitializes after a backend crash (Cluster.pm's default is not to), so
# that the fuzzer survives one.
sub new_node
{
	my ($name, $conf) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(extra => [ '-E', 'UTF8', '--locale=C.UTF-8' ]);
	$node->append_conf('postgresql.conf',
		"restart_after_crash = on\n" . ($conf // ''));
	return $node;
}

# A Citus cluster on this machine, started: a coordinator and two workers
# (new_node, $conf appended after shared_preload_libraries = 'citus'), the
# workers added to the coordinator, checked to be active.  Returns the
# coordinator, then the workers.
sub citus_cluster
{
	my ($conf) = @_;
	my @nodes = map { new_node($_, "shared_preload_libraries = 'citus'\n" . ($conf // '')) }
	  qw(coordinator worker1 worker2);
	my ($coordinator, @workers) = @nodes;
	for my $node (@nodes)
	{
		$node->start;
		$node->safe_psql('postgres', 'CREATE EXTENSION citus');
	}
	$coordinator->safe_psql('postgres',
		sprintf("SELECT citus_set_coordinator_host('%s', %d)",
			$coordinator->host, $coordinator->port));
	$coordinator->safe_psql('postgres',
		sprintf("SELECT citus_add_node('%s', %d)", $_->host, $_->port))
	  for @workers;
	is($coordinator->safe_psql('postgres',
			'SELECT count(*) FROM citus_get_active_worker_nodes()'),
		'2', 'the coordinator sees two active workers');
	return @nodes;
}

# Create database $db on the started node with jsonb_ivm and the files of
# test/lib named in @libs (e.g. 'helpers', 'fuzz'), in that order.
sub setup_db
{
	my ($node, $db, @libs) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION jsonb_ivm');
	$node->safe_psql($db, "\\i $root/test/lib/$_.sql") for @libs;
	return;
}

# Limit the address space of the node's processes to $kb kB (prlimit on
# the postmaster, which its children inherit): a call asking for absurd
# amounts of memory then fails ("out of memory", a disagreement) instead of
# passing unnoticed where memory is overcommitted.  Returns false when
# prlimit is missing.
sub limit_memory
{
	my ($node, $kb) = @_;
	my $pidfile = $node->data_dir . '/postmaster.pid';
	open my $fh, '<', $pidfile or die "could not open $pidfile: $!";
	my $pid = <$fh>;
	close $fh;
	chomp $pid;
	my $out;
	return eval {
		IPC::Run::run([ 'prlimit', "--pid=$pid", '--as=' . $kb * 1024 ],
			'>&', \$out);
	};
}

# Run $sql in a session of its own; returns psql's exit status (0 ok, 2
# connection lost: a server crash, 3 an error) and its output.
sub try_sql
{
	my ($node, $db, $sql) = @_;
	my ($ret, $out, $err) = $node->psql($db, $sql);
	return ($ret, $out . ($err ne '' ? "\n$err" : ''));
}

# Wait until the node accepts connections again (after a crash, the
# postmaster reinitializes).
sub wait_server
{
	my ($node, $db) = @_;
	for (1 .. 180)
	{
		return if $node->psql($db, 'SELECT 1') == 0;
		sleep 1;
	}
	BAIL_OUT('the server did not come back');
}

# The statement that fuzzes cases $first .. $last (of the functions
# $fns, a list, or of all nine) with runner $f->{runner}: 'run' (C against
# the reference), 'draw' (the cases and the reference's verdicts, into
# ivm_fuzz.drawn) or 'replay' (the C side of the drawn cases).
sub _fuzz_sql
{
	my ($f, $first, $last, @fns) = @_;
	my $fns = @fns ? ', ARRAY[' . join(', ', map { "'$_'" } @fns) . ']' : '';
	return "SELECT ivm_fuzz.$f->{runner}('$f->{stream}', $first, $last$fns);\n";
}

# After a session died (or stopped at an error) while fuzzing cases
# $first .. $last: fuzz them one case per session, and a case that fails
# again one function per session; the failing call is recorded as a
# failure ("server crash", or the error) and returned as [fn, case].
sub _replay_chunk
{
	my ($f, $first, $last) = @_;
	my ($node, $db) = ($f->{node}, $f->{db});
	my @crashes;
	note("replaying cases $first .. $last one by one");
	for my $n ($first .. $last)
	{
		wait_server($node, $db);
		next if (try_sql($node, $db, _fuzz_sql($f, $n, $n)))[0] == 0;
		for my $fn (@{ $f->{functions} })
		{
			wait_server($node, $db);
			my ($ret, $out) = try_sql($node, $db, _fuzz_sql($f, $n, $n, $fn));
			next if $ret == 0;
			my $why =
			  $ret == 2 ? 'server crash'
			  : 'error: ' . ($out =~ /^(.*ERROR.*)$/m ? $1 : $out);
			note("case $n of $fn: $why");
			wait_server($node, $db);
			$node->safe_psql($db,
				"SELECT ivm_fuzz.note_crash(:'stream', :'fn', :n, :'why')",
				extra_params => [
					'-v', "stream=$f->{stream}", '-v', "fn=$fn",
					'-v', "n=$n",                '-v', "why=$why"
				]);
			push @crashes, [ $fn, $n ];
		}
	}
	return @crashes;
}

# Shrink a call that crashes the server, one session per attempt: take the
# first reduction (ivm_fuzz.reductions) that still crashes it, until none
# does or 400 attempts were made; the failure then shows the shrunk call.
sub _shrink_crash
{
	my ($f, $fn, $n) = @_;
	my ($node, $db) = ($f->{node}, $f->{db});
	my @vars = ('-v', "stream=$f->{stream}", '-v', "fn=$fn", '-v', "n=$n");
	note("shrinking the crash of $fn, case $n");
	$node->safe_psql(
		$db, q{
		DROP TABLE IF EXISTS ivm_fuzz.crash_call, ivm_fuzz.crash_try;
		CREATE TABLE ivm_fuzz.crash_call AS
			SELECT x FROM ivm_fuzz.make_case(:'fn', :'stream', :n) x;
		CREATE TABLE ivm_fuzz.crash_try (k int, x ivm_fuzz.call);
	}, extra_params => \@vars);
	my $tries = 0;
  SHRINK: while ($tries < 400)
	{
		my $count = $node->safe_psql(
			$db, q{
			TRUNCATE ivm_fuzz.crash_try;
			INSERT INTO ivm_fuzz.crash_try
			SELECT row_number() OVER (), r
			FROM ivm_fuzz.crash_call c, LATERAL ivm_fuzz.reductions(c.x) r;
			SELECT count(*) FROM ivm_fuzz.crash_try;
		});
		for my $k (1 .. $count)
		{
			last SHRINK if ++$tries > 400;
			my ($ret) = try_sql($node, $db,
				"SELECT ivm_fuzz.invoke(x, false) FROM ivm_fuzz.crash_try WHERE k = $k"
			);
			next unless $ret == 2;
			wait_server($node, $db);
			$node->safe_psql($db,
				"UPDATE ivm_fuzz.crash_call SET x = (SELECT x FROM ivm_fuzz.crash_try WHERE k = $k)"
			);
			next SHRINK;
		}
		last;
	}
	$node->safe_psql(
		$db, q{
		UPDATE ivm_fuzz.failure f SET statement = ivm_fuzz.sql(c.x), shrunk = true,
			reference = ivm_fuzz.ref_text(c.x)
		FROM ivm_fuzz.crash_call c
		WHERE f.stream = :'stream' AND f.fn = :'fn' AND f.case_no = :n
			AND f.problem = 'server crash';
	}, extra_params => \@vars);
	return;
}

# A psql session of worker $w fuzzing its chunks left, in the background
# (the statements in a file: IPC::Run keeps a started child's stdin open).
sub _start_worker
{
	my ($f, $w) = @_;
	my $file = "$PostgreSQL::Test::Utils::tmp_check/fuzz_worker$w->{id}.sql";
	open my $fh, '>', $file or die "could not write $file: $!";
	print $fh _fuzz_sql($f, $_, _last($f, $_)) for @{ $w->{todo} };
	close $fh;
	$w->{out} = '';
	$w->{h} = IPC::Run::start(
		[
			$f->{node}->installed_command('psql'), '-XAtq',
			'-v', 'ON_ERROR_STOP=1',
			'-d', $f->{node}->connstr($f->{db}),
			'-f', $file
		],
		'<', '/dev/null', '>&', \$w->{out});
	return;
}

sub _last
{
	my ($f, $first) = @_;
	my $last = $first + $f->{chunk} - 1;
	return $last > $f->{cases} ? $f->{cases} : $last;
}

# Worker $w's session ended with an error: the chunks done are in the
# tally, the first one left was running.  Replay that one case by case,
# and go on with the others in a new session.
sub _worker_failed
{
	my ($f, $w, $status) = @_;
	my ($node, $db) = ($f->{node}, $f->{db});
	note("session of worker $w->{id} ended with exit status $status:\n$w->{out}");
	wait_server($node, $db);
	BAIL_OUT("drawing the fuzzer's cases failed:\n$w->{out}")
	  if $f->{runner} eq 'draw';
	my $left = $node->safe_psql($db,
		"SELECT f FROM unnest('{"
		  . join(',', @{ $w->{todo} })
		  . "}'::int[]) WITH ORDINALITY AS t(f, o)
		WHERE NOT EXISTS (SELECT FROM ivm_fuzz.tally WHERE stream = '$f->{stream}'
			AND first = f AND last = least(f + $f->{chunk} - 1, $f->{cases}))
		ORDER BY o");
	my @left = split /\n/, $left;
	$w->{todo} = \@left;
	return unless @left;
	my $first = shift @left;
	push @{ $f->{crashes} }, _replay_chunk($f, $first, _last($f, $first));
	_start_worker($f, $w) if @left;
	return;
}

# Fuzz cases 1 .. $p{cases} of each function in stream $p{stream}, in
# chunks of $p{chunk} cases, in $p{jobs} parallel sessions on database
# $db (where test/lib/fuzz.sql is loaded), with runner $p{runner} (see
# _fuzz_sql; default 'run').  A server crash is survived: the chunk that
# was running is replayed case by case, the crashing call recorded, and at
# the end shrunk (the first three crashes of each function).  Returns the
# seconds taken.
sub fuzz
{
	my ($node, $db, %p) = @_;
	my $f = {
		node    => $node,
		db      => $db,
		runner  => 'run',
		crashes => [],
		%p
	};
	$f->{functions} =
	  [ split /\n/,
		$node->safe_psql($db, 'SELECT unnest(ivm_fuzz.functions())') ];
	my $start = time;
	my @workers;
	for my $i (0 .. $f->{jobs} - 1)
	{
		my @todo;
		for (
			my $first = 1 + $i * $f->{chunk};
			$first <= $f->{cases};
			$first += $f->{jobs} * $f->{chunk})
		{
			push @todo, $first;
		}
		next unless @todo;
		my $w = { id => $i, todo => \@todo };
		_start_worker($f, $w);
		push @workers, $w;
	}
	while (my @running = grep { $_->{h} } @workers)
	{
		for my $w (@running)
		{
			$w->{h}->pump_nb;
			next if $w->{h}->pumpable;
			my $ok = $w->{h}->finish;
			my $status = $w->{h}->result(0);
			delete $w->{h};
			_worker_failed($f, $w, $status) unless $ok;
		}
		sleep 0.2;
	}

	# the first three crashes of each function
	my %seen;
	for my $c (sort { $a->[0] cmp $b->[0] || $a->[1] <=> $b->[1] }
		@{ $f->{crashes} })
	{
		_shrink_crash($f, @$c) if ++$seen{ $c->[0] } <= 3;
	}
	return time - $start;
}

# One TAP verdict per function on the fuzzing of stream $stream ($cases
# cases each, $what: e.g. 'fuzz'): ok when every case was run and none
# failed; each kind of failure shown by its smallest reproducing
# statement.  Returns the number of cases run.
sub fuzz_report
{
	my ($node, $db, $stream, $cases, $what) = @_;
	my $total = 0;
	my $summary = $node->safe_psql($db,
		"SELECT fn, cases, failed, outcomes FROM ivm_fuzz.summary('$stream')",
		extra_params => [ '-F', "\t" ]);
	for my $row (split /\n/, $summary)
	{
		my ($fn, $n, $failed, $outcomes) = split /\t/, $row;
		$total += $n;
		ok($n >= $cases && $failed == 0,
			"$what jsonb_$fn: $n of $cases cases, $failed failures");
		note("outcomes: $outcomes");
		next unless $failed;
		diag(
			$node->safe_psql(
				$db, q{
			SELECT format(E'%s: %s case(s), e.g. case %s (%s)\n  %s\n  reference: %s\n  C:         %s',
				problem, count, case_no, label, statement, reference, c_module)
			FROM (SELECT problem, count(*) OVER (PARTITION BY problem) AS count,
					row_number() OVER (PARTITION BY problem
						ORDER BY shrunk DESC, length(statement), case_no) AS r,
					case_no, label, statement, reference, c_module
				FROM ivm_fuzz.failure WHERE stream = :'stream' AND fn = :'fn') f
			WHERE r = 1
			ORDER BY problem;
		}, extra_params => [ '-v', "stream=$stream", '-v', "fn=$fn" ]));
	}
	return $total;
}

1;
