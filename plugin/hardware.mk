# plugin/hardware/: what a station with real CAN adapters needs around recalld (plugin/README.md,
# "Real adapters").  The slcand@ template is installed as a unit (inert until a udev rule asks for
# it); the udev rule and the networkd file are station-specific, so they are installed as
# examples to copy and edit.
INSTALL_EXTRA += install -D -m 0644 plugin/hardware/slcand@.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/slcand@.service; \
	install -D -m 0644 plugin/hardware/70-recalld-can-names.rules \
		$(DESTDIR)$(DATADIR)/hardware/70-recalld-can-names.rules.example; \
	install -D -m 0644 plugin/hardware/80-recalld-can.network \
		$(DESTDIR)$(DATADIR)/hardware/80-recalld-can.network.example;
UNINSTALL_EXTRA += rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/slcand@.service \
		$(DESTDIR)$(DATADIR)/hardware/70-recalld-can-names.rules.example \
		$(DESTDIR)$(DATADIR)/hardware/80-recalld-can.network.example; \
	rmdir $(DESTDIR)$(DATADIR)/hardware 2>/dev/null || true;
