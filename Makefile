# recalld — plain GNU make.  Targets: all (default), deps, check, demo, bench, install, uninstall,
# clean.
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
MANDIR    ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
RUNSTATEDIR ?= /run
# systemd's own directories under the prefix (systemd reads /usr/lib and /usr/local/lib alike)
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
# VM=1 forces the integration tests into the VM even where the host has vcan.
VM        ?=
SANITIZE  ?=
CC        ?= cc
AR        ?= ar
PKG_CONFIG ?= pkg-config

# Debian libraries we build on (see README "Dependencies" for why each).
PKGS      := libudev json-c libsodium inih sqlite3 libseccomp libcap-ng libsystemd
TEST_PKGS := cmocka

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
	-Wcast-qual -Wsign-compare -Wformat=2 -Wno-format-nonliteral -Werror
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -fPIC -pipe $(WARN) -MMD -MP
# Reading this Makefile never installs anything.  `make deps` (scripts/deps.sh, as root) installs
# the Debian packages; `make check` and `make demo` run it first and then build in a fresh make, so
# the README's two commands still set up a fresh machine.  Any other goal only says what is missing.
SETUP_GOALS := check demo
ifeq ($(filter clean deps uninstall $(SETUP_GOALS),$(MAKECMDGOALS)),)
DEP_PKGS := $(PKGS) $(if $(filter unit integration tests bench,$(MAKECMDGOALS)),$(TEST_PKGS))
# msgfmt (gettext) compiles the report's message catalogues.
ifneq ($(shell $(PKG_CONFIG) --exists $(DEP_PKGS) 2>/dev/null && command -v msgfmt >/dev/null && echo ok),ok)
$(error missing libraries or msgfmt ($(DEP_PKGS) gettext): run `make deps` as root, or see scripts/deps.sh)
endif
endif

CPPFLAGS += -D_GNU_SOURCE -I. -Iinclude $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# The install layout is compiled in (plugin/paths.h), so an installed recalld finds its database,
# reports and socket without a configuration.  Every object depends on a stamp of these values:
# `make install PREFIX=/usr` after a plain `make` rebuilds, never installs stale defaults.
PATH_DEFS := -DRECALLD_DATADIR='"$(DATADIR)"' -DRECALLD_SYSCONFDIR='"$(SYSCONFDIR)"' \
	-DRECALLD_LOCALSTATEDIR='"$(LOCALSTATEDIR)"' -DRECALLD_RUNSTATEDIR='"$(RUNSTATEDIR)"'
CPPFLAGS += $(PATH_DEFS)
PATHS_STAMP := $(B)/paths.stamp
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
UNINSTALL_EXTRA :=

include $(sort $(wildcard can/*.mk rules/*.mk plugin/*.mk tests/*.mk man/*.mk))

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

.PHONY: all tests check unit integration demo bench install uninstall clean deps fuzz FORCE
.DEFAULT_GOAL := all
# Keep objects of pattern-built programs, or every make relinks from scratch.
.SECONDARY:

all: $(PROJECT_LIBS) $(BINS) $(SBINS) $(EXTRA_ALL)

deps:
	@scripts/deps.sh build test

# rewritten only when a path changed, so only then does everything rebuild
$(PATHS_STAMP): FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '$(PATH_DEFS)' >$@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

$(B)/%.o: %.c $(PATHS_STAMP)
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
# Dependencies first (make deps), then a fresh make that sees the installed libraries.
check: deps
	$(MAKE) --no-print-directory all
	$(MAKE) --no-print-directory B=$(B)/clang CC=clang all
	$(MAKE) --no-print-directory B=$(SAN_B) SANITIZE=1 tests
	@scripts/check.sh $(SAN_B) $(if $(VM),--vm)

unit: all
	$(MAKE) --no-print-directory B=$(SAN_B) SANITIZE=1 tests
	@scripts/check.sh $(SAN_B) --unit-only

integration: all
	$(MAKE) --no-print-directory B=$(SAN_B) SANITIZE=1 tests
	@scripts/check.sh $(SAN_B) --integration-only $(if $(VM),--vm)

demo: deps
	$(MAKE) --no-print-directory all
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

# Everything install put there, except what is the workshop's: $(SYSCONFDIR)/recalld.conf and
# the reports under $(LOCALSTATEDIR)/lib/recalld (as Debian keeps conffiles and data on removal).
uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(BINS))) \
		$(addprefix $(DESTDIR)$(SBINDIR)/,$(notdir $(SBINS)) vcan-setup.sh)
	$(UNINSTALL_EXTRA)
	@echo "uninstall: kept $(DESTDIR)$(SYSCONFDIR)/recalld.conf and $(DESTDIR)$(LOCALSTATEDIR)/lib/recalld (remove them by hand to purge)"

clean:
	rm -rf $(B)

# Every object's header dependencies, tools' mains (plugin/recall-*.o, the simulator, benches)
# included: a changed header must rebuild them, or a tool runs with an old struct layout.
-include $(wildcard $(B)/can/*.d $(B)/rules/*.d $(B)/plugin/*.d $(B)/plugin/*/*.d $(B)/tests/*/*.d)
