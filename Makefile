EXTENSION = jsonb_ivm
EXTVERSION = 0.2

MODULE_big = jsonb_ivm
OBJS = src/jsonb_ivm.o src/jsonb_splice.o src/path.o \
	src/array_ops.o src/merge_ops.o src/compare_ops.o
HEADERS = src/jsonb_ivm.h src/compat.h

DATA = $(EXTENSION)--0.1.sql $(EXTENSION)--0.1--0.2.sql

TESTS = $(sort $(wildcard sql/*.sql))
REGRESS = $(patsubst sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --load-extension=$(EXTENSION)

EXTRA_CLEAN = results regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(OBJS): $(HEADERS)

.PHONY: demo test
demo:
	tools/demo.sh
test:
	tools/test.sh
.PHONY: bench bench-quick
bench:
	bench/run.sh --full
bench-quick:
	bench/run.sh --quick
