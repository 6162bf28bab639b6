# plugin/: the recalld daemon, recallctl, librecall.so (public ABI) and their shared code.
PLUGIN_SRCS += plugin/report.c plugin/config.c plugin/control.c plugin/bay.c plugin/daemon.c

# Compile-time defaults follow the install layout, so an installed recalld works without a config.
$(B)/plugin/config.o $(B)/plugin/recalld.o: CPPFLAGS += -DRECALLD_DATADIR='"$(DATADIR)"' \
	-DRECALLD_SYSCONFDIR='"$(SYSCONFDIR)"'

BINS += $(B)/bin/recallctl
$(B)/plugin/recallctl.o: CPPFLAGS += -DRECALLD_DATADIR='"$(DATADIR)"'
