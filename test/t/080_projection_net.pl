# The random net under the projection engine (test/perl/ProjectionNet.pm):
# random schemas, random projection queries from the grammar the engine
# accepts (and some it must refuse), random workloads; after every
# statement each projection is compared with its own query.  A failing
# case is shrunk and written to tmp_check/net/ as a pg_regress test file.
#
# Environment:
#   JSONB_IVM_NET=ci|long     ci: 160 cases of 40 statements (default);
#                             long: 10,000 cases of 200 statements
#   JSONB_IVM_NET_CASES=N     N cases instead
#   JSONB_IVM_NET_STATEMENTS=N  statements per case instead
#   JSONB_IVM_NET_SEED=S      the cases from seed S on (default 1)
#   JSONB_IVM_NET_OFF=a,b     dimensions switched off (see below)
#   JSONB_IVM_NET_JOBS=J      parallel sessions (default 2)
#   JSONB_IVM_NET_STOP=1      each session stops at its first failure
#   JSONB_IVM_NET_SHOW=S      write the psql script of case S to
#                             net_case_S.sql and stop
#
# Replay one case: JSONB_IVM_NET_SEED=S JSONB_IVM_NET_CASES=1.

use strict;
use warnings;

use File::Path qw(make_path);
use POSIX ();
use Storable qw(retrieve store);
use Test::More;
use List::Util qw(sum);
use Time::HiRes qw(time);
use JsonbIvmTest;
use ProjectionNet qw(draw_case render_script run_case run_concurrent
  shrink_case regress_file maintenance_kinds all_dimensions);

my %modes = (
	ci   => { cases => 160,   statements => 40,  concurrent => 6,  rounds => 3, seconds => 3 },
	long => { cases => 10000, statements => 200, concurrent => 60, rounds => 5, seconds => 2 });
my $mode = $ENV{JSONB_IVM_NET} || 'ci';
die "JSONB_IVM_NET must be ci or long, not \"$mode\"\n" unless $modes{$mode};
my $cases = env_count('JSONB_IVM_NET_CASES', $modes{$mode}{cases});
my $statements = env_count('JSONB_IVM_NET_STATEMENTS', $modes{$mode}{statements});
my $first = env_count('JSONB_IVM_NET_SEED', 1);
my $jobs = env_count('JSONB_IVM_NET_JOBS', 2) || 1;
my $concurrent_cases = env_count('JSONB_IVM_NET_CONCURRENT', $modes{$mode}{concurrent});
my $rounds = $modes{$mode}{rounds};
my $round_seconds = $modes{$mode}{seconds};

# Dimensions that 0.3's generated runtime cannot pass (its triggers run
# with the writer's rights and settings, and are frozen by names) are off
# until the 0.4 runtime lands.
my @off_default = qw(names settings roles rls renames);
my @off = defined $ENV{JSONB_IVM_NET_OFF}
  ? grep { $_ ne '' } split /,/, $ENV{JSONB_IVM_NET_OFF}
  : @off_default;
my %known = map { $_ => 1 } all_dimensions();
$known{$_} or die "unknown dimension \"$_\"\n" for @off;
my %dims = map { $_ => 1 } all_dimensions();
delete $dims{$_} for @off;
my @on = grep { $dims{$_} } all_dimensions();

if (defined $ENV{JSONB_IVM_NET_SHOW})
{
	my $file = "net_case_$ENV{JSONB_IVM_NET_SHOW}.sql";
	open my $fh, '>', $file or die "$file: $!";
	print $fh render_script(draw_case($ENV{JSONB_IVM_NET_SHOW}, \%dims, $statements));
	close $fh;
	plan skip_all => "the script of case $ENV{JSONB_IVM_NET_SHOW} is in $file";
}

note("net: $mode, $cases cases of $statements statements from seed $first, $jobs session(s)");
note('net: dimensions on: ' . join(', ', @on));
note('net: dimensions off: ' . (@off ? join(', ', @off) : 'none'));

# a statement log of every check would be most of the run's I/O
my $node = new_node('net', "log_statement = none\n");
$node->start;
$node->safe_psql('postgres', q{
	CREATE ROLE net_owner;
	CREATE ROLE net_writer;
	CREATE DATABASE net_template;
});
$node->safe_psql('net_template', 'CREATE EXTENSION jsonb_ivm');

# each session runs every jobs-th case in a database of its own
my $dir = $node->basedir . '/net';
make_path($dir);
my $started = time;
my @pids;
for my $j (0 .. $jobs - 1)
{
	my $pid = fork;
	die "fork: $!" unless defined $pid;
	if (!$pid)
	{
		my @results;
		for (my $i = $j; $i < $cases; $i += $jobs)
		{
			my $seed = $first + $i;
			my $case = draw_case($seed, \%dims, $statements);
			my $res = run_case($node, $case, "net_case_$j");
			# JSONB_IVM_NET_STOP: a session stops at its first failing case
			$i = $cases if $res->{fail} && $ENV{JSONB_IVM_NET_STOP};
			push @results, { seed => $seed, fail => $res->{fail},
				statements => $res->{statements},
				explain => $res->{explain}, created => $res->{created},
				work => [ map { [ $_->{kind}, $_->{table} ? $_->{table}{id} : -1 ] } @{ $case->{work} } ],
				constructs => [ map { %{ $_->{constructs} } } @{ $case->{projs} } ] };
		}
		store(\@results, "$dir/results_$j");
		# not exit: the parent's END blocks (the node's stop) must not run
		POSIX::_exit(0);
	}
	push @pids, $pid;
}
waitpid($_, 0) for @pids;
my @results = map { @{ retrieve("$dir/results_$_") } } 0 .. $jobs - 1;
@results = sort { $a->{seed} <=> $b->{seed} } @results;
my $seconds = time - $started;

# coverage: projections, statements, constructs, and the maintenance kinds
# that a statement reached (its table and change kind in explain)
my (%constructs, %kinds, %stmt_kinds);
my ($projections, $refusals, $ran) = (0, 0, 0);
my %change_of = (insert => ['INSERT'], upsert => [ 'INSERT', 'UPDATE' ],
	update => ['UPDATE'], delete => ['DELETE'], truncate => ['TRUNCATE']);
for my $res (@results)
{
	my %c = @{ $res->{constructs} };
	$constructs{$_} += $c{$_} for keys %c;
	for my $p (keys %{ $res->{created} // {} })
	{
		$res->{created}{$p} eq '00000' ? $projections++ : $refusals++;
	}
	$ran += $res->{statements};
	my %explain;
	push @{ $explain{"$_->[1].$_->[2]"} }, $_->[3] for @{ $res->{explain} };
	my $n = 0;
	for my $w (@{ $res->{work} })
	{
		last if $n++ >= $res->{statements};
		my ($kind, $table) = @$w;
		$stmt_kinds{$kind}++;
		for my $change (@{ $change_of{$kind} // [] })
		{
			$kinds{$_}++ for map { maintenance_kinds($_) } @{ $explain{"$table.$change"} // [] };
		}
	}
}

note(sprintf('net: %d cases, %d projections created, %d refused, %d statements in %.0f s',
	scalar @results, $projections, $refusals, $ran, $seconds));
note('net: statements: ' . join(', ', map { "$_ $stmt_kinds{$_}" } sort keys %stmt_kinds));
note('net: constructs drawn: ' . join(', ', map { "$_ $constructs{$_}" } sort keys %constructs));
note('net: maintenance kinds reached: ' . join(', ', map { "$_ $kinds{$_}" } sort keys %kinds));

# every failure: listed, and the first few shrunk to a pg_regress file
# whose last statement and query say what broke
my @failed = grep { $_->{fail} } @results;
my $shrink_budget = env_count('JSONB_IVM_NET_SHRINK', 150);
my $shrink_cases = env_count('JSONB_IVM_NET_SHRINK_CASES', 12);
for my $res (@failed)
{
	my $f = $res->{fail};
	diag(sprintf('net: seed %d: %s after statement %s%s: %s', $res->{seed}, $f->{kind}, $f->{stmt},
		defined $f->{projection} ? " in $f->{projection}" : '', substr($f->{detail}, 0, 300)));
}
for my $res (@failed[ 0 .. ($#failed < $shrink_cases - 1 ? $#failed : $shrink_cases - 1) ])
{
	my $case = draw_case($res->{seed}, \%dims, $statements);
	my ($small, $runs) = shrink_case($node, $case, 'net_shrink', $shrink_budget);
	my $fail = run_case($node, $small, 'net_shrink')->{fail} // $res->{fail};
	my $file = "$dir/net_$res->{seed}.sql";
	open my $fh, '>', $file or die "$file: $!";
	print $fh regress_file($small, $fail);
	close $fh;
	diag(sprintf("net: seed %d shrunk in %d runs to %s: %s after statement %s%s\n%s",
		$res->{seed}, $runs, $file, $fail->{kind}, $fail->{stmt},
		defined $fail->{projection} ? " in $fail->{projection}" : '', ProjectionNet::summary($small, $fail)));
}

# concurrency: cases of their own, several clients at once
my @concurrent;
if ($dims{concurrency})
{
	my $started_c = time;
	for my $i (0 .. $concurrent_cases - 1)
	{
		my $seed = $first + 500000 + $i;
		my $case = draw_case($seed, \%dims, $statements);
		my $res = run_concurrent($node, $case, 'net_concurrent', $dir,
			rounds => $rounds, clients => 3, seconds => $round_seconds);
		push @concurrent, { seed => $seed, %$res };
		my $f = $res->{fail};
		diag(sprintf('net: concurrent seed %d: %s in %s%s: %s', $seed, $f->{kind}, $f->{stmt},
			defined $f->{projection} ? " in $f->{projection}" : '', substr($f->{detail}, 0, 300)))
		  if $f;
	}
	note(sprintf('net: concurrency: %d cases, %d rounds of %d s with 3 clients, %d transactions, '
		  . '%d retried, %d failed after retries, in %.0f s',
		scalar @concurrent, sum(map { $_->{rounds} } @concurrent) // 0, $round_seconds,
		sum(map { $_->{transactions} } @concurrent) // 0, sum(map { $_->{retried} } @concurrent) // 0,
		sum(map { $_->{failed} } @concurrent) // 0, time - $started_c));
	is(scalar(grep { $_->{fail} } @concurrent), 0,
		"net: $concurrent_cases concurrent cases, every projection equal to its query after every round");
}

is(scalar @failed, 0, "net: $cases cases, every projection equal to its query after every statement");
cmp_ok($projections, '>=', $cases, 'net: at least one projection created per case');
my $full = $cases >= $modes{ci}{cases};
if ($dims{refusals} && $full)
{
	cmp_ok($refusals, '>', 0, 'net: queries the engine must refuse were drawn and refused');
}
# every maintenance kind explain names, reached often enough to count
my @expected_kinds = ('insert document', 'delete document', 'refresh projection',
	'merge keys', 'merge at path', 'replace element', 'recompute document',
	'insert element at its position', 'remove element',
	'remove element and insert it at its position',
	'rebuild element at its position');
# (a run of fewer cases than the CI budget, a replay, only reports them)
if ($full)
{
	my @short = grep { ($kinds{$_} // 0) < 50 } @expected_kinds;
	is(join(', ', @short), '', 'net: every maintenance kind reached at least 50 times');
}

$node->stop;
done_testing();
