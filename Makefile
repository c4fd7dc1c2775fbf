# flakeguard - plain GNU make. `make help` lists the targets.
#
# Objects go under $(BUILD) (build/ by default, build/asan for `make asan`),
# the binary to ./flakeguard (or $(BUILD)/flakeguard for sanitizer builds).
# Library flags come from pkg-config through $(BUILD)/config.mk, which is
# generated after `deps` has checked (and, as root on Debian, installed) the
# -dev packages; make re-reads it automatically.

PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
PKG_CONFIG ?= pkg-config
CC         ?= cc
CFLAGS     ?= -O2 -g
BUILD      ?= build
SANITIZE   ?=

VERSION    := 0.1.0
DEPS       := libuv jansson libxml-2.0 sqlite3
# libpq: the PostgreSQL history backend (history/store_pg.c). The tests
# also need the server (Debian's postgresql, see tests/pg/cluster.sh).
DEPS       += libpq
TEST_DEPS  := cmocka gtest
WARN       := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla \
              -Wformat=2 -Wno-format-nonliteral
ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE -DFG_VERSION='"$(VERSION)"' -I. \
              $(WARN) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDLIBS  = $(PKG_LIBS) $(LDLIBS) -lm

ifneq ($(SANITIZE),)
  CFLAGS  := -O1 -g -fno-omit-frame-pointer
  ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -DFG_DEBUG
  LDFLAGS += -fsanitize=$(SANITIZE)
  BIN := $(BUILD)/flakeguard
else
  BIN := flakeguard
endif

ifeq ($(V),1)
  Q :=
else
  Q := @
endif

# Modules in layering order (lower first). A module may only include
# headers of modules listed before it; `make lint` checks this.
LIB_MODULES := core runner history analyzer reporters
objs_of      = $(patsubst %.c,$(BUILD)/%.o,$(wildcard $(1)/*.c))
LIB_OBJS    := $(foreach m,$(LIB_MODULES),$(call objs_of,$(m)))
CLI_OBJS    := $(call objs_of,cli)

UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
PROG_SRCS   := $(wildcard tests/fixtures/progs/*.c)
PROG_BINS   := $(patsubst tests/fixtures/progs/%.c,$(BUILD)/progs/%,$(PROG_SRCS))

.PHONY: all deps check unit e2e demo asan valgrind-check install uninstall \
        clean lint check-headers bench help
.DEFAULT_GOAL := all
.SECONDARY:

NO_CONFIG_GOALS := clean help deps uninstall
ifeq ($(filter-out $(NO_CONFIG_GOALS),$(or $(MAKECMDGOALS),all)),)
else
-include $(BUILD)/config.mk
endif

$(BUILD)/config.mk: Makefile tests/deps.sh
	$(Q)sh tests/deps.sh $(DEPS) $(TEST_DEPS)
	$(Q)mkdir -p $(BUILD)
	$(Q){ echo "PKG_CFLAGS := $$($(PKG_CONFIG) --cflags $(DEPS))"; \
	      echo "PKG_LIBS := $$($(PKG_CONFIG) --libs $(DEPS))"; \
	      echo "CMOCKA_CFLAGS := $$($(PKG_CONFIG) --cflags cmocka)"; \
	      echo "CMOCKA_LIBS := $$($(PKG_CONFIG) --libs cmocka)"; } > $@

help:
	@echo "make            build ./flakeguard"
	@echo "make demo       install deps, build, run flakeguard on examples/"
	@echo "make check      install deps, build, run unit and end-to-end tests"
	@echo "make asan       the whole check under ASan+UBSan (build/asan/)"
	@echo "make valgrind-check  unit tests under valgrind"
	@echo "make lint       check-headers, layering, banned functions, test commands in deps"
	@echo "make bench      benchmarks against the usual alternatives (bench/)"
	@echo "make fuzz       libFuzzer harnesses into build/fuzz/ (clang)"
	@echo "make fuzz-smoke each harness FUZZ_SECONDS (30) s; fails on a crash"
	@echo "make install    PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)"
	@echo "make deps       check/install what the build, tests and demo use"

deps:
	$(Q)sh tests/deps.sh $(DEPS) $(TEST_DEPS)

all: $(BIN)

$(BIN): $(CLI_OBJS) $(LIB_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(BUILD)/%.o: %.c $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/unit/%.c $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) -c -o $@ $<

# Each unit test links only the modules it tests and those below them, so a
# module can be tested while a higher one is being written.
test_modules = $(or $(TEST_MODULES_$(1)),$(LIB_MODULES))
TEST_MODULES_test_core    := core
TEST_MODULES_test_buildsys := core
TEST_MODULES_test_junit   := core history
TEST_MODULES_test_tap     := core history
TEST_MODULES_test_store   := core history
TEST_MODULES_test_runner  := core runner
TEST_MODULES_test_report  := core history analyzer reporters
TEST_MODULES_test_analyzer := core history analyzer
TEST_MODULES_test_hint    := core history analyzer

.SECONDEXPANSION:
$(BUILD)/tests/%: $(BUILD)/tests/%.o \
    $$(foreach m,$$(call test_modules,$$*),$$(call objs_of,$$(m)))
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(ALL_LDLIBS)

$(BUILD)/progs/%: tests/fixtures/progs/%.c $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $<

# The unit tests run through flakeguard itself (dogfooding): each cmocka
# binary writes JUnit XML, flakeguard reads it, records it and reports.
# Both run with a throwaway PostgreSQL server (tests/pg/cluster.sh), for
# the history tests that run on both backends.
unit: $(BIN) $(UNIT_BINS) $(PROG_BINS)
	$(Q)FG_BUILD=$(BUILD) sh tests/pg/cluster.sh \
	    sh tests/unit/run.sh $(CURDIR)/$(BIN) $(UNIT_BINS)

e2e: $(BIN) $(PROG_BINS)
	$(Q)FLAKEGUARD=$(CURDIR)/$(BIN) PROGS=$(CURDIR)/$(BUILD)/progs \
	    sh tests/pg/cluster.sh sh tests/e2e/run.sh

check: unit e2e

asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build/asan \
	    SANITIZE=address,undefined check

valgrind-check: $(UNIT_BINS)
	$(Q)for t in $(UNIT_BINS); do \
	  echo "  VALGRIND $$t"; \
	  valgrind -q --error-exitcode=1 --leak-check=full \
	    --errors-for-leak-kinds=definite $$t >/dev/null || exit 1; \
	done

demo: $(BIN)
	$(Q)sh examples/demo.sh $(CURDIR)/$(BIN)

bench: $(BIN) $(PROG_BINS)
	$(Q)sh tests/pg/cluster.sh sh bench/run.sh $(CURDIR)/$(BIN)

check-headers: $(BUILD)/config.mk
	$(Q)for h in $(wildcard $(addsuffix /*.h,$(LIB_MODULES) cli)); do \
	  echo "#include \"$$h\"" | \
	    $(CC) $(ALL_CFLAGS) -MF /dev/null -fsyntax-only -x c - || exit 1; \
	done

lint: check-headers
	$(Q)sh tests/layering.sh $(LIB_MODULES)
	$(Q)sh tests/banned.sh $(LIB_MODULES) cli tests/fixtures/progs tests/fuzz
	$(Q)python3 tests/lint-commands.py

COMPDIR    ?= $(PREFIX)/share/bash-completion/completions

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(COMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/flakeguard
	install -m 644 docs/flakeguard.1 $(DESTDIR)$(MANDIR)/man1/flakeguard.1
	install -m 644 docs/flakeguard.bash $(DESTDIR)$(COMPDIR)/flakeguard

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/flakeguard $(DESTDIR)$(MANDIR)/man1/flakeguard.1 \
	      $(DESTDIR)$(COMPDIR)/flakeguard

clean:
	rm -rf build flakeguard examples/build .flakeguard

# ======================================================================
# Fuzzing (issue 13). libFuzzer harnesses (tests/fuzz/fuzz_*.c) built with
# clang into build/fuzz/, on objects of their own (-fsanitize=fuzzer-no-link
# plus ASan and UBSan, -DFG_DEBUG). `make fuzz` builds them; `make
# fuzz-smoke` replays tests/fuzz/regress/<name>/ through each, then runs it
# for FUZZ_SECONDS (30) from its seeds in tests/fuzz/<name>/, and fails on
# any crash. What a run learns goes to build/fuzz/corpus/<name>/ (never
# into the tree). A longer run: `make fuzz && nice build/fuzz/fuzz_tap
# build/fuzz/corpus/tap tests/fuzz/tap -dict=tests/fuzz/tap.dict
# -max_total_time=600`. Needs clang and its libFuzzer runtime
# (tests/deps.sh installs clang and libclang-rt-dev).
# ======================================================================
.PHONY: fuzz fuzz-smoke
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_BUILD   := build/fuzz
FUZZ_NAMES   := junit junit_filter tap config qfile plan buildsys hint
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS   = -std=c11 -D_GNU_SOURCE -DFG_VERSION='"$(VERSION)"' -DFG_DEBUG \
               -DTAP_MISSING_MAX=100 \
               -I. $(WARN) $(PKG_CFLAGS) -g -O1 -fno-omit-frame-pointer \
               $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP
FUZZ_BINS    := $(addprefix $(FUZZ_BUILD)/fuzz_,$(FUZZ_NAMES))
fuzz_objs     = $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(wildcard $(1)/*.c))
FUZZ_MODULES_junit        := core history
FUZZ_MODULES_junit_filter := core history
FUZZ_MODULES_tap          := core history
FUZZ_MODULES_config       := core
FUZZ_MODULES_buildsys     := core
FUZZ_MODULES_qfile        := core history analyzer
FUZZ_MODULES_hint         := core history analyzer
FUZZ_MODULES_plan         := core runner history analyzer reporters
# fuzz_plan compiles cli/plan.c in (its reader is static) and links the
# rest of cli/ but main.c, whose functions it stubs.
FUZZ_EXTRA_plan = $(filter-out $(FUZZ_BUILD)/cli/main.o $(FUZZ_BUILD)/cli/plan.o,\
                  $(call fuzz_objs,cli))

fuzz: $(FUZZ_BINS)

$(FUZZ_BUILD)/%.o: %.c $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $$(FUZZ_EXTRA_$$*) \
    $$(foreach m,$$(FUZZ_MODULES_$$*),$$(call fuzz_objs,$$(m)))
	@echo "  LD      $@"
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(ALL_LDLIBS)

fuzz-smoke: $(FUZZ_BINS)
	$(Q)for n in $(FUZZ_NAMES); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$n; \
	  if [ -d tests/fuzz/regress/$$n ]; then \
	    echo "  REPLAY  tests/fuzz/regress/$$n"; \
	    $(FUZZ_BUILD)/fuzz_$$n tests/fuzz/regress/$$n/* \
	      >$(FUZZ_BUILD)/$$n.replay.log 2>&1 || \
	      { tail -n 40 $(FUZZ_BUILD)/$$n.replay.log; exit 1; }; \
	  fi; \
	  dict=; [ -f tests/fuzz/$$n.dict ] && dict=-dict=tests/fuzz/$$n.dict; \
	  echo "  FUZZ    $$n ($(FUZZ_SECONDS) s)"; \
	  $(FUZZ_BUILD)/fuzz_$$n $(FUZZ_BUILD)/corpus/$$n tests/fuzz/$$n $$dict \
	    -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=1024 -timeout=25 \
	    -artifact_prefix=$(FUZZ_BUILD)/$$n- -print_final_stats=1 \
	    >$(FUZZ_BUILD)/$$n.log 2>&1 || \
	    { tail -n 60 $(FUZZ_BUILD)/$$n.log; \
	      echo "fuzz-smoke: $$n crashed: $(FUZZ_BUILD)/$$n-*"; exit 1; }; \
	  grep -E '^stat::(number_of_executed_units|new_units_added)' \
	    $(FUZZ_BUILD)/$$n.log | tr '\n' ' '; echo; \
	done

-include $(wildcard $(BUILD)/*/*.d $(BUILD)/tests/*.d)
-include $(wildcard $(FUZZ_BUILD)/*/*.d $(FUZZ_BUILD)/tests/fuzz/*.d)
