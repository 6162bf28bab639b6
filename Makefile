# recalld — plain GNU make.  Targets: all (default), check, demo, bench, install, clean.
#
# Everything is built out of tree under $(B) (default ./build).  `make check` also builds a second
# tree under $(B)/san with AddressSanitizer + UndefinedBehaviorSanitizer and runs the tests there.
#
# Each module lists its sources in a fragment (can/module.mk, rules/module.mk, plugin/*.mk,
# tests/*.mk); this file holds the rules they share, so a fragment is a list, not a build system.

B         ?= build
PREFIX    ?= /usr/local
DESTDIR   ?=
BINDIR    ?= $(PREFIX)/bin
SBINDIR   ?= $(PREFIX)/sbin
LIBDIR    ?= $(PREFIX)/lib
INCDIR    ?= $(PREFIX)/include
DATADIR   ?= $(PREFIX)/share/recalld
SYSCONFDIR ?= /etc
# VM=1 forces the integration tests into the VM even where the host has vcan.
VM        ?=
SANITIZE  ?=
CC        ?= cc
AR        ?= ar
PKG_CONFIG ?= pkg-config

# Debian libraries we build on (see README "Dependencies" for why each).
PKGS      := libudev json-c libsodium inih sqlite3
TEST_PKGS := cmocka

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
	-Wcast-qual -Wsign-compare -Wformat=2 -Wno-format-nonliteral -Werror
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -fPIC -pipe $(WARN) -MMD -MP
# A fresh machine lacks the libraries before the flags below are computed, so the dependency script
# runs while the Makefile is read — only when pkg-config cannot find what this goal needs.
DEP_GROUPS := build $(if $(filter check unit integration tests demo bench,$(MAKECMDGOALS)),test)
DEP_PKGS   := $(PKGS) $(if $(filter test,$(DEP_GROUPS)),$(TEST_PKGS))
ifeq ($(filter clean,$(MAKECMDGOALS)),)
ifneq ($(shell $(PKG_CONFIG) --exists $(DEP_PKGS) 2>/dev/null && command -v msgfmt >/dev/null && echo ok),ok)
DEPS_RC := $(shell scripts/deps.sh $(DEP_GROUPS) >&2; echo $$?)
ifneq ($(DEPS_RC),0)
$(error missing dependencies (see above))
endif
endif
endif

CPPFLAGS += -D_GNU_SOURCE -I. -Iinclude $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm
TEST_LDLIBS := $(shell $(PKG_CONFIG) --libs $(TEST_PKGS) 2>/dev/null)

ifeq ($(SANITIZE),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS   += $(SANFLAGS) -O1
LDFLAGS  += $(SANFLAGS)
endif

# Filled in by the fragments.
CAN_SRCS    :=
RULES_SRCS  :=
PLUGIN_SRCS :=
BINS        :=
SBINS       :=
EXTRA_ALL   :=
EXTRA_TESTS :=
INSTALL_EXTRA :=

include $(sort $(wildcard can/*.mk rules/*.mk plugin/*.mk tests/*.mk))

# Module libraries, highest layer first so static linking resolves in one pass.
LIBCAN     := $(B)/libcan.a
LIBRULES   := $(B)/librules.a
LIBPLUGIN  := $(B)/libplugin.a
PROJECT_LIBS := $(if $(PLUGIN_SRCS),$(LIBPLUGIN)) $(if $(RULES_SRCS),$(LIBRULES)) \
	$(if $(CAN_SRCS),$(LIBCAN))

obj = $(patsubst %.c,$(B)/%.o,$(1))

# Tests are found by name, so adding one needs no Makefile edit:
#   tests/unit/test-*.c        one cmocka program each, linked with all module libraries
#   tests/integration/*.c      helper programs for the integration scripts (tests/integration/*.sh)
#   tests/fuzz/fuzz-*.c        libFuzzer targets; `check` replays their corpus with a plain driver
UNIT_TESTS  := $(patsubst %.c,$(B)/%,$(wildcard tests/unit/test-*.c))
INTEG_BINS  := $(patsubst %.c,$(B)/%,$(wildcard tests/integration/*.c))
FUZZ_BINS   := $(patsubst %.c,$(B)/%,$(wildcard tests/fuzz/fuzz-*.c))

ALL_OBJS := $(call obj,$(CAN_SRCS) $(RULES_SRCS) $(PLUGIN_SRCS))

.PHONY: all tests check unit integration demo bench install clean deps deps-test fuzz
.DEFAULT_GOAL := all
# Keep objects of pattern-built programs, or every make relinks from scratch.
.SECONDARY:

all: $(PROJECT_LIBS) $(BINS) $(SBINS) $(EXTRA_ALL)

deps:
	@scripts/deps.sh build test

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIBCAN): $(call obj,$(CAN_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBRULES): $(call obj,$(RULES_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBPLUGIN): $(call obj,$(PLUGIN_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

# A command-line tool is plugin/NAME.c (its main) plus the module libraries.
$(B)/bin/%: $(B)/plugin/%.o $(PROJECT_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/unit/%: $(B)/tests/unit/%.o $(PROJECT_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(TEST_LDLIBS)

$(B)/tests/integration/%: $(B)/tests/integration/%.o $(PROJECT_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Without libFuzzer, a small main() feeds each corpus file to the target (tests/fuzz/driver.c).
FUZZ_DRIVER := $(if $(FUZZ_LIBFUZZER),,$(B)/tests/fuzz/driver.o)
$(B)/tests/fuzz/%: $(B)/tests/fuzz/%.o $(FUZZ_DRIVER) $(PROJECT_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tests: all $(UNIT_TESTS) $(INTEG_BINS) $(FUZZ_BINS) $(EXTRA_TESTS)

# check: the normal build must be warning-free, then the whole suite runs on the sanitizer build.
SAN_B := $(B)/san
# The code must also build warning-free with clang (different warnings, different UB assumptions).
check: all
	@scripts/deps.sh test
	$(MAKE) --no-print-directory B=$(B)/clang CC=clang all
	$(MAKE) --no-print-directory B=$(SAN_B) SANITIZE=1 tests
	@scripts/check.sh $(SAN_B) $(if $(VM),--vm)

unit: all
	$(MAKE) --no-print-directory B=$(SAN_B) SANITIZE=1 tests
	@scripts/check.sh $(SAN_B) --unit-only

integration: all
	$(MAKE) --no-print-directory B=$(SAN_B) SANITIZE=1 tests
	@scripts/check.sh $(SAN_B) --integration-only $(if $(VM),--vm)

demo: all
	@scripts/deps.sh test
	@scripts/demo.sh $(B) $(if $(VM),--vm)

bench: all
	@scripts/deps.sh test
	@scripts/bench.sh $(B)

# libFuzzer builds need clang; they are for long runs by hand, check only replays the corpus.
# CFLAGS given on a command line replaces the `+=` above, so the language, warning and dependency
# flags are repeated here (without -MMD a changed header would leave stale fuzz objects).
fuzz:
	$(MAKE) --no-print-directory B=$(B)/fuzz CC=clang \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -std=gnu11 -fPIC -pipe \
			$(WARN) -MMD -MP" \
		LDFLAGS="-fsanitize=fuzzer,address,undefined" FUZZ_LIBFUZZER=1 \
		$(patsubst $(B)/%,$(B)/fuzz/%,$(FUZZ_BINS))

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR)
	$(if $(BINS),install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)/)
	$(if $(SBINS),install -m 0755 $(SBINS) $(DESTDIR)$(SBINDIR)/)
	install -m 0755 vcan-setup.sh $(DESTDIR)$(SBINDIR)/vcan-setup.sh
	$(INSTALL_EXTRA)

clean:
	rm -rf $(B)

# Every object's header dependencies, tools' mains (plugin/recall-*.o, the simulator, benches)
# included: a changed header must rebuild them, or a tool runs with an old struct layout.
-include $(wildcard $(B)/can/*.d $(B)/rules/*.d $(B)/plugin/*.d $(B)/plugin/*/*.d $(B)/tests/*/*.d)
