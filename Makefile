EXTENSION = jsonb_ivm
EXTVERSION = 0.3

MODULE_big = jsonb_ivm
OBJS = src/jsonb_ivm.o src/jsonb_splice.o src/path.o \
	src/array_ops.o src/merge_ops.o src/compare_ops.o \
	src/projection_analyze.o src/projection_ops.o

# sql/jsonb_ivm.sql is the current version; every other script in sql/ is
# a released full script or an upgrade script, installed as it is
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*.sql))

TESTS = $(sort $(wildcard test/sql/*.sql))
REGRESS = $(patsubst test/sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=test --load-extension=$(EXTENSION)

SPECS = $(sort $(wildcard test/specs/*.spec))
ISOLATION = $(patsubst test/specs/%.spec,%,$(SPECS))
ISOLATION_OPTS = --inputdir=test --load-extension=$(EXTENSION)

EXTRA_CLEAN = results regression.diffs regression.out output_iso \
	tmp_check tmp_check_iso log dist

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# private headers: not installed, but every object depends on them
$(OBJS): src/jsonb_ivm.h src/compat.h

sql/$(EXTENSION)--$(EXTVERSION).sql: sql/$(EXTENSION).sql
	cp $< $@

# TAP suites on PostgreSQL::Test::Cluster, against the installed server
.PHONY: prove_installcheck
PROVE_TESTS ?= test/t/*.pl
prove_installcheck:
	$(prove_installcheck)

.PHONY: dist
dist:
	mkdir -p dist
	git archive --format zip --prefix=$(EXTENSION)-$(EXTVERSION)/ \
		--output dist/$(EXTENSION)-$(EXTVERSION).zip HEAD

.PHONY: demo test bench bench-quick
demo:
	tools/demo.sh
test:
	tools/test.sh
bench:
	bench/run.sh --full
bench-quick:
	bench/run.sh --quick
