# plugin/: librecall (check, report), the control protocol, recallctl, and the daemon's parts in
# plugin/daemon/ (loop, linkwatch, traffic, checker, ctlserver, sinks, bays wired in daemon.c).
# The report: its model (report.c) and its forms, each in its own file.
REPORT_SRCS := plugin/report.c plugin/report-json.c plugin/report-text.c plugin/report-files.c \
	plugin/report-words.c plugin/report-html.c plugin/i18n.c plugin/report-bus.c
REPORT_OBJS := $(patsubst %.c,$(B)/%.o,$(REPORT_SRCS))
PLUGIN_SRCS += $(REPORT_SRCS) plugin/config.c plugin/control.c plugin/check.c plugin/ident-json.c \
	plugin/plan.c plugin/history.c plugin/history-text.c
DAEMON_SRCS := plugin/daemon/loop.c plugin/daemon/linkwatch.c plugin/daemon/traffic.c \
	plugin/daemon/checker.c plugin/daemon/ctlserver.c plugin/daemon/sink.c plugin/daemon/bay.c \
	plugin/daemon/sink-history.c plugin/daemon/daemon.c plugin/daemon/linkup.c \
	plugin/daemon/buswatch.c plugin/daemon/ratedetect.c plugin/daemon/sandbox.c
PLUGIN_SRCS += $(DAEMON_SRCS)

RECALL_VERSION   := 0.1.0
RECALL_SOVERSION := 0

# Every tool prints this version (--version); the library returns it (recall_version()).
CPPFLAGS += -DRECALL_VERSION='"$(RECALL_VERSION)"'

SBINS += $(B)/bin/recalld
# recalld's main lives with its parts, so it has its own line (the tools' rule is plugin/NAME.c)
$(B)/bin/recalld: $(B)/plugin/daemon/recalld.o $(B)/libplugin.a $(B)/librules.a $(B)/libcan.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
BINS += $(B)/bin/recallctl

# Files with the install layout in them, made at build time from their .in: the example
# configuration (what the daemon's built-in defaults are), the unit, sysusers.d and tmpfiles.d.
PLUGIN_SED := sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' \
	-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@LOCALSTATEDIR@|$(LOCALSTATEDIR)|g' \
	-e 's|@RUNSTATEDIR@|$(RUNSTATEDIR)|g'
PLUGIN_GEN := $(B)/recalld.conf $(B)/recalld.service $(B)/recalld.sysusers $(B)/recalld.tmpfiles
EXTRA_ALL += $(PLUGIN_GEN)
$(PLUGIN_GEN): $(B)/%: plugin/%.in $(PATHS_STAMP)
	@mkdir -p $(@D)
	$(PLUGIN_SED) $< >$@
# the unit test holds the example to the built-in defaults
$(B)/tests/unit/test-plugin-config.o: CPPFLAGS += -DRECALLD_EXAMPLE_CONF='"$(B)/recalld.conf"'

# librecall.so: only the check and the report (no daemon code), with can/ and rules/ inside it;
# the version script exports recall_* and nothing else.  -z defs proves the library is complete,
# except under the sanitizers, whose runtime comes from the program.
LIBRECALL := $(B)/librecall.so.$(RECALL_VERSION)
EXTRA_ALL += $(LIBRECALL)
$(LIBRECALL): $(B)/plugin/check.o $(REPORT_OBJS) $(B)/plugin/plan.o $(B)/librules.a $(B)/libcan.a \
		plugin/recall.map
	$(CC) $(LDFLAGS) -shared -Wl,-soname,librecall.so.$(RECALL_SOVERSION) \
		-Wl,--version-script=plugin/recall.map $(if $(SANITIZE),,-Wl,-z,defs) \
		-o $@ $(filter %.o %.a,$^) $(LDLIBS)
	ln -sf $(@F) $(B)/librecall.so.$(RECALL_SOVERSION)
	ln -sf $(@F) $(B)/librecall.so

# recall.pc is written at install time: its paths are the install's PREFIX, LIBDIR and INCDIR.
RECALL_PC_SED := sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	-e 's|@INCDIR@|$(INCDIR)|' -e 's|@VERSION@|$(RECALL_VERSION)|'

# The configuration example goes to SYSCONFDIR only when there is none: never overwrite a
# workshop's own settings.  Installed into the live system (no DESTDIR), the user, group and
# directories are created at once, as a Debian package's postinst would.
INSTALL_EXTRA += install -D -m 0644 $(LIBRECALL) $(DESTDIR)$(LIBDIR)/$(notdir $(LIBRECALL)); \
	ln -sf $(notdir $(LIBRECALL)) $(DESTDIR)$(LIBDIR)/librecall.so.$(RECALL_SOVERSION); \
	ln -sf $(notdir $(LIBRECALL)) $(DESTDIR)$(LIBDIR)/librecall.so; \
	install -D -m 0644 plugin/recall.h $(DESTDIR)$(INCDIR)/recall.h; \
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig; \
	$(RECALL_PC_SED) plugin/recall.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/recall.pc; \
	install -D -m 0644 $(B)/recalld.conf $(DESTDIR)$(DATADIR)/recalld.conf.example; \
	install -D -m 0644 $(B)/recalld.service $(DESTDIR)$(SYSTEMDUNITDIR)/recalld.service; \
	install -D -m 0644 $(B)/recalld.sysusers $(DESTDIR)$(SYSUSERSDIR)/recalld.conf; \
	install -D -m 0644 $(B)/recalld.tmpfiles $(DESTDIR)$(TMPFILESDIR)/recalld.conf; \
	[ -e $(DESTDIR)$(SYSCONFDIR)/recalld.conf ] || \
		install -D -m 0644 $(B)/recalld.conf $(DESTDIR)$(SYSCONFDIR)/recalld.conf; \
	if [ -z "$(DESTDIR)" ] && command -v systemd-sysusers >/dev/null; then \
		systemd-sysusers $(SYSUSERSDIR)/recalld.conf && \
		systemd-tmpfiles --create $(TMPFILESDIR)/recalld.conf; fi;

UNINSTALL_EXTRA += rm -f $(DESTDIR)$(LIBDIR)/$(notdir $(LIBRECALL)) \
	$(DESTDIR)$(LIBDIR)/librecall.so.$(RECALL_SOVERSION) $(DESTDIR)$(LIBDIR)/librecall.so \
	$(DESTDIR)$(INCDIR)/recall.h $(DESTDIR)$(LIBDIR)/pkgconfig/recall.pc \
	$(DESTDIR)$(DATADIR)/recalld.conf.example $(DESTDIR)$(SYSTEMDUNITDIR)/recalld.service \
	$(DESTDIR)$(SYSUSERSDIR)/recalld.conf $(DESTDIR)$(TMPFILESDIR)/recalld.conf;

# The ABI proof: install into a private root, then build the station program with nothing but the
# installed header and `pkg-config --cflags --libs recall` (PKG_CONFIG_SYSROOT_DIR maps the
# installed paths into that root).  The sanitizer tree adds its runtime flags, nothing else.  The
# build's own layout is installed (only DESTDIR differs), so nothing is rebuilt for it.
ABI_ROOT := $(B)/abi-root
EXTRA_TESTS += $(B)/tests/abi/station
# (order-only on all: the nested install must find everything built, never race the outer make)
$(B)/tests/abi/station: tests/integration/plugin-abi/station.c $(LIBRECALL) plugin/recall.pc.in \
		plugin/recall.h | all
	rm -rf $(ABI_ROOT)
	$(MAKE) --no-print-directory install B=$(B) DESTDIR=$(abspath $(ABI_ROOT)) >/dev/null
	@mkdir -p $(@D)
	PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=$(ABI_ROOT)$(LIBDIR)/pkgconfig \
	PKG_CONFIG_SYSROOT_DIR=$(abspath $(ABI_ROOT)) sh -c '$(CC) -std=c99 -Wall -Wextra -Werror \
		$(SANFLAGS) $$($(PKG_CONFIG) --cflags recall) -o $@ $< $(LDFLAGS) \
		$$($(PKG_CONFIG) --libs recall)'
