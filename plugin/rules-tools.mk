# rules/ on the command line: recall-vin (VIN decoder), recallc (rule compiler), recall-check
# (offline check of a VIN against the database).
BINS += $(B)/bin/recall-vin $(B)/bin/recallc $(B)/bin/recall-check $(B)/bin/recall-report

# The seed recalls compiled, for tests, the demo and installation as the default database.
RULES_RECALLS := $(sort $(wildcard rules/recalls/*.rules))
EXTRA_ALL += $(B)/recalls.rdb
$(B)/recalls.rdb: $(B)/bin/recallc $(RULES_RECALLS)
	$(B)/bin/recallc -q $(RULES_RECALLS) -o $@

INSTALL_EXTRA += install -D -m 0644 $(B)/recalls.rdb $(DESTDIR)$(DATADIR)/recalls.rdb;
UNINSTALL_EXTRA += rm -f $(DESTDIR)$(DATADIR)/recalls.rdb; \
	rmdir $(DESTDIR)$(DATADIR) 2>/dev/null || true;
