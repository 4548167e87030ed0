# usermatch: PGXS build of the extension, plus the project's two entry points:
#   make demo   install dependencies, build, install, start a throwaway cluster, match sample users
#   make test   install dependencies, then every test layer (core unit tests, sanitizers, pg_regress,
#               pgTAP, exported-symbol check); leaves no server running
EXTENSION   = usermatch
EXTVERSION  = 0.4.0

MODULE_big  = usermatch
CORE_SRCS   = $(sort $(wildcard src/core/*.cpp src/core/*/*.cpp))
GLUE_SRCS   = $(sort $(wildcard src/pg/*.cpp src/pg/*/*.cpp))
OBJS        = $(CORE_SRCS:.cpp=.o) $(GLUE_SRCS:.cpp=.o)

DATA        = $(wildcard usermatch--*.sql)
DOCS        = README.md

REGRESS     = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
# Tests run against a running cluster started by scripts/cluster.sh (see `make test`).
REGRESS_OPTS = --inputdir=. --load-extension=usermatch

PG_CONFIG  ?= pg_config
PG_CPPFLAGS = -I$(srcdir)/src -DUSERMATCH_GLUE
PG_CXXFLAGS = -std=c++17 -Wno-register -O2 -fvisibility=hidden -fvisibility-inlines-hidden
SHLIB_LINK += -lstdc++ -licui18n -licuuc -licudata -lphonenumber -lpthread
# Export only Pg_magic_func, _PG_init and the SQL entry points (test/check-symbols.sh checks it).
SHLIB_LINK += -Wl,--version-script=$(srcdir)/src/pg/usermatch.map

# PGXS would also compile every .cpp to LLVM bitcode with clang-14, ignoring PG_CXXFLAGS.
# JIT inlining of our code is worth nothing; skip it.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The core is compiled WITHOUT the server include path: a src/core file that includes a
# PostgreSQL header fails to compile (the boundary rule, enforced by the build).
CORE_CXXFLAGS = -std=c++17 -O2 -g -fPIC -fvisibility=hidden -Wall -Wextra -Wno-unused-parameter -I$(srcdir)/src
# `make test` builds with USERMATCH_WERROR=1: our own code (core and glue) must stay warning-free.
# Plain `make` does not, so a newer compiler's new warnings cannot break an install.
ifdef USERMATCH_WERROR
CORE_CXXFLAGS += -Werror
PG_CXXFLAGS += -Werror
endif
src/core/%.o: src/core/%.cpp
	$(CXX) $(CORE_CXXFLAGS) -MMD -MP -c -o $@ $<

$(shlib): src/pg/usermatch.map

# Header dependencies for the glue too (PGXS does not track them for C++).
override CXXFLAGS += -MMD -MP
-include $(OBJS:.o=.d)
EXTRA_CLEAN += $(OBJS:.o=.d) build-ci build-asan build-fuzz results regression.diffs regression.out

.PHONY: deps demo test test-unit test-sanitize test-regress test-pgtap test-symbols stop bench fuzz stress dashboard

deps:
	scripts/install-deps.sh

demo: deps
	scripts/demo.sh

test: deps
	scripts/run-tests.sh

stop:
	scripts/cluster.sh stop

# make bench                       the older three benchmarks (scripts/bench.sh, ~20 min)
# make bench LEVEL=small|medium|large|extreme   the suite: usermatch and its peers on 10k..5M users
#                                  (bench/suite.sh; results in bench/results/)
bench:
ifdef LEVEL
	bench/suite.sh $(LEVEL)
else
	scripts/bench.sh
endif

# Stress and faults, bounded time, PASS/FAIL per check, non-zero exit on any failure:
#   make stress [DURATION=5min] [FUZZ_SECONDS=10]   (test/stress/run.sh)
stress:
	test/stress/run.sh

# usermatch.dashboard_html() of the demo cluster, written to a file whose path is printed
dashboard:
	scripts/dashboard.sh

# libFuzzer over the core (clang-14 + ASan + UBSan; not part of `make test`):
#   make fuzz [FUZZ_SECONDS=20]   seconds per target, 16 targets; exits non-zero on a crash
FUZZ_SECONDS ?= 20
fuzz:
	test/fuzz/run.sh $(FUZZ_SECONDS)
