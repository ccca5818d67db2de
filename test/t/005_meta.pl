# META.json against the PGXN Meta Spec 1.0.0 (required keys, their types,
# the license and prereq vocabularies), and the version it states against
# the control file, the Makefile's EXTVERSION and debian/changelog.  Needs
# no cluster.

use strict;
use warnings;

use FindBin;
use JSON::PP;
use Test::More;

my $root = "$FindBin::Bin/../..";

sub slurp
{
	my ($file) = @_;
	open my $fh, '<', "$root/$file" or die "cannot open $file: $!";
	local $/;
	return <$fh>;
}

my $meta = eval { JSON::PP->new->decode(slurp('META.json')) };
ok($meta, 'META.json is valid JSON') or BAIL_OUT($@);

my $semver = qr/^\d+\.\d+\.\d+(?:[a-zA-Z][-0-9A-Za-z]*)?$/;
my $string = sub { defined $_[0] && !ref $_[0] && length $_[0] };

# keys: the seven required ones, the spec's optional ones, x_ extensions
for my $key (qw(name version abstract maintainer license provides meta-spec))
{
	ok(exists $meta->{$key}, "required key $key");
}
my %known = map { $_ => 1 }
  qw(name version abstract maintainer license provides meta-spec
  description generated_by no_index prereqs release_status resources tags);
is_deeply([ grep { !$known{$_} && !/^x_/i } sort keys %$meta ],
	[], 'no key outside the spec');

like($meta->{name}, qr{^[^\s/\\]{2,}$}, 'name');
like($meta->{version}, $semver, 'version is a semantic version');
ok($string->($meta->{abstract}), 'abstract is a string');
my @maintainers = ref $meta->{maintainer} ? @{ $meta->{maintainer} } : ($meta->{maintainer});
ok(@maintainers && !grep({ !$string->($_) } @maintainers), 'maintainer');
is($meta->{'meta-spec'}{version}, '1.0.0', 'meta-spec version');

my %licenses = map { $_ => 1 }
  qw(agpl_3 apache_1_1 apache_2_0 artistic_1 artistic_2 bsd freebsd gfdl_1_2
  gfdl_1_3 gpl_1 gpl_2 gpl_3 lgpl_2_1 lgpl_3_0 mit mozilla_1_0 mozilla_1_1
  openssl perl_5 postgresql qpl_1_0 ssleay sun zlib open_source restricted
  unrestricted unknown);
my $license = $meta->{license};
ok(ref $license eq 'HASH' ? %$license
	: !grep({ !$licenses{$_} } ref $license ? @$license : ($license)),
	'license is in the spec\'s list');

# provides: every extension has a file in the tree and a version
while (my ($ext, $p) = each %{ $meta->{provides} })
{
	ok(-f "$root/$p->{file}", "provides $ext: file $p->{file} exists");
	like($p->{version}, $semver, "provides $ext: version");
}

# prereqs: phase => relationship => name => version
my %phases = map { $_ => 1 } qw(configure build test runtime develop);
my %relations = map { $_ => 1 } qw(requires recommends suggests conflicts);
my @bad;
while (my ($phase, $rels) = each %{ $meta->{prereqs} || {} })
{
	push @bad, $phase unless $phases{$phase};
	while (my ($rel, $reqs) = each %$rels)
	{
		push @bad, "$phase.$rel" unless $relations{$rel};
		push @bad, grep { $reqs->{$_} !~ /^(?:0|[<>=!]*\s*\d+\.\d+\.\d+)$/ } keys %$reqs;
	}
}
is_deeply(\@bad, [], 'prereqs use the spec\'s phases, relationships and versions');
like($meta->{release_status} // 'stable', qr/^(?:stable|testing|unstable)$/,
	'release_status');
ok(!grep({ !$string->($_) || length > 255 } @{ $meta->{tags} || [] }), 'tags');

# the same version and name everywhere
my ($extension) = slurp('Makefile') =~ /^EXTENSION\s*=\s*(\S+)/m;
my ($extversion) = slurp('Makefile') =~ /^EXTVERSION\s*=\s*(\S+)/m;
my ($default) = slurp("$extension.control") =~ /^default_version\s*=\s*'([^']+)'/m;
my ($debian) = slurp('debian/changelog') =~ /^\S+ \(([^)-]+)/;
my ($pgmin) = slurp('debian/pgversions') =~ /^(\d+)\+/m;
is($meta->{name}, $extension, 'name is the Makefile\'s EXTENSION');
ok($meta->{provides}{$extension}, "provides $extension");
is($extversion, $default, 'Makefile EXTVERSION is the control file\'s default_version');
is($debian, $default, 'debian/changelog is at the control file\'s version');
for my $v ($meta->{version}, $meta->{provides}{$extension}{version})
{
	is($v =~ s/\.0$//r, $default, "version $v is the control file's $default");
}
is($meta->{prereqs}{runtime}{requires}{PostgreSQL}, "$pgmin.0.0",
	'the PostgreSQL prereq is the oldest version in debian/pgversions');

done_testing();
