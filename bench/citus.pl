# bench/citus.pl: the CQRS cascade of bench/cascade_lib.sql on a Citus
# cluster of three nodes (a coordinator and two workers, laid out by
# test/t/060_citus/sql/layout.sql) next to a plain single node with the
# same settings and the same fixture, native against jsonb_ivm:
#   - the latency of one DNS server's cascade (bench/cascade.pgbench);
#   - the latency of the bulk statement, 100 servers at once
#     (bench/cascade_bulk.pgbench);
#   - the throughput of 8 pgbench clients running single cascades;
# and a generated projection of distributed tables (bench/citus_projection.sql,
# the orders of test/t/060_citus/sql/distributed.sql) against recomputing
# the documents a statement affects from the view, by key:
#   - the latency of a change of one order's lines, and of one product (a
#     reference table's row, embedded in many orders);
#   - the throughput of 8 clients changing one order's lines.
# Every run is a pgbench run (-M simple) on one target; a round runs every
# target and contender once, in an order rotated by round, after a warm-up
# round that is not counted.  After each run the projections must equal a
# rebuild (ivm_test.difference_summary of test/lib/workload.sql, or both
# orders' projections their view).  Writes
# bench/citus.md (medians, ratios, the machine, the settings).
#
# Run by `make bench-citus`, which installs Citus first (tools/citus.sh).
# As root it copies the tree to a directory that the postgres user owns,
# runs itself there as postgres, copies the report back and removes the
# copy (kept, with the servers' logs, when the run fails).  Environment:
#   PG_CONFIG             the PostgreSQL to run (default: pg_config in PATH)
#   CITUS_BENCH_FIXTURE   servers per configuration and configurations of
#                         generate_cqrs_data (default 50,100)
#   CITUS_BENCH_ROUNDS    measured rounds (default 5)
#   CITUS_BENCH_CASCADES  single cascades per latency run (default 200)
#   CITUS_BENCH_BULKS     bulk statements per latency run (default 10)
#   CITUS_BENCH_SECONDS   seconds of each 8-client run (default 20)
#   CITUS_BENCH_ORDERS    orders of the projection's fixture (default 20000)
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Spec;
use File::Temp qw(tempdir);

my ($root, $pkglibdir);

BEGIN
{
	$root = abs_path(dirname(__FILE__) . '/..');
	chdir $root or die "could not change to $root: $!\n";
	my $pg_config = $ENV{PG_CONFIG} || 'pg_config';

	# as root: the same run, as the postgres user, in a copy of the tree
	if ($> == 0)
	{
		$ENV{CITUS_BENCH_COMMIT} =
		  `git -C '$root' -c safe.directory='*' describe --always --dirty 2>/dev/null`;
		my $tree = tempdir('/tmp/jsonb_ivm_citus.XXXXXX');
		my @files = grep { -e "$root/$_" } split /\0/,
		  `git -C '$root' -c safe.directory='*' ls-files -z -co --exclude-standard`;
		open my $tar, '|-', "tar -C '$root' --null -T - -cf - | tar -C '$tree' -xf -"
		  or die "could not copy the tree: $!\n";
		print $tar join("\0", @files);
		close $tar or die "could not copy the tree to $tree\n";
		system('chown', '-R', 'postgres:', $tree) == 0 or die "chown failed\n";
		chmod 0755, $tree;
		my $script = File::Spec->abs2rel(abs_path(__FILE__), $root);
		system('su', 'postgres', '-s', '/bin/sh', '-c',
			"cd '$tree' && PG_CONFIG='$pg_config' exec perl '$script'");
		my $status = $? >> 8 || ($? ? 1 : 0);
		if (-f "$tree/bench/citus.md")
		{
			system('cp', "$tree/bench/citus.md", "$root/bench/citus.md");
			print "report: $root/bench/citus.md\n";
		}
		if ($status == 0) { system('rm', '-rf', $tree); }
		else { print STDERR "the run failed; its tree and logs: $tree/tmp_check\n"; }
		exit $status;
	}

	# what prove_installcheck sets for a TAP test
	chomp(my $bindir = `'$pg_config' --bindir`);
	chomp($pkglibdir = `'$pg_config' --pkglibdir`);
	die "$pg_config does not run\n" unless $bindir && $pkglibdir;
	unshift @INC, "$pkglibdir/pgxs/src/test/perl", "$root/test/perl";
	$ENV{PATH} = "$bindir:$ENV{PATH}";
	$ENV{PG_REGRESS} = "$pkglibdir/pgxs/src/test/regress/pg_regress";
	$ENV{TESTDIR} = $root;
}

use IPC::Run;
use List::Util qw(max min sum);
use POSIX qw(strftime);
use Time::HiRes qw(time);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JsonbIvmTest;

my $started = time;
my ($per_configuration, $configurations) =
  split /,/, ($ENV{CITUS_BENCH_FIXTURE} || '50,100');
die "CITUS_BENCH_FIXTURE must be two integers, as 50,100\n"
  unless ($configurations // '') =~ /^\d+$/ && $per_configuration =~ /^\d+$/;
my $rounds = env_count('CITUS_BENCH_ROUNDS', 5);
my $cascades = env_count('CITUS_BENCH_CASCADES', 200);
my $bulks = env_count('CITUS_BENCH_BULKS', 10);
my $seconds = env_count('CITUS_BENCH_SECONDS', 20);
my $orders = env_count('CITUS_BENCH_ORDERS', 20000);
my $clients = 8;
my $bulk_count = 100;
my $ok_summary = 'tv_dns_server 0, tv_network_configuration 0, tv_allocation 0';

# Every node: room for Citus's connections and two-phase commits, the
# fixture in shared buffers, no autovacuum (each run starts after a
# VACUUM), no JIT, no checkpoint during a run, no statement log.  The
# Citus nodes preload Citus; the single node does not.
my $settings = <<'EOC';
max_connections = 100
max_prepared_transactions = 100
shared_buffers = 256MB
autovacuum = off
jit = off
max_wal_size = 4GB
checkpoint_timeout = 1h
log_statement = none
EOC
# the benchmark suite's fixed mmap threshold (bench/run.sh), inherited by
# the servers
$ENV{GLIBC_TUNABLES} ||= 'glibc.malloc.mmap_threshold=33554432';

plan skip_all => "Citus is not installed ($pkglibdir/citus.so is missing; tools/citus.sh installs it)"
  unless -f "$pkglibdir/citus.so";
my ($coordinator, @workers) = citus_cluster($settings);
my $single = new_node('single', $settings);
$single->start;

# the fixture: layout.sql on the cluster, at the size asked for; the same
# fixture, tables and helpers on the single node
my $fixture = "generate_cqrs_data($per_configuration, $configurations, 0, true)";
my $layout = slurp_file('test/t/060_citus/sql/layout.sql');
is(($layout =~ s/\bgenerate_cqrs_data\([^)]*\)/$fixture/g), 1,
	'layout.sql generates the fixture once')
  or BAIL_OUT('layout.sql changed: no single generate_cqrs_data call');
note("loading $fixture on both targets");
$_->safe_psql('postgres', 'CREATE EXTENSION jsonb_ivm') for ($coordinator, $single);
$coordinator->safe_psql('postgres', $layout);
$single->safe_psql(
	'postgres', qq{SET client_min_messages = warning;
\\i fixtures/cqrs.sql
SELECT $fixture;
ANALYZE;
\\i test/lib/workload.sql
\\i bench/cascade_lib.sql
});

# the orders, twice on each target: bg with the generated projection, bn
# with a plain table of the same documents
for my $schema ('bg', 'bn')
{
	for my $node ($single, $coordinator)
	{
		my $out = '';
		IPC::Run::run(
			[
				'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'),
				'-v', "schema=$schema", '-v', 'citus=' . ($node == $coordinator ? 'true' : 'false'),
				'-v', 'generated=' . ($schema eq 'bg' ? 'true' : 'false'), '-v', "orders=$orders",
				'-f', 'bench/citus_projection.sql'
			],
			'>&', \$out)
		  or BAIL_OUT("bench/citus_projection.sql failed ($schema):\n$out");
	}
}
my $orders_shape = $single->safe_psql('postgres', q{
	SELECT format('%s orders, %s lines, %s notes, 200 products; documents of %s bytes of jsonb text, %s stored; a product in %s orders',
		count(*), (SELECT count(*) FROM bg.order_lines), (SELECT count(*) FROM bg.order_notes),
		round(avg(octet_length(data::text))), round(avg(pg_column_size(data))),
		(SELECT round(avg(n)) FROM (SELECT count(DISTINCT order_id) n FROM bg.order_lines GROUP BY product_id) x))
	FROM bg.tv_order});
my $orders_check = q{SELECT (SELECT count(*) FROM jsonb_ivm_check_projection('bg.tv_order'))
	|| ' ' || (SELECT count(*) FROM (
		(SELECT id, data::text FROM bn.tv_order EXCEPT ALL SELECT id, data::text FROM bn.v_order)
		UNION ALL
		(SELECT id, data::text FROM bn.v_order EXCEPT ALL SELECT id, data::text FROM bn.tv_order)) x)};

my @targets = (
	{ key => 'single', name => 'single node',    node => $single },
	{ key => 'citus',  name => 'Citus, 3 nodes', node => $coordinator });
my %rows;
for my $t (@targets)
{
	is($t->{node}->safe_psql('postgres', 'SELECT ivm_test.difference_summary()'),
		$ok_summary, "$t->{name}: the fixture equals a rebuild");
	$rows{ $t->{key} } = $t->{node}->safe_psql('postgres',
		'SELECT (SELECT count(*) FROM bench_dns_servers) || \' servers, \' || '
		  . '(SELECT count(*) FROM bench_nc_dns_mapping) || \' links to \' || '
		  . '(SELECT count(*) FROM tv_network_configuration) || \' configurations, \' || '
		  . '(SELECT count(*) FROM tv_allocation) || \' allocations\'');
}
# (the documents differ in their configurations' created_at, now())
is($rows{citus}, $rows{single}, 'both targets hold the same fixture');
my $shape = $single->safe_psql(
	'postgres', q{
	SELECT format('%s (configurations: %s bytes of jsonb text, %s stored; allocations: %s stored)',
		:'rows', round(avg(octet_length(c.data::text))), round(avg(pg_column_size(c.data))),
		(SELECT round(avg(pg_column_size(data))) FROM tv_allocation))
	FROM tv_network_configuration c},
	extra_params => [ '-v', "rows=$rows{single}" ]);
my $servers = $single->safe_psql('postgres', 'SELECT count(*) FROM bench_dns_servers');

# The experiments: a pgbench script and its variables, the contenders
# (native first), the clients and the length of a measured run.
my @experiments = (
	{
		key       => 'cascade',
		title     => 'One DNS server cascade: latency, 1 client',
		script    => 'bench/cascade.pgbench',
		contenders => [ 'best', 'ivm' ],
		clients   => 1,
		length    => [ '-t', $cascades ],
	},
	{
		key       => 'bulk',
		title     => "The bulk statement ($bulk_count servers): latency, 1 client",
		script    => 'bench/cascade_bulk.pgbench',
		vars      => { count => $bulk_count },
		contenders => [ 'best', 'ivm' ],
		clients   => 1,
		length    => [ '-t', $bulks ],
	},
	{
		key       => 'throughput',
		title     => "Throughput: single cascades, $clients clients",
		script    => 'bench/cascade.pgbench',
		contenders => [ 'best', 'ivm' ],
		clients   => $clients,
		length    => [ '-T', $seconds ],
		one       => 'cascade',
	},
	{
		key       => 'proj_line',
		title     => "A generated projection of distributed tables, one order's lines changed: latency, 1 client",
		script    => 'bench/citus_projection.pgbench',
		vars      => { line => 1, orders => $orders, products => 200 },
		contenders => [ 'native', 'generated' ],
		clients   => 1,
		length    => [ '-t', $cascades ],
		orders    => 1,
	},
	{
		key       => 'proj_product',
		title     => 'A generated projection of distributed tables, one product (a reference table) changed: latency, 1 client',
		script    => 'bench/citus_projection.pgbench',
		vars      => { line => 0, orders => $orders, products => 200 },
		contenders => [ 'native', 'generated' ],
		clients   => 1,
		length    => [ '-t', max(1, int($cascades / 4)) ],
		orders    => 1,
	},
	{
		key       => 'proj_throughput',
		title     => "A generated projection of distributed tables, one order's lines changed: throughput, $clients clients",
		script    => 'bench/citus_projection.pgbench',
		vars      => { line => 1, orders => $orders, products => 200 },
		contenders => [ 'native', 'generated' ],
		clients   => $clients,
		length    => [ '-T', $seconds ],
		orders    => 1,
		one       => 'proj_line',
	});
my %label = (best => 'native (best)', seed => 'native (seed)', ivm => 'jsonb_ivm (ivm)',
	native => 'recompute by key', generated => 'jsonb_ivm (generated projection)');
my %contender_vars = (native => { generated => 0 }, generated => { generated => 1 });

# run_pgbench(TARGET, EXPERIMENT, CONTENDER, LENGTH...): one pgbench run
# after a VACUUM; returns the transactions' latencies (ms), the tps and
# the transactions retried and failed (deadlocks between clients).
my $log_prefix = "$PostgreSQL::Test::Utils::tmp_check/pgbench";
sub run_pgbench
{
	my ($t, $e, $who, @length) = @_;
	my $node = $t->{node};
	$node->safe_psql('postgres', $e->{orders}
		? 'VACUUM bg.order_lines, bg.products, bg.tv_order, bn.order_lines, bn.products, bn.tv_order'
		: 'VACUUM bench_dns_servers, tv_dns_server, tv_network_configuration, tv_allocation');
	unlink glob "$log_prefix.*";
	my %vars = (contender => $who, servers => $servers, tuned => 'true',
		%{ $e->{vars} // {} }, %{ $contender_vars{$who} // {} });
	my @cmd = (
		'pgbench', '-n', '-M', 'simple',
		'-h', $node->host, '-p', $node->port,
		'-c', $e->{clients}, '-j', min($e->{clients}, 2),
		'--max-tries=100', '-l', "--log-prefix=$log_prefix",
		@length, '-f', $e->{script},
		(map { ('-D', "$_=$vars{$_}") } sort keys %vars), 'postgres');
	my ($out, $err) = ('', '');
	IPC::Run::run(\@cmd, '>', \$out, '2>', \$err)
	  or BAIL_OUT("pgbench failed on $t->{name}: @cmd\n$out$err");
	my %r = (latencies => []);
	($r{tps}) = $out =~ /^tps = ([\d.]+) \(without initial connection time\)/m;
	($r{failed}) = $out =~ /^number of failed transactions: (\d+)/m;
	($r{retried}) = $out =~ /^number of transactions retried: (\d+)/m;
	$r{retried} //= 0;
	for my $file (glob "$log_prefix.*")
	{
		open my $fh, '<', $file or die "$file: $!";
		while (<$fh>)
		{
			# client transaction time(us) script epoch us [retries]
			my @f = split;
			push @{ $r{latencies} }, $f[2] / 1000 if $f[2] =~ /^\d+$/;
		}
		close $fh;
	}
	BAIL_OUT("no tps in pgbench's output on $t->{name}:\n$out$err")
	  unless defined $r{tps} && defined $r{failed};
	return \%r;
}

sub median
{
	my @v = sort { $a <=> $b } @_;
	return undef unless @v;
	return @v % 2 ? $v[$#v / 2] : ($v[@v / 2 - 1] + $v[@v / 2]) / 2;
}

# rounds: round 0 warms up (a fifth of a run), rounds 1..N are measured;
# in each round every experiment runs every target and contender once, in
# an order rotated by the round
my (%samples, $checks, $checks_failed);
$checks = $checks_failed = 0;
for my $round (0 .. $rounds)
{
	for my $e (@experiments)
	{
		my @runs = map { my $t = $_; map { [ $t, $_ ] } @{ $e->{contenders} } } @targets;
		@runs = (@runs[ $round % @runs .. $#runs ], @runs[ 0 .. $round % @runs - 1 ]);
		for my $run (@runs)
		{
			my ($t, $who) = @$run;
			my @length = @{ $e->{length} };
			$length[1] = max(1, int($length[1] / 5)) if $round == 0;
			my $t0 = time;
			my $r = run_pgbench($t, $e, $who, @length);
			my $expected = $e->{orders} ? '0 0' : $ok_summary;
			my $summary = $t->{node}->safe_psql('postgres',
				$e->{orders} ? $orders_check : 'SELECT ivm_test.difference_summary()');
			$checks++;
			$checks_failed++ unless $summary eq $expected;
			is($summary, $expected,
				"round $round, $e->{key}, $t->{name}, $who: the projections equal a rebuild");
			note(sprintf('round %d, %s, %s, %s: %.0f tps, median %.2f ms, %d retried, %d failed (%.1f s)',
				$round, $e->{key}, $t->{name}, $who, $r->{tps}, median(@{ $r->{latencies} }) // 0,
				$r->{retried}, $r->{failed}, time - $t0));
			next if $round == 0;
			my $s = $samples{ $e->{key} }{ $t->{key} }{$who} //= {};
			push @{ $s->{latencies} }, @{ $r->{latencies} };
			push @{ $s->{round_medians} }, median(@{ $r->{latencies} });
			push @{ $s->{tps} }, $r->{tps};
			$s->{$_} += $r->{$_} for qw(retried failed);
			$s->{transactions} += @{ $r->{latencies} };
		}
	}
}

# the report ---------------------------------------------------------------

sub sql_value { return $_[0]->safe_psql('postgres', $_[1]); }

sub fmt
{
	my ($v) = @_;
	return 'n/a' unless defined $v;
	return sprintf($v >= 100 ? '%.0f' : $v >= 10 ? '%.1f' : '%.2f', $v);
}
sub ratio { return defined $_[0] && defined $_[1] && $_[1] > 0 ? sprintf('%.2fx', $_[0] / $_[1]) : 'n/a'; }

# one table per experiment: the contenders by row, the targets by column
sub experiment_table
{
	my ($e) = @_;
	my $throughput = $e->{clients} > 1;
	my ($native, $ivm) = @{ $e->{contenders} };
	my $value = sub {
		my ($target, $who) = @_;
		my $s = $samples{ $e->{key} }{$target}{$who} or return undef;
		return $throughput ? median(@{ $s->{tps} }) : median(@{ $s->{latencies} });
	};
	my $spread = sub {
		my ($target, $who) = @_;
		my $s = $samples{ $e->{key} }{$target}{$who} or return '';
		my @v = $throughput ? @{ $s->{tps} } : @{ $s->{round_medians} };
		return sprintf(' (%s-%s)', fmt(min(@v)), fmt(max(@v)));
	};
	my $unit = $throughput ? 'transactions per second' : 'ms per transaction';
	my @md = ("## $e->{title}", '',
		$throughput
		? "Median over the rounds of pgbench's tps (the rounds' lowest and highest in brackets)."
		: "Median latency of all measured transactions (the lowest and highest of the rounds' medians in brackets).",
		'',
		"| $unit | single node | Citus, 3 nodes | Citus / single node |",
		'|---|---:|---:|---:|');
	for my $who ($native, $ivm)
	{
		push @md, sprintf('| %s | %s%s | %s%s | %s |', $label{$who},
			fmt($value->('single', $who)), $spread->('single', $who),
			fmt($value->('citus', $who)), $spread->('citus', $who),
			ratio($value->('citus', $who), $value->('single', $who)));
	}
	my ($n, $i) = $e->{orders} ? ('recompute', 'generated') : ('native', 'jsonb_ivm');
	push @md, sprintf('| %s | %s | %s | |',
		$throughput ? "$i / $n" : "$n / $i (speed-up)",
		map {
			$throughput
			  ? ratio($value->($_, $ivm), $value->($_, $native))
			  : ratio($value->($_, $native), $value->($_, $ivm))
		} qw(single citus));
	# how many times the throughput of one client, 1000 / the median
	# latency of the single cascade
	if ($throughput)
	{
		for my $who ($native, $ivm)
		{
			push @md, sprintf('| %s: 8 clients / 1 client | %s | %s | |', $label{$who},
				map {
					my $s = $samples{ $e->{one} }{$_}{$who};
					ratio($value->($_, $who), $s ? 1000 / median(@{ $s->{latencies} }) : undef)
				} qw(single citus));
		}
	}
	my @counts;
	for my $t (@targets)
	{
		for my $who ($native, $ivm)
		{
			my $s = $samples{ $e->{key} }{ $t->{key} }{$who} or next;
			push @counts, sprintf('%s, %s: %d transactions, %d retried, %d failed',
				$t->{name}, $label{$who}, $s->{transactions}, $s->{retried}, $s->{failed});
		}
	}
	push @md, '', 'Measured: ' . join('; ', @counts) . '.', '';
	return @md;
}

my $load = sub { open my $fh, '<', '/proc/loadavg' or return 'unknown'; my @l = split ' ', <$fh>; return "@l[0 .. 2]"; };
my $cpu = (grep { /^model name/ } split /\n/, slurp_file('/proc/cpuinfo'))[0] // 'unknown';
$cpu =~ s/^model name\s*:\s*//;
my ($mem) = slurp_file('/proc/meminfo') =~ /^MemTotal:\s+(\d+)/m;
chomp(my $uname = `uname -srm`);
chomp(my $nproc = `nproc`);
my $commit = $ENV{CITUS_BENCH_COMMIT}
  || `git -C '$root' -c safe.directory='*' describe --always --dirty 2>/dev/null` || 'unknown';
chomp $commit;
my $elapsed = time - $started;
(my $settings_line = $settings) =~ s/\n(?=.)/, /g;
chomp $settings_line;

my @md = (
	'# jsonb_ivm on Citus: the CQRS cascade and a generated projection on three nodes and on one', '',
	sprintf('Written by `bench/citus.pl` (`make bench-citus`) on %s, commit %s, in %.0f s.',
		strftime('%Y-%m-%d %H:%M UTC', gmtime), $commit, $elapsed),
	'',
	'## Setup', '',
	"- Machine: $uname, $nproc cores, " . sprintf('%.0f GB', ($mem // 0) / 1048576) . ", $cpu; load average "
	  . $load->() . ' at the end of the run.',
	'- Servers: ' . sql_value($single, 'SELECT version()') . '; Citus '
	  . sql_value($coordinator, 'SELECT extversion FROM pg_extension WHERE extname = $$citus$$')
	  . '; jsonb_ivm ' . sql_value($single, 'SELECT extversion FROM pg_extension WHERE extname = $$jsonb_ivm$$')
	  . '. All four servers run on this machine, on Unix sockets.',
	'- Citus: a coordinator and two workers, laid out by `test/t/060_citus/sql/layout.sql`: '
	  . sql_value($coordinator, q{SELECT string_agg(format('%s %s', table_name,
		  CASE citus_table_type WHEN 'distributed' THEN format('(%s shards by %s)', shard_count, distribution_column)
		  ELSE '(' || citus_table_type || ')' END), ', ' ORDER BY table_name::text) FROM citus_tables})
	  . '. The single node: the same tables, undistributed, without Citus.',
	"- Fixture: `SELECT $fixture` (tuned storage): $shape. A server sits in 10 configurations and their 50 allocations.",
	"- Settings of every node: $settings_line; the Citus nodes preload Citus; "
	  . "the servers run with $ENV{GLIBC_TUNABLES}. `fsync = off` and `wal_level = minimal` (PostgreSQL::Test::Cluster's defaults).",
	"- Runs: pgbench -M simple, a VACUUM of the cascade's tables before each run, one warm-up round (a fifth of a run each) and $rounds measured rounds; "
	  . 'each round runs every target and contender once, in an order rotated by round. '
	  . "A latency run is $cascades single cascades or $bulks bulk statements, 1 client; "
	  . "a throughput run is $seconds s of $clients clients (pgbench -j 2), deadlocks between clients retried (--max-tries=100).",
	'- Contenders (`bench/cascade_lib.sql`): native is `best` (jsonb_set of the server\'s element, found with jsonb_array_elements, '
	  . 'then jsonb_set of the configuration into its allocations; in bulk, each configuration\'s array re-aggregated once); '
	  . 'jsonb_ivm is `ivm` (jsonb_array_update_where, in bulk jsonb_array_update_where_batch, on configurations and on the configuration inside each allocation).',
	"- The generated projection (`bench/citus_projection.sql`, `bench/citus_projection.pgbench`): the orders of "
	  . '`test/t/060_citus/sql/distributed.sql` (orders, their lines and notes distributed by order id, co-located, 4 shards; '
	  . "customers and products reference tables), at $orders_shape. Twice on each target: tv_order a generated projection "
	  . '(jsonb_ivm), or a plain table of the same documents that each transaction recomputes after its statement from the '
	  . 'view, by key, with INSERT ... SELECT ... ON CONFLICT DO UPDATE (recompute by key: what pg_tviews does; Citus refuses '
	  . 'UPDATE ... FROM the view, whose jsonb_build_object is STABLE). A line change rewrites one document, a product change every '
	  . 'document with a line of that product. The single node has the same tables, undistributed.',
	"- Checks: after every run the projections equal a rebuild (`ivm_test.difference_summary()`, or the orders' projections their view both ways): "
	  . ($checks - $checks_failed) . " of $checks runs.",
	'');
push @md, experiment_table($_) for @experiments;
push @md, '## What these numbers show, and what they do not', '',
  '- They show what distribution costs one cascade on this layout: the coordinator plans each statement, sends one task per shard '
  . 'to the workers and commits the change of a reference table on every node with two-phase commit. '
  . 'The Citus / single node column is that overhead, for native SQL and for jsonb_ivm alike; '
  . 'the native / jsonb_ivm row says whether jsonb_ivm\'s advantage survives distribution.',
  '- They do not show scale-out. The coordinator, both workers, the single node and pgbench share one machine and its '
  . "$nproc cores, so the workers cannot add CPU: the throughput column compares a cluster and a server on the same hardware, "
  . 'and the cluster spends part of it on coordination. Connections are Unix sockets, so there is no network latency either. '
  . 'On separate machines each worker would do about half of the single node\'s work per statement (it holds two of the four shards) '
  . 'while paying a network round trip per statement and per commit phase; with this layout that shortens a cascade at best, '
  . 'since cascades run one at a time (next point). Neither effect can be measured here.',
  '- On Citus, concurrent cascades run one at a time. An UPDATE of a reference table takes an exclusive lock on its shard until commit, '
  . 'so that every node\'s copy applies the writes in the same order, and a multi-shard UPDATE takes a lock on each shard that excludes '
  . 'other multi-shard UPDATEs (citus.enable_deadlock_prevention): every cascade begins with the server\'s reference-table rows, so the '
  . '8-client runs on Citus measure one cascade at a time plus the waiting, whatever the cores; the "8 clients / 1 client" rows show it. '
  . 'citus.all_modifications_commutative lifts the first lock, but then two changes of the same server may reach the copies in different orders; '
  . 'these runs keep Citus\'s defaults.',
  '- The generated projection\'s rows show that its maintenance runs where the rows are: on Citus each change is a task on the worker '
  . 'that holds the order\'s shard, whose triggers patch the document there; a product change is written to every node\'s copy of the '
  . 'reference table, and each node patches the documents of its shards. Recompute by key is a second statement per transaction, '
  . 'and Citus runs its INSERT ... SELECT as one task per shard (all four), not only on the order\'s: the Citus column shows that cost.',
  '- The fixture fits in shared buffers on every node: no disk reads are measured.',
  '';
open my $fh, '>', "$root/bench/citus.md" or die "bench/citus.md: $!";
print $fh join("\n", @md);
close $fh;
note("bench/citus.md written after ${\ sprintf('%.0f', $elapsed)} s");

$_->stop for ($coordinator, @workers, $single);
done_testing();
