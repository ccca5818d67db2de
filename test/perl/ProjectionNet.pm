# The random net under the projection engine (test/t/080_projection_net.pl):
# seeded random schemas, projection queries drawn from the grammar the
# engine accepts, and random workloads, each statement followed by a
# comparison of every projection with its own query.  A failing case is
# shrunk to a minimal one and written out as a pg_regress test file.
#
# A case is data (tables, projections, statements), rendered to one psql
# script and run in a fresh database; everything is drawn from the case's
# seed alone, so a seed replays the same case on any machine.

package ProjectionNet;

use strict;
use warnings;

use IPC::Run;
use List::Util qw(sum);

use Exporter 'import';
our @EXPORT_OK = qw(draw_case render_script run_case run_concurrent
  shrink_case regress_file maintenance_kinds all_dimensions);

# ---------------------------------------------------------------------
# Random numbers: MINSTD, the same on every platform and Perl build.

sub rng
{
	my ($seed) = @_;
	my $s = ($seed % 2147483646) + 1;
	return bless { s => $s }, 'ProjectionNet::Rng';
}

package ProjectionNet::Rng;

sub int
{
	my ($r, $n) = @_;
	$r->{s} = ($r->{s} * 48271) % 2147483647;
	return $n ? $r->{s} % $n : 0;
}
sub chance { my ($r, $p) = @_; return $r->int(1000) < $p * 1000; }
sub pick { my ($r, @l) = @_; return $l[ $r->int(scalar @l) ]; }

package ProjectionNet;

# ---------------------------------------------------------------------
# Dimensions: each can be switched off (the harness's flags, CI's line).

sub all_dimensions
{
	return qw(schemas names grammar refusals settings roles rls renames
	  transactions concurrency);
}

# ---------------------------------------------------------------------
# Names a stranger would give: mixed case, spaces, quotes, multibyte,
# dollar quotes.  Everything is rendered quoted.

my @odd_table_names = ('Order Line', 'ünïcödé', 'quote"d', 'select',
	'CamelCase', 'dash-ed', 'ÅÄÖ_ąę_日本');
my @hostile_table_names = ('x$body$y', "new\nline", '$$', "semi;colon--");
my @plain_table_names = qw(account item tag note widget part doc entry
  node ledger label owner);
my @payload_names = qw(name title amount placed ratio span flag label
  body score note rank);

sub qi
{
	my ($n) = @_;
	$n =~ s/"/""/g;
	return qq("$n");
}

sub ql
{
	my ($s) = @_;
	$s =~ s/'/''/g;
	return "'$s'";
}

# ---------------------------------------------------------------------
# Values by type: literals that stress text output (scale, time zones,
# float digits, interval style, multibyte), and NULL where allowed.

my %values = (
	int => [ map { "$_" } (-2 .. 12) ],
	bigint => [ '0', '9007199254740993', '-5', '42', '1', '2' ],
	text => [ 'a', 'b', 'c', 'Ångström', '日本語', 'x y', q(it's), '', 'zz',
		'a', 'b' ],
	numeric => [ '1.50', '2', '0.000', '-3.25', '1e3', '12345678901234567890.5',
		'1.5' ],
	timestamptz => [ '2024-01-01 00:00:00+00', '2023-06-15 13:45:30.5+02',
		'1999-12-31 23:59:59-08', '2024-03-10 02:30:00+00' ],
	float8 => [ '0.1', '1e-7', '3.141592653589793', '-0', '1e300', '2.5',
		'0.30000000000000004' ],
	interval => [ '1 day', '-1 mon 2 days', '02:30:00', '1 year 3 mons',
		'3 days 04:05:06.5' ],
	boolean => [ 'true', 'false' ],);

sub literal
{
	my ($r, $col) = @_;
	return 'NULL' if $col->{null} && $r->chance(0.12);
	my $type = $col->{type};
	my $v = $r->pick(@{ $values{$type} });
	return $v if $type =~ /^(int|bigint|boolean)$/;
	return ql($v) . "::$type";
}

# a key value of a type from a number
sub key_sql
{
	my ($type, $n) = @_;
	return "$n" if $type eq 'int' || $type eq 'bigint';
	return ql("k$n") if $type eq 'text';
	return ql(sprintf('00000000-0000-4000-8000-%012d', $n)) . '::uuid';
}

# the same from an SQL integer expression
sub key_expr
{
	my ($type, $e) = @_;
	return "($e)" if $type eq 'int';
	return "($e)::bigint" if $type eq 'bigint';
	return "('k' || ($e))" if $type eq 'text';
	return "('00000000-0000-4000-8000-' || pg_catalog.lpad(($e)::text, 12, '0'))::uuid";
}

# ---------------------------------------------------------------------
# Schemas.  A table: name, columns (name, type, null, kind: key, fk,
# payload, flag, deleted_at, pos), its key columns, foreign keys, unique
# constraints.

sub draw_schema
{
	my ($r, $dims) = @_;
	my $nt = 2 + $r->int(4);
	my (@tables, %used);
	for my $i (0 .. $nt - 1)
	{
		my $name;
		do
		{
			$name = ($dims->{schemas} && $r->chance(0.25))
			  ? $r->pick(@odd_table_names)
			  : $r->pick(@plain_table_names);
			# a name that breaks code generated from names (0.3)
			$name = $r->pick(@hostile_table_names)
			  if $dims->{names} && $r->chance(0.1);
		} while ($used{$name}++);
		my $t = { id => $i, name => $name, cols => [], uniques => [] };
		my $keytype = $dims->{schemas}
		  ? $r->pick(qw(int int bigint uuid text composite link link))
		  : 'int';
		my @singles = grep { $_->{keytype} !~ /^(composite|link)$/ } @tables;
		$keytype = 'int' if $keytype eq 'composite' && $i == 0;
		# a link table: its key, two foreign keys (a many-to-many link)
		$keytype = 'int' if $keytype eq 'link' && !@singles;
		my @fks;
		my $nfk = $i == 0 ? ($r->chance(0.2) ? 1 : 0) : 1 + $r->int(2);
		for (1 .. $nfk)
		{
			# foreign keys reference one-column keys only
			my @targets = @singles;
			my $target =
			  (!@targets || $r->chance(0.12)) ? $t : $r->pick(@targets);
			next if $target == $t && $keytype =~ /^(composite|link)$/;
			push @fks, $target;
		}
		# a second foreign key to the same table
		push @fks, $fks[0] if @fks && $fks[0] != $t && $r->chance(0.25);
		$t->{keytype} = $keytype;
		if ($keytype eq 'link')
		{
			my $a = $r->pick(@singles);
			my $b = $r->pick(@singles);
			my $an = lc_name($a->{name}) . '_id';
			my $bn = lc_name($b->{name}) . '_id';
			$bn .= '_2' if $bn eq $an;
			push @{ $t->{cols} }, fk_col($r, $t, $a, 0, $an), fk_col($r, $t, $b, 0, $bn);
			$t->{key} = [ 0, 1 ];
			@fks = ();
		}
		elsif ($keytype eq 'composite')
		{
			my $up = (grep { $_ != $t } @fks)[0]
			  // $r->pick(@singles);
			push @{ $t->{cols} },
			  fk_col($r, $t, $up, 0, 'up_id'),
			  { name => 'seq', type => 'int', null => 0, kind => 'seq' };
			$t->{key} = [ 0, 1 ];
			@fks = grep { $_ != $up } @fks;
		}
		else
		{
			push @{ $t->{cols} },
			  { name => 'id', type => $keytype, null => 0, kind => 'key' };
			$t->{key} = [0];
		}
		my $n = 0;
		for my $target (@fks)
		{
			my $cname = ($target == $t ? 'parent' : lc_name($target->{name})) . '_id';
			$cname = "${cname}_" . ++$n while grep { $_->{name} eq $cname } @{ $t->{cols} };
			# a self-reference must be nullable, or no first row could exist
			push @{ $t->{cols} }, fk_col($r, $t, $target, $target == $t || $r->chance(0.6), $cname);
		}
		my %pn;
		for (1 .. 1 + $r->int(4))
		{
			my $pname = $r->pick(@payload_names);
			next if $pn{$pname}++;
			my $type = $dims->{schemas}
			  ? $r->pick(qw(text text int numeric timestamptz float8 interval boolean))
			  : $r->pick(qw(text int));
			push @{ $t->{cols} },
			  { name => $pname, type => $type, null => $r->chance(0.7) ? 1 : 0,
				kind => 'payload' };
		}
		if ($r->chance(0.35))
		{
			push @{ $t->{cols} }, $r->chance(0.5)
			  ? { name => 'deleted', type => 'boolean', null => 0, kind => 'flag' }
			  : { name => 'deleted_at', type => 'timestamptz', null => 1,
				kind => 'deleted_at' };
		}
		# a position unique within the first foreign key's parent
		my ($fk0) = grep { $_->{kind} eq 'fk' } @{ $t->{cols} };
		if ($fk0 && $r->chance(0.4))
		{
			push @{ $t->{cols} }, { name => 'pos', type => 'int', null => 0, kind => 'pos' };
			push @{ $t->{uniques} }, [ col_index($t, $fk0), $#{ $t->{cols} } ];
		}
		# a unique text column
		my @texts = grep { $t->{cols}[$_]{type} eq 'text' && $t->{cols}[$_]{kind} eq 'payload' }
		  0 .. $#{ $t->{cols} };
		push @{ $t->{uniques} }, [ $texts[0] ] if @texts && $r->chance(0.2);
		$t->{rls} = $dims->{rls} && $r->chance(0.3);
		push @tables, $t;
	}
	return \@tables;
}

sub lc_name
{
	my ($n) = @_;
	$n = lc $n;
	$n =~ s/[^a-z]+/_/g;
	$n =~ s/^_|_$//g;
	return $n eq '' ? 'ref' : $n;
}

sub fk_col
{
	my ($r, $t, $target, $null, $name) = @_;
	my @del = ('NO ACTION', 'RESTRICT', 'CASCADE');
	push @del, 'SET NULL', 'SET DEFAULT' if $null;
	my @upd = ('NO ACTION', 'CASCADE');
	push @upd, 'SET NULL' if $null;
	return {
		name => $name, type => $target->{cols}[0]{type}, null => $null,
		kind => 'fk', ref => $target->{id},
		on_delete => $r->pick(@del), on_update => $r->pick(@upd) };
}

sub col_index
{
	my ($t, $col) = @_;
	for my $i (0 .. $#{ $t->{cols} })
	{
		return $i if $t->{cols}[$i] == $col;
	}
	die "column not in table";
}

# ---------------------------------------------------------------------
# Projection queries.  An expression node is a hash with a kind; the
# renderer turns it into SQL with the names of the moment (renames).
#
#   col       { t, c, wrap }                 a column of an alias
#   obj       { entries => [[key, node]] }   jsonb_build_object
#   parent    { t (child alias), c (fk), alias, table, body }
#                                            scalar subquery
#   joined    { alias, body, guard }         a root-level JOIN's parent
#   array     { alias, table, corr, up, join, elem, order, filter,
#               coalesce }
#   projdata  { alias }                      another projection's data

sub draw_projections
{
	my ($r, $tables, $dims) = @_;
	my @projs;
	my $np = 1 + $r->int(3);
	my $serial = 0;
	for my $i (0 .. $np - 1)
	{
		my @roots = grep { $_->{keytype} !~ /^(composite|link)$/ } @$tables;
		# the first often a table others reference: a projection that later
		# ones can embed as a parent or an element
		my %referenced = map { $_->{kind} eq 'fk' ? ($_->{ref} => 1) : () } map { @{ $_->{cols} } } @$tables;
		my @parents = grep { $referenced{ $_->{id} } } @roots;
		my $root = ($i == 0 && @parents && $r->chance(0.6)) ? $r->pick(@parents) : $r->pick(@roots);
		my $p = draw_query($r, $tables, $root, \@projs, $dims, \$serial);
		$p->{name} = "p$i";
		push @projs, $p;
	}
	if ($dims->{refusals} && $r->chance(0.3))
	{
		my $base = $r->pick(@projs);
		push @projs, refusal($r, $base, scalar @projs);
	}
	return \@projs;
}

sub new_alias
{
	my ($serial, $table) = @_;
	return { table => $table, name => 'a' . $$serial++ };
}

sub draw_query
{
	my ($r, $tables, $root, $projs, $dims, $serial) = @_;
	my $a = new_alias($serial, $root);
	my $q = { root => $a, joins => [], where => [], plain => [] };
	my $ctx = { r => $r, tables => $tables, projs => $projs, dims => $dims,
		serial => $serial, q => $q, constructs => {} };
	# root-level joins of parents by a foreign key of the root
	for my $ci (grep { $root->{cols}[$_]{kind} eq 'fk' } 0 .. $#{ $root->{cols} })
	{
		next unless $r->chance(0.45);
		my $col = $root->{cols}[$ci];
		my $ptable = $tables->[ $col->{ref} ];
		my $pa = new_alias($serial, $ptable);
		my $left = $col->{null} ? 1 : $r->chance(0.5);
		# a parent that is another projection
		my ($proj) = grep { $_->{root}{table} == $ptable && !$_->{refused} } @$projs;
		$pa->{proj} = $proj if $proj && $r->chance(0.5);
		push @{ $q->{joins} }, { alias => $pa, left => $left, on => [ $a, $ci ] };
		$ctx->{constructs}{ $left ? 'left join parent' : 'join parent' }++;
		$ctx->{constructs}{'projection as parent'}++ if $pa->{proj};
	}
	my $body = draw_object($ctx, $a, 0);
	for my $j (@{ $q->{joins} })
	{
		my $pa = $j->{alias};
		my $v = $pa->{proj}
		  ? { kind => 'projdata', alias => $pa }
		  : draw_object($ctx, $pa, 2);
		$v = { kind => 'guard', alias => $pa, body => $v }
		  if $j->{left} && !$pa->{proj} && $r->chance(0.5);
		push @{ $body->{entries} }, [ 'j_' . lc_name($pa->{table}{name}) . $pa->{name}, $v ];
	}
	$q->{data} = $body;
	# a soft-delete filter on the root
	my ($flag) = grep { $_->{kind} eq 'flag' || $_->{kind} eq 'deleted_at' } @{ $root->{cols} };
	if ($flag && $r->chance(0.6))
	{
		push @{ $q->{where} }, { alias => $a, c => col_index($root, $flag) };
		$ctx->{constructs}{'root filter'}++;
	}
	# a plain column beside data
	my @payload = grep { $root->{cols}[$_]{kind} eq 'payload' } 0 .. $#{ $root->{cols} };
	if (@payload && $r->chance(0.3))
	{
		push @{ $q->{plain} }, [ 'c_' . $root->{cols}[ $payload[0] ]{name}, $payload[0] ];
		$ctx->{constructs}{'plain column'}++;
	}
	$q->{constructs} = $ctx->{constructs};
	return $q;
}

# jsonb_build_object over alias $a's table: some of its columns, parents
# by scalar subquery, child arrays; $depth bounds the nesting.
sub draw_object
{
	my ($ctx, $a, $depth) = @_;
	my $r = $ctx->{r};
	my $t = $a->{table};
	my @entries;
	my %keys;
	for my $ci (0 .. $#{ $t->{cols} })
	{
		next unless $ci == 0 || $r->chance(0.6);
		my $col = $t->{cols}[$ci];
		push @entries, [ $col->{name}, draw_col($ctx, $a, $ci) ];
	}
	if ($depth < 3)
	{
		# parents by scalar subquery
		for my $ci (grep { $t->{cols}[$_]{kind} eq 'fk' } 0 .. $#{ $t->{cols} })
		{
			next unless $r->chance(0.3);
			my $col = $t->{cols}[$ci];
			my $ptable = $ctx->{tables}[ $col->{ref} ];
			my $pa = new_alias($ctx->{serial}, $ptable);
			my ($proj) = grep { $_->{root}{table} == $ptable && !$_->{refused} } @{ $ctx->{projs} };
			my $body;
			if ($proj && $r->chance(0.4))
			{
				$pa->{proj} = $proj;
				$body = { kind => 'projdata', alias => $pa };
				$ctx->{constructs}{'projection as parent'}++;
			}
			else
			{
				$body = draw_object($ctx, $pa, $depth + 2);
			}
			push @entries, [ 'up_' . $col->{name},
				{ kind => 'parent', t => $a, c => $ci, alias => $pa, body => $body } ];
			$ctx->{constructs}{'parent by subquery'}++;
		}
		# child arrays
		for my $child (@{ $ctx->{tables} })
		{
			for my $ci (grep { $child->{cols}[$_]{kind} eq 'fk' && $child->{cols}[$_]{ref} == $t->{id} }
				0 .. $#{ $child->{cols} })
			{
				next unless $r->chance($depth == 0 ? 0.6 : 0.3);
				my $arr = draw_array($ctx, $a, $child, $ci, $depth);
				push @entries, [ 'arr_' . lc_name($child->{name}) . "_$ci", $arr ] if $arr;
			}
		}
	}
	@entries = grep { !$keys{ $_->[0] }++ } @entries;
	return { kind => 'obj', entries => \@entries };
}

sub draw_col
{
	my ($ctx, $a, $ci) = @_;
	my $r = $ctx->{r};
	my $type = $a->{table}{cols}[$ci]{type};
	my $wrap = 'none';
	if ($r->chance(0.25))
	{
		my @w = ('text');
		push @w, 'upper', 'coalesce' if $type eq 'text';
		push @w, 'plus' if $type =~ /^(int|bigint|numeric)$/;
		$wrap = $r->pick(@w);
		$ctx->{constructs}{"expression $wrap"}++;
	}
	$ctx->{constructs}{"column $type"}++;
	return { kind => 'col', t => $a, c => $ci, wrap => $wrap };
}

# An array of $child's rows whose column $ci links them to alias $a: the
# sort must, with the correlation, cover a unique index of the table the
# rows come from.
sub draw_array
{
	my ($ctx, $a, $child, $ci, $depth) = @_;
	my $r = $ctx->{r};
	my $ca = new_alias($ctx->{serial}, $child);
	my $arr = { kind => 'array', alias => $ca, corr => $ci, up => $a,
		coalesce => $r->chance(0.7) };
	my @cols = @{ $child->{cols} };
	my @order;
	my $corr_in_key = grep { $_ == $ci } @{ $child->{key} };
	# a many-to-many link: the element comes from the other table linked
	my @others = grep { $_ != $ci && $cols[$_]{kind} eq 'fk' && !$cols[$_]{null} } 0 .. $#cols;
	if ($child->{keytype} eq 'composite' && $corr_in_key)
	{
		push @order, [ $ca, 1, $r->chance(0.3) ];
	}
	elsif (my ($u) = grep { $_->[0] == $ci && @$_ == 2 } @{ $child->{uniques} })
	{
		push @order, [ $ca, $u->[1], $r->chance(0.3) ] if $r->chance(0.6);
	}
	if (!@order && @others && $r->chance($child->{keytype} eq 'link' ? 0.85 : 0.6))
	{
		my $oc = $r->pick(@others);
		my $xtable = $ctx->{tables}[ $cols[$oc]{ref} ];
		my $xa = new_alias($ctx->{serial}, $xtable);
		$arr->{join} = { alias => $xa, on => $oc };
		my ($proj) = grep { $_->{root}{table} == $xtable && !$_->{refused} } @{ $ctx->{projs} };
		$xa->{proj} = $proj if $proj && $r->chance(0.6);
		$ctx->{constructs}{'array through a joined table'}++;
	}
	if (!@order)
	{
		# a sort key that is not unique, then a tie-breaker that is
		my @sortable = grep { $cols[$_]{kind} =~ /^(payload|pos|seq)$/ && $cols[$_]{type} ne 'boolean' } 0 .. $#cols;
		if ($arr->{join} && !$arr->{join}{alias}{proj} && $r->chance(0.5))
		{
			my $xt = $arr->{join}{alias}{table};
			my @xs = grep { $xt->{cols}[$_]{kind} eq 'payload' && $xt->{cols}[$_]{type} ne 'boolean' } 0 .. $#{ $xt->{cols} };
			if (@xs)
			{
				$arr->{jsort} = $r->pick(@xs);
				push @order, [ $arr->{join}{alias}, $arr->{jsort}, $r->chance(0.3) ];
				$ctx->{constructs}{'sort key on a joined table'}++;
			}
		}
		push @order, [ $ca, $r->pick(@sortable), $r->chance(0.3) ]
		  if @sortable && $r->chance(0.5);
		my $desc = $r->chance(0.3);
		if ($child->{keytype} =~ /^(composite|link)$/)
		{
			# the key's columns but the correlation, which is fixed
			my @k = $corr_in_key ? grep { $_ != $ci } @{ $child->{key} } : @{ $child->{key} };
			push @order, [ $ca, $_, $desc ] for @k;
		}
		elsif ($arr->{join} && $r->chance(0.5))
		{
			# the link row's other foreign key, with the correlation, is
			# not unique; the link's own key is
			push @order, [ $ca, 0, $desc ];
		}
		else
		{
			push @order, [ $ca, 0, $desc ];
		}
	}
	$arr->{order} = \@order;
	$ctx->{constructs}{ 'sort ' . (@order > 1 ? 'several keys' : 'one key') }++;
	$ctx->{constructs}{'sort descending'}++ if grep { $_->[2] } @order;
	# the element
	if ($arr->{join} && $arr->{join}{alias}{proj})
	{
		$arr->{elem} = { kind => 'projdata', alias => $arr->{join}{alias} };
		$ctx->{constructs}{'projection as element'}++;
	}
	elsif ($r->chance(defined $arr->{jsort} ? 0.5 : 0.25))
	{
		my $src = $arr->{join} ? $arr->{join}{alias} : $ca;
		my @pc = grep { $src->{table}{cols}[$_]{kind} eq 'payload' } 0 .. $#{ $src->{table}{cols} };
		@pc = (0) unless @pc;
		# the joined table's sort key itself, as the element
		@pc = ($arr->{jsort}) if defined $arr->{jsort} && $r->chance(0.7);
		$arr->{elem} = draw_col($ctx, $src, $r->pick(@pc));
		$ctx->{constructs}{'scalar element'}++;
	}
	else
	{
		my $obj = draw_object($ctx, $ca, $depth + 1);
		if ($arr->{join})
		{
			my $xobj = draw_object($ctx, $arr->{join}{alias}, 3);
			push @{ $obj->{entries} }, [ 'linked', $xobj ];
		}
		$arr->{elem} = $obj;
		$ctx->{constructs}{'object element'}++;
	}
	# a filter on the rows
	my ($flag) = grep { $_->{kind} eq 'flag' || $_->{kind} eq 'deleted_at' } @cols;
	if ($flag && $r->chance(0.6))
	{
		$arr->{filter} = { alias => $ca, c => col_index($child, $flag) };
		$ctx->{constructs}{'array filter'}++;
	}
	$ctx->{constructs}{ $depth > 0 ? 'nested array' : 'array' }++;
	$ctx->{constructs}{'array without coalesce'}++ unless $arr->{coalesce};
	return $arr;
}

# Refusals: a valid query with one construct the engine refuses.  Each
# names the words its error must contain.
my @refusals = (
	[ 'GROUP BY', sub { $_[0] . ' GROUP BY 1, 2' }, qr/GROUP BY/ ],
	[ 'DISTINCT', sub { $_[0] =~ s/^SELECT /SELECT DISTINCT /r }, qr/DISTINCT/ ],
	[ 'LIMIT', sub { $_[0] . ' LIMIT 5' }, qr/LIMIT/ ],
	[ 'now()', sub { $_[0] =~ s/ AS data/ || pg_catalog.jsonb_build_object('at', now()) AS data/r }, qr/now\(\)|clock/ ],
	[ 'random()', sub { $_[0] =~ s/ AS data/ || pg_catalog.jsonb_build_object('r', random()) AS data/r }, qr/volatile/ ],
	[ 'window function', sub { $_[0] =~ s/ AS data/ || pg_catalog.jsonb_build_object('n', row_number() OVER ()) AS data/r }, qr/window/ ],
	[ 'UNION', sub { "$_[0] UNION ALL $_[0]" }, qr/UNION/ ],
	[ 'WITH', sub { "WITH w AS (SELECT 1) $_[0]" }, qr/WITH/ ],
	[ 'no data column', sub { $_[0] =~ s/ AS data/ AS doc/r }, qr/"data"/ ],);

sub refusal
{
	my ($r, $base, $i) = @_;
	my $k = $r->int(scalar @refusals);
	return { %$base, name => "p$i", refused => $k, constructs => { "refused $refusals[$k][0]" => 1 } };
}

# ---------------------------------------------------------------------
# Rendering.  $env holds the names of the moment: table and column names
# after the renames so far.

sub tname { my ($env, $t) = @_; return qi($env->{tn}{ $t->{id} } // $t->{name}); }
sub cname { my ($env, $t, $ci) = @_; return qi($env->{cn}{"$t->{id}.$ci"} // $t->{cols}[$ci]{name}); }
sub aref { my ($env, $a, $ci) = @_; return "$a->{name}." . cname($env, $a->{table}, $ci); }

sub render_node
{
	my ($env, $n) = @_;
	my $k = $n->{kind};
	if ($k eq 'col')
	{
		my $e = aref($env, $n->{t}, $n->{c});
		my $w = $n->{wrap};
		return $e if $w eq 'none';
		return "($e)::text" if $w eq 'text';
		return "pg_catalog.upper($e)" if $w eq 'upper';
		return "coalesce($e, 'none')" if $w eq 'coalesce';
		return "($e + 1)" if $w eq 'plus';
		die "wrap $w";
	}
	if ($k eq 'obj')
	{
		return "'{}'::jsonb" unless @{ $n->{entries} };
		return 'jsonb_build_object('
		  . join(', ', map { ql($_->[0]) . ', ' . render_node($env, $_->[1]) } @{ $n->{entries} })
		  . ')';
	}
	if ($k eq 'projdata')
	{
		return "$n->{alias}{name}.data";
	}
	if ($k eq 'guard')
	{
		my $pa = $n->{alias};
		return "CASE WHEN " . aref($env, $pa, 0) . " IS NULL THEN NULL ELSE "
		  . render_node($env, $n->{body}) . ' END';
	}
	if ($k eq 'parent')
	{
		my $pa = $n->{alias};
		return '(SELECT ' . render_node($env, $n->{body}) . ' FROM ' . from_item($env, $pa)
		  . ' WHERE ' . key_ref($env, $pa) . ' = ' . aref($env, $n->{t}, $n->{c}) . ')';
	}
	if ($k eq 'array')
	{
		my $ca = $n->{alias};
		my $sql = 'SELECT jsonb_agg(' . render_node($env, $n->{elem}) . ' ORDER BY '
		  . join(', ', map { aref($env, $_->[0], $_->[1]) . ($_->[2] ? ' DESC' : '') } @{ $n->{order} })
		  . ') FROM ' . from_item($env, $ca);
		if (my $j = $n->{join})
		{
			$sql .= ' JOIN ' . from_item($env, $j->{alias}) . ' ON ' . key_ref($env, $j->{alias})
			  . ' = ' . aref($env, $ca, $j->{on});
		}
		$sql .= ' WHERE ' . aref($env, $ca, $n->{corr}) . ' = ' . aref($env, $n->{up}, 0);
		$sql .= ' AND ' . filter_sql($env, $n->{filter}) if $n->{filter};
		return $n->{coalesce} ? "coalesce(($sql), '[]')" : "($sql)";
	}
	die "node $k";
}

sub from_item
{
	my ($env, $a) = @_;
	return qi($a->{proj}{name}) . " $a->{name}" if $a->{proj};
	return tname($env, $a->{table}) . " $a->{name}";
}

# the key of an alias: a projection's first output column is its root key
sub key_ref
{
	my ($env, $a) = @_;
	return "$a->{name}." . cname($env, $a->{proj}{root}{table}, 0) if $a->{proj};
	return aref($env, $a, 0);
}

sub filter_sql
{
	my ($env, $f) = @_;
	my $col = $f->{alias}{table}{cols}[ $f->{c} ];
	my $e = aref($env, $f->{alias}, $f->{c});
	return $col->{kind} eq 'flag' ? "NOT $e" : "$e IS NULL";
}

# the query's output columns: the key, plain columns, data
sub query_sql
{
	my ($env, $q) = @_;
	my $a = $q->{root};
	my $sql = 'SELECT ' . aref($env, $a, 0) . ', '
	  . join('', map { aref($env, $a, $_->[1]) . ' AS ' . qi($_->[0]) . ', ' } @{ $q->{plain} })
	  . render_node($env, $q->{data}) . ' AS data FROM ' . tname($env, $a->{table}) . " $a->{name}";
	for my $j (@{ $q->{joins} })
	{
		$sql .= ($j->{left} ? ' LEFT JOIN ' : ' JOIN ') . from_item($env, $j->{alias})
		  . ' ON ' . key_ref($env, $j->{alias}) . ' = ' . aref($env, $j->{on}[0], $j->{on}[1]);
	}
	$sql .= ' WHERE ' . join(' AND ', map { filter_sql($env, $_) } @{ $q->{where} })
	  if @{ $q->{where} };
	$sql = $refusals[ $q->{refused} ][1]->($sql) if defined $q->{refused};
	return $sql;
}

sub output_columns
{
	my ($env, $q) = @_;
	return join(', ', cname($env, $q->{root}{table}, 0),
		(map { qi($_->[0]) } @{ $q->{plain} }), 'data');
}

sub schema_sql
{
	my ($tables) = @_;
	my @s;
	for my $t (grep { !$_->{gone} } @$tables)
	{
		my @defs;
		for my $ci (0 .. $#{ $t->{cols} })
		{
			my $c = $t->{cols}[$ci];
			next if $c->{gone};
			my $d = qi($c->{name}) . " $c->{type}";
			$d .= ' NOT NULL' unless $c->{null};
			$d .= ' DEFAULT false' if $c->{kind} eq 'flag';
			push @defs, $d;
		}
		push @defs, 'PRIMARY KEY (' . join(', ', map { qi($t->{cols}[$_]{name}) } @{ $t->{key} }) . ')';
		push @defs, 'UNIQUE (' . join(', ', map { qi($t->{cols}[$_]{name}) } @$_) . ')' for @{ $t->{uniques} };
		push @s, 'CREATE TABLE ' . qi($t->{name}) . " (\n\t" . join(",\n\t", @defs) . ');';
	}
	# foreign keys after every table exists; an index on each
	for my $t (grep { !$_->{gone} } @$tables)
	{
		for my $ci (grep { $t->{cols}[$_]{kind} eq 'fk' && !$t->{cols}[$_]{gone} } 0 .. $#{ $t->{cols} })
		{
			my $c = $t->{cols}[$ci];
			my $target = $tables->[ $c->{ref} ];
			push @s, 'ALTER TABLE ' . qi($t->{name}) . ' ADD FOREIGN KEY (' . qi($c->{name})
			  . ') REFERENCES ' . qi($target->{name})
			  . " ON DELETE $c->{on_delete} ON UPDATE $c->{on_update};";
			push @s, 'CREATE INDEX ON ' . qi($t->{name}) . ' (' . qi($c->{name}) . ');';
		}
		if ($t->{rls})
		{
			push @s, 'ALTER TABLE ' . qi($t->{name}) . ' ENABLE ROW LEVEL SECURITY;',
			  'CREATE POLICY net_some ON ' . qi($t->{name})
			  . ' TO net_writer USING (pg_catalog.hashtext(' . qi($t->{cols}[0]{name})
			  . '::text) % 3 <> 0) WITH CHECK (true);';
		}
	}
	return join("\n", @s);
}

# ---------------------------------------------------------------------
# Workloads.  A statement is a hash: kind, table, and what it needs; rows
# are picked by position in key order at run time, so that a statement
# means something whatever ran before it.

sub draw_workload
{
	my ($r, $tables, $dims, $n, $hot) = @_;
	my @w;
	my $fresh = 1000;
	my $ctx = { r => $r, tables => $tables, fresh => \$fresh, dims => $dims, hot => $hot };
	while (@w < $n)
	{
		my $x = $r->int(100);
		if ($dims->{transactions} && $x < 12)
		{
			my $iso = $r->pick('', '', ' ISOLATION LEVEL REPEATABLE READ', ' ISOLATION LEVEL SERIALIZABLE');
			push @w, { kind => 'begin', iso => $iso };
			for (1 .. 1 + $r->int(3)) { push @w, draw_change($ctx); }
			if ($r->chance(0.4))
			{
				push @w, { kind => 'savepoint' };
				push @w, draw_change($ctx) for 1 .. 1 + $r->int(2);
				push @w, { kind => 'rollback_to' };
			}
			push @w, { kind => $r->chance(0.8) ? 'commit' : 'rollback' };
			next;
		}
		if ($dims->{renames} && $x < 15)
		{
			my $t = $r->pick(@$tables);
			if ($r->chance(0.5))
			{
				push @w, { kind => 'rename_table', table => $t, n => $fresh++ };
			}
			else
			{
				push @w, { kind => 'rename_column', table => $t, c => $r->int(scalar @{ $t->{cols} }), n => $fresh++ };
			}
			next;
		}
		push @w, draw_change($ctx);
	}
	return \@w;
}

# the initial rows: a few per table, parents first
sub draw_fill
{
	my ($r, $tables) = @_;
	my @w;
	my $fresh = 1;
	my $ctx = { r => $r, tables => $tables, fresh => \$fresh, dims => {} };
	for my $t (@$tables)
	{
		push @w, { %{ insert_stmt($ctx, $t, 3 + $r->int(10)) }, quiet => 1 };
	}
	push @w, { %{ insert_stmt($ctx, $_, 2 + $r->int(3)) }, quiet => 1 } for @$tables;
	return \@w;
}

sub draw_change
{
	my ($ctx) = @_;
	my $r = $ctx->{r};
	my $t = $r->pick(@{ $ctx->{tables} });
	my $x = $r->int(100);
	my $s;
	# a column a projection sorts, filters or joins by, often: the
	# changes that move elements and documents
	if (@{ $ctx->{hot} // [] } && $r->chance(0.3))
	{
		my $h = $r->pick(@{ $ctx->{hot} });
		$s = update_stmt($ctx, $ctx->{tables}[ $h->[0] ], $h->[1]);
	}
	elsif ($x < 25) { $s = insert_stmt($ctx, $t, $r->chance(0.2) ? 5 + $r->int(30) : 1 + $r->int(2)); }
	elsif ($x < 65) { $s = update_stmt($ctx, $t); }
	elsif ($x < 82) { $s = { kind => 'delete', table => $t, pick => $r->int(1000), rows => pick_rows($r) }; }
	elsif ($x < 96) { $s = upsert_stmt($ctx, $t); }
	else { $s = { kind => 'truncate', table => $t }; }
	my $d = $ctx->{dims};
	if ($d->{settings} && $r->chance(0.25))
	{
		$s->{settings} = [ $r->pick(
			[ 'TimeZone', "'America/New_York'" ], [ 'TimeZone', "'Asia/Kolkata'" ],
			[ 'extra_float_digits', '-3' ], [ 'extra_float_digits', '0' ],
			[ 'IntervalStyle', "'iso_8601'" ], [ 'IntervalStyle', "'sql_standard'" ],
			[ 'DateStyle', "'SQL, DMY'" ], [ 'search_path', "'pg_catalog'" ]) ];
	}
	$s->{role} = 1 if $d->{roles} && $r->chance(0.3);
	return $s;
}

sub pick_rows { my ($r) = @_; return $r->chance(0.15) ? 1 + $r->int(20) : 1; }

# a value for column $ci of $t, given a row number expression or literal
sub value_for
{
	my ($ctx, $t, $ci, $g) = @_;
	my $r = $ctx->{r};
	my $c = $t->{cols}[$ci];
	if ($c->{kind} eq 'key')
	{
		my $n = ${ $ctx->{fresh} };
		${ $ctx->{fresh} } += 100;
		return defined $g ? key_expr($c->{type}, "$n + $g") : key_sql($c->{type}, $n);
	}
	if ($c->{kind} eq 'fk')
	{
		return 'NULL' if $c->{null} && $r->chance(0.15);
		return key_sql($c->{type}, 999999) if $r->chance(0.03);    # dangling
		# rows of one statement share parents in runs, each column its own
		return { fk => $c->{ref}, pick => $r->int(1000), g => $g,
			mult => $r->pick(1, 1, 3, 7), div => $r->pick(1, 2, 3, 4) };
	}
	if ($c->{kind} eq 'seq' || $c->{kind} eq 'pos')
	{
		my $v = $r->int(40);
		return defined $g ? "($v + $g)" : "$v";
	}
	return 'false' if $c->{kind} eq 'flag';
	return 'NULL' if $c->{kind} eq 'deleted_at' && $r->chance(0.7);
	return literal($r, $c);
}

sub insert_stmt
{
	my ($ctx, $t, $rows) = @_;
	my @vals = map { value_for($ctx, $t, $_, $rows > 1 ? 'g' : undef) } 0 .. $#{ $t->{cols} };
	return { kind => 'insert', table => $t, rows => $rows, vals => \@vals };
}

sub upsert_stmt
{
	my ($ctx, $t) = @_;
	my $r = $ctx->{r};
	my $s = insert_stmt($ctx, $t, 1);
	$s->{kind} = 'upsert';
	# an existing key, most of the time
	$s->{existing} = $r->chance(0.7) ? $r->int(1000) : undef;
	my @payload = grep { $t->{cols}[$_]{kind} !~ /^(key|seq)$/ } 0 .. $#{ $t->{cols} };
	$s->{set} = @payload && $r->chance(0.8) ? [ grep { $r->chance(0.5) } @payload ] : [];
	return $s;
}

sub update_stmt
{
	my ($ctx, $t, $hot) = @_;
	my $r = $ctx->{r};
	my @cols = @{ $t->{cols} };
	my @set;
	for my $n (1 .. 1 + ($r->chance(0.3) ? 1 : 0))
	{
		my $ci = ($n == 1 && defined $hot) ? $hot : $r->int(scalar @cols);
		my $c = $cols[$ci];
		my $v;
		if ($c->{kind} eq 'key' || $c->{kind} eq 'seq')
		{
			# a key change: the rows' keys moved by a fresh offset
			my $n = ${ $ctx->{fresh} };
			${ $ctx->{fresh} } += 100;
			$v = { keyshift => $n };
		}
		elsif ($c->{kind} eq 'flag') { $v = "NOT " . '{col}'; }
		elsif ($c->{kind} eq 'deleted_at')
		{
			$v = $r->chance(0.5) ? 'NULL' : "'2024-05-05 05:05:05+00'::timestamptz";
		}
		else { $v = value_for($ctx, $t, $ci, undef); }
		push @set, [ $ci, $v ];
	}
	my %seen;
	@set = grep { !$seen{ $_->[0] }++ } @set;
	return { kind => 'update', table => $t, set => \@set, pick => $r->int(1000), rows => pick_rows($r) };
}

# SQL of a statement; renames change $env
sub statement_sql
{
	my ($env, $s) = @_;
	my $k = $s->{kind};
	return "BEGIN$s->{iso};" if $k eq 'begin';
	return 'SAVEPOINT net_s;' if $k eq 'savepoint';
	return 'ROLLBACK TO SAVEPOINT net_s;' if $k eq 'rollback_to';
	return 'COMMIT;' if $k eq 'commit';
	return 'ROLLBACK;' if $k eq 'rollback';
	my $t = $s->{table};
	# what shrinking took away
	return '' if $t->{gone} || (defined $s->{c} && $t->{cols}[ $s->{c} ]{gone});
	my @live = grep { !$t->{cols}[$_]{gone} } 0 .. $#{ $t->{cols} };
	if ($k eq 'rename_table')
	{
		my $sql = 'ALTER TABLE ' . tname($env, $t) . ' RENAME TO ';
		$env->{tn}{ $t->{id} } = "$t->{name}_r$s->{n}";
		return $sql . tname($env, $t) . ';';
	}
	if ($k eq 'rename_column')
	{
		my $sql = 'ALTER TABLE ' . tname($env, $t) . ' RENAME COLUMN ' . cname($env, $t, $s->{c}) . ' TO ';
		$env->{cn}{"$t->{id}.$s->{c}"} = "$t->{cols}[$s->{c}]{name}_r$s->{n}";
		return $sql . cname($env, $t, $s->{c}) . ';';
	}
	my $sql;
	my $tn = tname($env, $t);
	my $key = cname($env, $t, 0);
	my $keys = join(', ', map { cname($env, $t, $_) } @{ $t->{key} });
	my $picked = sub {
		my ($pick, $rows) = @_;
		return "($keys) IN (SELECT $keys FROM $tn ORDER BY $keys OFFSET $pick % "
		  . "greatest((SELECT count(*) FROM $tn), 1) LIMIT $rows)";
	};
	if ($k eq 'insert' || $k eq 'upsert')
	{
		my @v = map { value_sql($env, $_) } @{ $s->{vals} };
		@v = @v[@live];
		if ($k eq 'upsert' && defined $s->{existing})
		{
			# the conflicting row's key, read at run time
			for my $i (0 .. $#{ $t->{key} })
			{
				my $kc = cname($env, $t, $t->{key}[$i]);
				$v[ $t->{key}[$i] ] = "(SELECT $kc FROM $tn ORDER BY $keys OFFSET $s->{existing} % "
				  . "greatest((SELECT count(*) FROM $tn), 1) LIMIT 1)";
			}
		}
		my $cols = join(', ', map { cname($env, $t, $_) } @live);
		if ($s->{rows} > 1)
		{
			$sql = "INSERT INTO $tn ($cols) SELECT " . join(', ', @v)
			  . " FROM pg_catalog.generate_series(1, $s->{rows}) g";
		}
		else
		{
			$sql = "INSERT INTO $tn ($cols) VALUES (" . join(', ', @v) . ')';
		}
		if ($k eq 'upsert')
		{
			$sql .= " ON CONFLICT ($keys) DO "
			  . ((grep { !$t->{cols}[$_]{gone} } @{ $s->{set} })
				? 'UPDATE SET ' . join(', ', map { cname($env, $t, $_) . ' = EXCLUDED.' . cname($env, $t, $_) } grep { !$t->{cols}[$_]{gone} } @{ $s->{set} })
				: 'NOTHING');
		}
		# a duplicate key is a constraint error: rolled back, as intended
	}
	elsif ($k eq 'update')
	{
		my @set;
		for my $st (grep { !$t->{cols}[ $_->[0] ]{gone} } @{ $s->{set} })
		{
			my ($ci, $v) = @$st;
			my $c = cname($env, $t, $ci);
			if (ref $v eq 'HASH' && exists $v->{keyshift})
			{
				my $type = $t->{cols}[$ci]{type};
				push @set, "$c = " . ($type eq 'text' ? "$c || '_$v->{keyshift}'"
					: $type eq 'uuid' ? key_sql('uuid', $v->{keyshift})
					: "$c + $v->{keyshift}");
			}
			else
			{
				my $vs = value_sql($env, $v);
				$vs =~ s/\{col\}/$c/g;
				push @set, "$c = $vs";
			}
		}
		return '' unless @set;
		$sql = "UPDATE $tn SET " . join(', ', @set) . ' WHERE ' . $picked->($s->{pick}, $s->{rows});
	}
	elsif ($k eq 'delete')
	{
		$sql = "DELETE FROM $tn WHERE " . $picked->($s->{pick}, $s->{rows});
	}
	elsif ($k eq 'truncate')
	{
		$sql = "TRUNCATE $tn CASCADE";
	}
	else { die "statement $k"; }
	return "$sql;";
}

sub value_sql
{
	my ($env, $v) = @_;
	return $v unless ref $v;
	my $p = $env->{tables}[ $v->{fk} ];
	my $pn = tname($env, $p);
	my $pk = cname($env, $p, 0);
	my $off = defined $v->{g} ? "($v->{pick} + g * $v->{mult} / $v->{div})" : $v->{pick};
	return "(SELECT $pk FROM $pn ORDER BY $pk OFFSET $off % greatest((SELECT count(*) FROM $pn), 1) LIMIT 1)";
}

# ---------------------------------------------------------------------
# Cases

sub draw_case
{
	my ($seed, $dims, $statements) = @_;
	my $r = rng($seed);
	my $tables = draw_schema($r, $dims);
	my $projs = draw_projections($r, $tables, $dims);
	my $fill = draw_fill($r, $tables);
	my $work = draw_workload($r, $tables, $dims, $statements, hot_columns($projs));
	return { seed => $seed, dims => $dims, tables => $tables, projs => $projs,
		fill => $fill, work => $work };
}

# The columns the projections sort, filter, correlate and join by, as
# [table id, column index].
sub hot_columns
{
	my ($projs) = @_;
	my (%seen, @hot);
	my $add = sub {
		my ($a, $ci) = @_;
		return if $a->{proj};
		push @hot, [ $a->{table}{id}, $ci ] unless $seen{"$a->{table}{id}.$ci"}++;
	};
	for my $p (grep { !defined $_->{refused} } @$projs)
	{
		$add->($_->{alias}, $_->{c}) for @{ $p->{where} };
		$add->($_->{on}[0], $_->{on}[1]) for @{ $p->{joins} };
		walk($p->{data}, sub {
			my $n = shift;
			return unless $n->{kind} eq 'array';
			$add->($_->[0], $_->[1]) for @{ $n->{order} };
			$add->($n->{alias}, $n->{corr});
			$add->($n->{filter}{alias}, $n->{filter}{c}) if $n->{filter};
			$add->($n->{alias}, $n->{join}{on}) if $n->{join};
		});
	}
	return \@hot;
}

# The check after a statement: the projection against its query, both
# ways, on the whole row as text, and jsonb_ivm_check_projection.
sub check_sql
{
	my ($env, $p) = @_;
	my $q = query_sql($env, $p);
	my $cols = output_columns($env, $p);
	my $name = qi($p->{name});
	return "SELECT 'DIVERGE $p->{name} ' || x FROM ("
	  . "(SELECT 'extra ' || t::text FROM (SELECT $cols FROM $name) t EXCEPT ALL "
	  . "SELECT 'extra ' || q::text FROM ($q) q) UNION ALL "
	  . "(SELECT 'missing ' || q::text FROM ($q) q EXCEPT ALL "
	  . "SELECT 'missing ' || t::text FROM (SELECT $cols FROM $name) t) UNION ALL "
	  . "SELECT 'check ' || c.key || ': ' || c.problem FROM jsonb_ivm_check_projection(" . ql($p->{name}) . ") c"
	  . ") d(x) LIMIT 3;";
}

# The psql script of a case, and per statement index the line that
# marks it.  The harness session is the owner's, with the creation
# settings; a writer's statement changes role and settings around itself.
sub render_script
{
	my ($case, %opt) = @_;
	my $env = { tables => $case->{tables}, tn => {}, cn => {} };
	my @lines = ('\set ON_ERROR_STOP 0', '\set ON_ERROR_ROLLBACK on',
		'\set SHOW_CONTEXT never', '\pset tuples_only on', '\pset format unaligned',
		"SET client_min_messages = warning;", 'SET ROLE net_owner;',
		'CREATE SCHEMA net AUTHORIZATION net_owner;', 'SET search_path = net, public;',
		"SET TimeZone = 'UTC';");
	push @lines, map { ($_, '\\echo @@setup :SQLSTATE') } split /\n(?=[A-Z])/, schema_sql($case->{tables});
	push @lines, 'GRANT USAGE ON SCHEMA net TO net_writer;',
	  'GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA net TO net_writer;';
	for my $s (@{ $case->{fill} })
	{
		push @lines, statement_sql($env, $s);
	}
	my @projs = grep { !$_->{dropped} } @{ $case->{projs} };
	my $i = 0;
	for my $p (@projs)
	{
		push @lines, "\\echo \@\@create $p->{name}";
		if (defined $p->{refused})
		{
			push @lines, "SELECT count(*) AS net_triggers_before FROM pg_catalog.pg_trigger \\gset";
		}
		push @lines, 'SELECT jsonb_ivm_create_projection(' . ql($p->{name}) . ', ' . ql(query_sql($env, $p)) . ');';
		push @lines, "\\echo \@\@state :SQLSTATE", "\\echo \@\@message :LAST_ERROR_MESSAGE";
		if (defined $p->{refused})
		{
			push @lines, "SELECT 'LEFT ' || x FROM (SELECT 'table' x WHERE pg_catalog.to_regclass(" . ql(qi($p->{name})) . ") IS NOT NULL "
			  . "UNION ALL SELECT 'triggers' WHERE (SELECT count(*) FROM pg_catalog.pg_trigger) <> :net_triggers_before "
			  . "UNION ALL SELECT 'catalog' FROM jsonb_ivm_projections v WHERE v::text LIKE " . ql("%$p->{name}%") . ") l;";
		}
	}
	my @live = grep { !defined $_->{refused} } @projs;
	push @lines, 'GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA net TO net_writer;';
	my $which = 'CASE e.source ' . join(' ', map { 'WHEN pg_catalog.format(\'%I.%I\', \'net\', ' . ql($_->{name}) . ") THEN '$_->{id}'" } @{ $case->{tables} }) . " ELSE '?' END";
	push @lines, '\echo @@explain', 'SELECT ' . ql($_->{name}) . " || '|' || $which || '|' || e.change || '|' || e.maintenance FROM jsonb_ivm_explain_projection(" . ql($_->{name}) . ') e;'
	  for @live;
	push @lines, '\echo @@check -1';
	push @lines, check_sql($env, $_) for @live;
	if ($opt{setup_only})
	{
		push @lines, '\\echo @@end';
		return join("\n", @lines) . "\n";
	}
	my $n = 0;
	for my $s (@{ $case->{work} })
	{
		push @lines, "\\echo \@\@stmt $n";
		my @pre;
		my @post;
		if ($s->{settings})
		{
			push @pre, "SET $_->[0] = $_->[1];" for @{ $s->{settings} };
			push @post, "RESET $_->[0];" for @{ $s->{settings} };
			push @post, 'SET search_path = net, public;', "SET TimeZone = 'UTC';";
		}
		if ($s->{role})
		{
			push @pre, 'SET ROLE net_writer;';
			push @post, 'SET ROLE net_owner;';
		}
		# (a writer whose search_path lacks the schema fails with 42P01, as
		# it would: the statement names its tables unqualified)
		my $sql = statement_sql($env, $s);
		push @lines, @pre, $sql, "\\echo \@\@state :SQLSTATE :LAST_ERROR_MESSAGE", @post;
		push @lines, "\\echo \@\@check $n";
		push @lines, check_sql($env, $_) for @live;
		$n++;
	}
	push @lines, '\echo @@end';
	return join("\n", @lines) . "\n";
}

# ---------------------------------------------------------------------
# Concurrency: the case's workload cut into transactions, one pgbench
# script each, run by several clients at mixed isolation levels; a
# statement's constraint errors are caught (a subtransaction), so that
# only serialization failures and deadlocks end a transaction, which
# pgbench retries.  No renames: DDL is not what this mode is about.

sub transaction_scripts
{
	my ($case, $seed) = @_;
	my $r = rng($seed + 7919);
	my $env = { tables => $case->{tables}, tn => {}, cn => {} };
	my (@scripts, @cur);
	my $flush = sub {
		return unless @cur;
		my $iso = $r->pick('READ COMMITTED', 'READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE');
		push @scripts, join("\n", "BEGIN ISOLATION LEVEL $iso;",
			'SET LOCAL search_path = net, public;', "SET LOCAL TimeZone = 'UTC';", @cur, 'COMMIT;') . "\n";
		@cur = ();
	};
	my $open = 0;
	for my $st (@{ $case->{work} })
	{
		my $k = $st->{kind};
		next if $k =~ /^(rename_|savepoint|rollback_to)/;
		if ($k eq 'begin') { $flush->(); $open = 1; next; }
		if ($k eq 'commit' || $k eq 'rollback') { $flush->(); $open = 0; next; }
		my $sql = statement_sql($env, $st);
		next if $sql eq '';
		$sql =~ s/;$//;
		my @pre = map { "SET LOCAL $_->[0] = $_->[1];" } grep { $_->[0] ne 'search_path' } @{ $st->{settings} // [] };
		push @pre, $st->{role} ? 'SET LOCAL ROLE net_writer;' : 'SET LOCAL ROLE net_owner;';
		push @cur, @pre, "DO \$net\$ BEGIN $sql; EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN NULL; END \$net\$;";
		$flush->() unless $open;
	}
	$flush->();
	return \@scripts;
}

# The case's setup, then $rounds rounds of pgbench with $clients clients
# for $seconds each, the equality checked after each round.  Returns
# { fail, transactions, retried, failed, rounds }.
sub run_concurrent
{
	my ($node, $case, $db, $dir, %o) = @_;
	$node->safe_psql('postgres', "DROP DATABASE IF EXISTS $db");
	$node->safe_psql('postgres', "CREATE DATABASE $db TEMPLATE net_template");
	$node->safe_psql('postgres', "GRANT CREATE ON DATABASE $db TO net_owner");
	my ($out, $err) = ('', '');
	my $setup = render_script($case, setup_only => 1);
	IPC::Run::run([ 'psql', '-X', '-q', '-d', $node->connstr($db), '-f', '-' ],
		'<', \$setup, '>', \$out, '2>', \$err);
	my $res = parse_outcome({ %$case, work => [] }, $out, $err);
	$res->{transactions} = $res->{retried} = $res->{failed} = $res->{rounds} = 0;
	my $scripts = transaction_scripts($case, $case->{seed});
	if (!$res->{fail} && @$scripts)
	{
		my @files;
		for my $i (0 .. $#$scripts)
		{
			my $f = "$dir/$db.$i.sql";
			open my $fh, '>', $f or die "$f: $!";
			print $fh $scripts->[$i];
			close $fh;
			push @files, '-f', $f;
		}
		my $env = { tables => $case->{tables}, tn => {}, cn => {} };
		my $checks = join("\n", '\pset tuples_only on', '\pset format unaligned',
			'SET client_min_messages = warning;', 'SET ROLE net_owner;',
			'SET search_path = net, public;', "SET TimeZone = 'UTC';",
			map { check_sql($env, $_) } grep { !defined $_->{refused} && !$_->{dropped} } @{ $case->{projs} }) . "\n";
		for my $round (1 .. $o{rounds})
		{
			my ($bout, $berr) = ('', '');
			IPC::Run::run([ 'pgbench', '-n', '-c', $o{clients}, '-j', $o{clients},
					'-T', $o{seconds}, '--max-tries=100', '-d', $node->connstr($db), @files ],
				'>', \$bout, '2>', \$berr);
			$res->{rounds}++;
			$res->{transactions} += $1 if $bout =~ /actually processed: (\d+)/;
			$res->{retried} += $1 if $bout =~ /transactions retried: (\d+)/;
			$res->{failed} += $1 if $bout =~ /failed transactions: (\d+)/;
			if ($berr =~ /(client \d+ aborted.*|ERROR: .*)/)
			{
				$res->{fail} //= { kind => 'concurrent error', stmt => "round $round", detail => $1 };
				last;
			}
			my ($cout, $cerr) = ('', '');
			IPC::Run::run([ 'psql', '-X', '-q', '-d', $node->connstr($db), '-f', '-' ],
				'<', \$checks, '>', \$cout, '2>', \$cerr);
			if ($cout =~ /^DIVERGE (\S+) (.*)$/m)
			{
				$res->{fail} //= { kind => 'divergence', projection => $1, stmt => "round $round", detail => $2 };
				last;
			}
			if ($cerr =~ /ERROR/)
			{
				$res->{fail} //= { kind => 'check error', stmt => "round $round", detail => $cerr };
				last;
			}
		}
		unlink $files[ 2 * $_ + 1 ] for 0 .. $#$scripts;
	}
	$node->safe_psql('postgres', "DROP DATABASE IF EXISTS $db");
	return $res;
}

# ---------------------------------------------------------------------
# Running: a fresh database from the template, the script, the outcome.
#
# The outcome: { fail => undef or { kind, stmt, projection, detail },
# explain => [[projection, change, maintenance]], states => [...] }.

# SQLSTATEs a random statement may meet without a defect: integrity
# constraints, a writer that sees no table with another search_path,
# values out of range, and serialization failures of its own design.
sub expected_error
{
	my ($state) = @_;
	return $state =~ /^(23|22|40001|42P01|42501)/;
}

sub run_case
{
	my ($node, $case, $db) = @_;
	my $script = render_script($case);
	$node->safe_psql('postgres', "DROP DATABASE IF EXISTS $db");
	$node->safe_psql('postgres', "CREATE DATABASE $db TEMPLATE net_template");
	$node->safe_psql('postgres', "GRANT CREATE ON DATABASE $db TO net_owner");
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'psql', '-X', '-q', '-d', $node->connstr($db), '-f', '-' ],
		'<', \$script, '>', \$out, '2>', \$err);
	$node->safe_psql('postgres', "DROP DATABASE IF EXISTS $db");
	return parse_outcome($case, $out, $err);
}

sub parse_outcome
{
	my ($case, $out, $err) = @_;
	my $res = { explain => [], fail => undef, statements => 0 };
	my $where = 'setup';
	my ($create, $last_refused);
	my %refused = map { $_->{name} => $_ } grep { defined $_->{refused} } @{ $case->{projs} };
	my $section = '';
	my $ended = 0;
	for my $line (split /\n/, $out)
	{
		if ($line =~ /^\@\@create (\S+)/) { $create = $1; next; }
		if ($line =~ /^\@\@explain/) { $section = 'explain'; next; }
		if ($line =~ /^\@\@check (-?\d+)/) { $section = 'check'; $where = $1; next; }
		if ($line =~ /^\@\@stmt (\d+)/) { $section = 'stmt'; $where = $1; $res->{statements}++; next; }
		if ($line =~ /^\@\@end/) { $ended = 1; next; }
		if ($line =~ /^\@\@setup (\S+)/)
		{
			$res->{fail} //= { kind => 'harness', stmt => -1, detail => "the schema failed with $1" }
			  if $1 ne '00000';
			next;
		}
		if ($line =~ /^\@\@state (\S+) ?(.*)$/)
		{
			my ($state, $message) = ($1, $2);
			if (defined $create)
			{
				my $p = $refused{$create};
				if ($p && $state eq '00000')
				{
					$res->{fail} //= { kind => 'accepted', projection => $create, stmt => -1,
						detail => 'a query the engine must refuse was accepted' };
				}
				$res->{created}{$create} = $state;
				next;
			}
			if ($state ne '00000' && !expected_error($state))
			{
				$res->{fail} //= { kind => 'error', stmt => $where, detail => "SQLSTATE $state: $message" };
			}
			next;
		}
		if ($line =~ /^\@\@message (.*)/)
		{
			my $p = $refused{$create};
			if (!$p && $res->{created}{$create} ne '00000')
			{
				$res->{fail} //= { kind => 'refused', projection => $create, stmt => -1,
					detail => "$res->{created}{$create}: $1" };
			}
			if ($p && $res->{created}{$create} ne '00000' && $1 !~ $refusals[ $p->{refused} ][2])
			{
				$res->{fail} //= { kind => 'refusal message', projection => $create, stmt => -1,
					detail => "the error does not name $refusals[$p->{refused}][0]: $1" };
			}
			$last_refused = $create;
			undef $create;
			next;
		}
		if ($line =~ /^LEFT (.*)/)
		{
			$res->{fail} //= { kind => 'refusal left', projection => $last_refused, stmt => -1,
				detail => "a refused query left its $1 behind" };
			next;
		}
		if ($section eq 'explain' && $line =~ /^([^|]+)\|([^|]+)\|([^|]+)\|(.*)$/)
		{
			push @{ $res->{explain} }, [ $1, $2, $3, $4 ];
			next;
		}
		if ($line =~ /^DIVERGE (\S+) (.*)$/)
		{
			$res->{fail} //= { kind => 'divergence', projection => $1, stmt => $where, detail => $2 };
			next;
		}
	}
	$res->{fail} //= { kind => 'crash', stmt => $where, detail => (split /\n/, $err)[-1] // 'no output' }
	  unless $ended;
	return $res;
}

# A failure's signature: what shrinking must keep.
sub signature
{
	my ($f) = @_;
	return undef unless $f;
	my $d = $f->{kind} eq 'error' ? ($f->{detail} =~ /(SQLSTATE \S+)/)[0] : '';
	return "$f->{kind} $d";
}

# ---------------------------------------------------------------------
# Shrinking: drop statements (chunks, then one by one), projections,
# fill rows, document entries, tables and columns nobody reads, while
# the failure keeps its signature.

sub shrink_case
{
	my ($node, $case, $db, $budget) = @_;
	my $sig = signature(run_case($node, $case, $db)->{fail});
	return ($case, 0) unless defined $sig;
	my $runs = 0;
	my $try = sub {
		my ($c) = @_;
		return 0 if $runs++ >= $budget;
		my $res = eval { run_case($node, $c, $db) };
		return $res && defined signature($res->{fail}) && signature($res->{fail}) eq $sig;
	};
	# statements after the failing one are never needed
	my $first = run_case($node, $case, $db)->{fail};
	if ($first->{stmt} =~ /^\d+$/ && $first->{stmt} >= 0)
	{
		my @w = @{ $case->{work} }[ 0 .. $first->{stmt} ];
		my $c = { %$case, work => \@w };
		$case = $c if $try->($c);
	}
	my $progress = 1;
	while ($progress && $runs < $budget)
	{
		$progress = 0;
		for my $list (qw(work fill))
		{
			my $chunk = int(@{ $case->{$list} } / 2) || 1;
			while ($chunk >= 1)
			{
				my $i = 0;
				while ($i < @{ $case->{$list} })
				{
					my @l = @{ $case->{$list} };
					splice @l, $i, $chunk;
					my $c = { %$case, $list => \@l };
					if (balanced(\@l) && $try->($c)) { $case = $c; $progress = 1; }
					else { $i += $chunk; }
				}
				$chunk = int($chunk / 2);
			}
		}
		# transaction blocks as a whole, and their BEGIN and COMMIT alone
		for (my $i = $#{ $case->{work} }; $i >= 0; $i--)
		{
			next unless $case->{work}[$i]{kind} eq 'begin';
			my $j = $i;
			$j++ while $j < $#{ $case->{work} } && $case->{work}[$j]{kind} !~ /^(commit|rollback)$/;
			for my $cut ([ $i, $j - $i + 1 ], [ $j, 1, $i, 1 ])
			{
				my @l = @{ $case->{work} };
				splice @l, $cut->[0], $cut->[1];
				splice @l, $cut->[2], $cut->[3] if @$cut > 2;
				@l = grep { $_->{kind} !~ /^(savepoint|rollback_to)$/ } @l if @$cut > 2;
				my $c = { %$case, work => \@l };
				if (balanced(\@l) && $try->($c)) { $case = $c; $progress = 1; last; }
			}
		}
		# writers' settings and roles
		for my $st (@{ $case->{work} })
		{
			for my $attr (qw(settings role))
			{
				next unless $st->{$attr};
				my $saved = delete $st->{$attr};
				if ($try->($case)) { $progress = 1; }
				else { $st->{$attr} = $saved; }
			}
		}
		# tables no other table references, then columns, that nothing
		# needs
		for my $t (@{ $case->{tables} })
		{
			next if $t->{gone};
			next if grep { !$_->{gone} && $_->{kind} eq 'fk' && $_->{ref} == $t->{id} }
			  map { @{ $_->{cols} } } grep { !$_->{gone} && $_ != $t } @{ $case->{tables} };
			$t->{gone} = 1;
			if ($try->($case)) { $progress = 1; }
			else { delete $t->{gone}; }
		}
		for my $t (grep { !$_->{gone} } @{ $case->{tables} })
		{
			my %keep = map { $_ => 1 } @{ $t->{key} }, map { @$_ } @{ $t->{uniques} };
			for my $ci (grep { !$keep{$_} && !$t->{cols}[$_]{gone} } 0 .. $#{ $t->{cols} })
			{
				$t->{cols}[$ci]{gone} = 1;
				if ($try->($case)) { $progress = 1; }
				else { delete $t->{cols}[$ci]{gone}; }
			}
		}
		# projections: drop one that the failing one does not read
		for my $p (@{ $case->{projs} })
		{
			next if $p->{dropped};
			my $c = clone_case($case);
			my ($cp) = grep { $_->{name} eq $p->{name} } @{ $c->{projs} };
			next if grep { !$_->{dropped} && $_ != $cp && reads_projection($_, $cp) } @{ $c->{projs} };
			$cp->{dropped} = 1;
			if ($try->($c)) { $case = $c; $progress = 1; }
		}
		# document entries, one at a time, depth first
		for my $p (grep { !$_->{dropped} } @{ $case->{projs} })
		{
			my @objs = objects($p->{data});
			for my $oi (0 .. $#objs)
			{
				my $o = $objs[$oi];
				for (my $ei = $#{ $o->{entries} }; $ei >= 0; $ei--)
				{
					next if $ei == 0 && $o == $p->{data};
					my $saved = $o->{entries}[$ei];
					splice @{ $o->{entries} }, $ei, 1;
					if ($try->($case)) { $progress = 1; }
					else { splice @{ $o->{entries} }, $ei, 0, $saved; }
				}
			}
			for my $k (qw(where plain joins))
			{
				for (my $i = $#{ $p->{$k} }; $i >= 0; $i--)
				{
					my $saved = $p->{$k}[$i];
					splice @{ $p->{$k} }, $i, 1;
					if ($k eq 'joins' && mentions($p->{data}, $saved->{alias})) { splice @{ $p->{$k} }, $i, 0, $saved; next; }
					if ($try->($case)) { $progress = 1; }
					else { splice @{ $p->{$k} }, $i, 0, $saved; }
				}
			}
		}
	}
	return ($case, $runs);
}

sub balanced
{
	my ($l) = @_;
	my $depth = 0;
	my $sp = 0;
	for my $s (@$l)
	{
		my $k = $s->{kind};
		if ($k eq 'begin') { return 0 if $depth; $depth = 1; $sp = 0; }
		elsif ($k eq 'commit' || $k eq 'rollback') { return 0 unless $depth; return 0 if $sp; $depth = 0; }
		elsif ($k eq 'savepoint') { return 0 unless $depth; $sp = 1; }
		elsif ($k eq 'rollback_to') { return 0 unless $sp; $sp = 0; }
	}
	return !$depth;
}

sub clone_case
{
	my ($case) = @_;
	# projections are cloned shallowly, enough to mark one dropped
	return { %$case, projs => [ map { { %$_ } } @{ $case->{projs} } ] };
}

sub reads_projection
{
	my ($p, $target) = @_;
	my $found = 0;
	walk($p->{data}, sub { my $n = shift; $found = 1 if $n->{alias} && $n->{alias}{proj} && $n->{alias}{proj}{name} eq $target->{name}; });
	$found = 1 if grep { $_->{alias}{proj} && $_->{alias}{proj}{name} eq $target->{name} } @{ $p->{joins} };
	return $found;
}

sub mentions
{
	my ($node, $alias) = @_;
	my $found = 0;
	walk($node, sub { my $n = shift; $found = 1 if ($n->{alias} && $n->{alias} == $alias) || ($n->{t} && $n->{t} == $alias); });
	return $found;
}

sub walk
{
	my ($n, $f) = @_;
	return unless ref $n eq 'HASH';
	$f->($n);
	walk($_->[1], $f) for @{ $n->{entries} // [] };
	walk($n->{$_}, $f) for grep { ref $n->{$_} eq "HASH" } qw(body elem);
}

sub objects
{
	my ($n) = @_;
	my @o;
	walk($n, sub { my $x = shift; push @o, $x if $x->{kind} eq 'obj'; });
	return @o;
}

# ---------------------------------------------------------------------
# A shrunk case as a pg_regress test file: the schema, the rows, the
# projections, the statements, and the checks that must return no row.

sub regress_file
{
	my ($case, $fail) = @_;
	my $script = render_script($case);
	my @keep;
	for my $line (split /\n/, $script)
	{
		next if $line =~ /^\\(set|pset|echo)/;
		next if $line =~ /net_triggers_before|^SELECT 'LEFT /;
		$line =~ s/\bnet_(owner|writer)\b/regress_net_$1/g;
		push @keep, $line;
	}
	my $detail = $fail->{detail} =~ s/\n/ /gr;
	$detail = substr($detail, 0, 200) . ' ...' if length $detail > 200;
	my @live = grep { !$_->{dropped} && !defined $_->{refused} } @{ $case->{projs} };
	return "-- Found by the random projection net (test/t/080_projection_net.pl),\n"
	  . "-- seed $case->{seed}, shrunk: $fail->{kind} after statement $fail->{stmt}"
	  . (defined $fail->{projection} ? " in $fail->{projection}" : '') . ":\n"
	  . "-- $detail\n"
	  . "-- Every DIVERGE query returns no row.\n"
	  . "CREATE ROLE regress_net_owner;\nCREATE ROLE regress_net_writer;\n"
	  . "DO \$\$BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_net_owner', current_database()); END\$\$;\n"
	  . join("\n", @keep) . "\n"
	  . join('', map { 'SELECT jsonb_ivm_drop_projection(' . ql("net.$_->{name}") . ");\n" } reverse @live)
	  . "DROP SCHEMA net CASCADE;\nRESET ROLE;\n"
	  . "DO \$\$BEGIN EXECUTE format('REVOKE CREATE ON DATABASE %I FROM regress_net_owner', current_database()); END\$\$;\n"
	  . "DROP ROLE regress_net_owner;\nDROP ROLE regress_net_writer;\n";
}

# A shrunk case in a few lines: its projections' queries, and its
# statements up to the failing one.
sub summary
{
	my ($case, $fail) = @_;
	my $env = { tables => $case->{tables}, tn => {}, cn => {} };
	my @l;
	for my $s (@{ $case->{fill} }) { statement_sql($env, $s); }
	push @l, "  $_->{name}: " . query_sql({ tables => $case->{tables}, tn => {}, cn => {} }, $_)
	  for grep { !$_->{dropped} } @{ $case->{projs} };
	my $n = 0;
	for my $s (@{ $case->{work} })
	{
		my $sql = statement_sql($env, $s);
		my $pre = join('', map { "SET $_->[0] = $_->[1]; " } @{ $s->{settings} // [] })
		  . ($s->{role} ? 'SET ROLE net_writer; ' : '');
		push @l, "  [$n] $pre$sql" if $sql ne '';
		$n++;
	}
	return join("\n", @l);
}

# ---------------------------------------------------------------------
# Maintenance kinds: explain's wording without the names in it.

sub maintenance_kinds
{
	my ($m) = @_;
	my @k;
	for my $part (split /; /, $m)
	{
		next if $part =~ /^recompute document when /;
		$part =~ s/ when .*$//;
		$part =~ s/^(merge keys).*/$1/;
		$part =~ s/^(merge at path).*/$1/;
		$part =~ s/ (in|from) \S+ and insert it at its position$/ and insert it at its position/;
		$part =~ s/ (in|from) \S+$//;
		$part =~ s/^(rebuild element at its position).*/$1/;
		$part =~ s/^(insert element at its position).*/$1/;
		push @k, $part;
	}
	return @k;
}

1;
