# pg_dump and restore of a database with projections: the seed's three
# projections (DNS server, configuration, allocation) are dumped with
# pg_dump, restored with psql into a new database, and must still be
# maintained there: the definitions, triggers and generated functions come
# back as ordinary objects, the catalog's rows as extension configuration.
# One verdict per projection after each kind of change in the restored
# database: jsonb_ivm_check_projection is empty.

use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Test::More;
use JsonbIvmTest;

my $node = new_node('dump');
$node->start;
setup_db($node, 'src');
$node->safe_psql(
	'src', qq(
\\i $JsonbIvmTest::root/fixtures/cqrs.sql
SELECT generate_cqrs_data(5, 20);
DROP VIEW v_allocation, v_network_configuration, v_dns_server;
DROP TABLE tv_allocation, tv_network_configuration, tv_dns_server;
SELECT jsonb_ivm_create_projection('tv_dns_server', \$q\$
	SELECT s.id, jsonb_build_object('id', s.id, 'ip', s.ip, 'port', s.port,
		'status', s.status) AS data
	FROM bench_dns_servers s\$q\$);
SELECT jsonb_ivm_create_projection('tv_network_configuration', \$q\$
	SELECT nc.id, jsonb_build_object('id', nc.id, 'name', nc.name,
		'dns_servers', coalesce((SELECT jsonb_agg(v.data ORDER BY m.priority)
			FROM bench_nc_dns_mapping m JOIN tv_dns_server v ON v.id = m.dns_server_id
			WHERE m.network_configuration_id = nc.id), '[]'::jsonb)) AS data
	FROM bench_network_configs nc\$q\$);
SELECT jsonb_ivm_create_projection('tv_allocation', \$q\$
	SELECT a.id, jsonb_build_object('id', a.id, 'name', a.name,
		'network_configuration', nc.data) AS data
	FROM bench_allocations a
	LEFT JOIN tv_network_configuration nc ON nc.id = a.network_configuration_id\$q\$);
));

my $dump = "$PostgreSQL::Test::Utils::tmp_check/projections.sql";
$node->command_ok(
	[ 'pg_dump', '--no-owner', '-f', $dump, '-d', $node->connstr('src') ],
	'pg_dump of a database with projections');
$node->safe_psql('postgres', 'CREATE DATABASE dst');
$node->command_ok(
	[
		'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1',
		'-f', $dump, '-d', $node->connstr('dst')
	],
	'restore with psql');

is($node->safe_psql('dst',
	'SELECT string_agg(projection, \' \' ORDER BY projection) FROM jsonb_ivm_projections'),
	'tv_allocation tv_dns_server tv_network_configuration',
	'the catalog is restored');

my %changes = (
	'server update' => 'UPDATE bench_dns_servers SET ip = ip || \'x\' WHERE id <= 3',
	'mapping insert' =>
	  'INSERT INTO bench_nc_dns_mapping SELECT 1, id, 1000 + id FROM bench_dns_servers WHERE id > 10 AND id <= 12',
	'mapping delete' => 'DELETE FROM bench_nc_dns_mapping WHERE network_configuration_id = 2',
	'configuration update' => 'UPDATE bench_network_configs SET name = \'restored\' WHERE id = 1',
	'allocation move' => 'UPDATE bench_allocations SET network_configuration_id = 3 WHERE id <= 5');
for my $change (sort keys %changes)
{
	$node->safe_psql('dst', $changes{$change});
	for my $projection (qw(tv_dns_server tv_network_configuration tv_allocation))
	{
		is($node->safe_psql('dst',
			"SELECT count(*) FROM jsonb_ivm_check_projection('$projection')"),
			'0', "restored $projection equals its query after $change");
	}
}

my ($ret, $out, $err) = $node->psql('dst', 'UPDATE tv_allocation SET data = \'{}\'');
like($err, qr/cannot change projection/, 'the restored projection refuses direct writes');

done_testing();
