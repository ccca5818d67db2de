EXTENSION = jsonb_ivm
EXTVERSION = 0.3

MODULE_big = jsonb_ivm
OBJS = src/jsonb_ivm.o src/jsonb_splice.o src/path.o \
	src/array_ops.o src/merge_ops.o src/compare_ops.o \
	src/projection_analyze.o src/projection_ops.o
PG_CPPFLAGS += -DJSONB_IVM_VERSION=\"$(EXTVERSION)\"

# sql/jsonb_ivm.sql is the current version; the upgrade from the last
# release is built from it (what follows "-- Since <version>."); every
# other script in sql/ is a released full or upgrade script, as it is
UPGRADE_FROM = 0.2
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql \
	sql/$(EXTENSION)--$(UPGRADE_FROM)--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*.sql))

TESTS = $(sort $(wildcard test/sql/*.sql))
REGRESS = $(patsubst test/sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=test --load-extension=$(EXTENSION)

# a spec template test/specs/NAME.spec.in is written to test/specs/NAME.spec
# before the tests run, with the files it names inlined (see the rule below)
SPEC_TEMPLATES = $(wildcard test/specs/*.spec.in)
SPECS = $(sort $(wildcard test/specs/*.spec) $(SPEC_TEMPLATES:.in=))
ISOLATION = $(patsubst test/specs/%.spec,%,$(SPECS))
ISOLATION_OPTS = --inputdir=test --load-extension=$(EXTENSION)
REGRESS_PREP = $(SPEC_TEMPLATES:.in=)

EXTRA_CLEAN = results regression.diffs regression.out output_iso \
	tmp_check tmp_check_iso log dist $(SPEC_TEMPLATES:.in=)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
# Debian's server headers for PostgreSQL 13 ship no pg_isolation_regress:
# without it, installcheck runs the regression tests only
ifeq ($(wildcard $(dir $(PGXS))../test/isolation/pg_isolation_regress),)
ISOLATION =
endif
include $(PGXS)

# private headers: not installed, but every object depends on them
$(OBJS): src/jsonb_ivm.h src/compat.h

sql/$(EXTENSION)--$(EXTVERSION).sql: sql/$(EXTENSION).sql
	cp $< $@

sql/$(EXTENSION)--$(UPGRADE_FROM)--$(EXTVERSION).sql: sql/$(EXTENSION).sql
	{ printf '%s\n' "/* $(@F): built by make from $<, from its '-- Since $(EXTVERSION).' on */" \
		'-- complain if script is sourced in psql, rather than via ALTER EXTENSION' \
		"\\echo Use \"ALTER EXTENSION $(EXTENSION) UPDATE TO '$(EXTVERSION)'\" to load this file. \\quit" ''; \
	  sed -n '/^-- Since $(EXTVERSION)\./,$$p' $<; } >$@

test/specs/%.spec: test/specs/%.spec.in test/specs/inline.pl \
		$(wildcard fixtures/*.sql recipes/*.sql test/lib/*.sql)
	perl test/specs/inline.pl $< >$@

# TAP suites on PostgreSQL::Test::Cluster, against the installed server
.PHONY: prove_installcheck
PROVE_TESTS ?= test/t/*.pl
# their shared module; PG_PROVE_FLAGS leaves PROVE_FLAGS (e.g. -v) to the user
PG_PROVE_FLAGS += -I test/perl
prove_installcheck:
	$(prove_installcheck)

.PHONY: dist
dist:
	mkdir -p dist
	git archive --format zip --prefix=$(EXTENSION)-$(EXTVERSION)/ \
		--output dist/$(EXTENSION)-$(EXTVERSION).zip HEAD

.PHONY: demo test bench bench-quick bench-citus
demo:
	IVM_NO_INSTALL=1 tools/demo.sh
test:
	tools/test.sh --no-install
bench:
	bench/run.sh --full
bench-quick:
	bench/run.sh --quick
# Citus installed when missing, then bench/citus.pl: bench/results/citus.md
bench-citus: install
	PG_CONFIG=$(bindir)/pg_config tools/citus.sh
	PG_CONFIG=$(bindir)/pg_config perl bench/citus.pl
