# man/: a page for every installed program, recalld.conf(5) and the rule language, roff sources
# with the install layout filled in at build time (@SYSCONFDIR@ …), installed under $(MANDIR).
# tests/deploy/20-man-pages.sh renders each with groff -ww (every warning) and fails on any.
MAN_SRCS  := $(sort $(wildcard man/*.[1-8].in))
MAN_PAGES := $(patsubst man/%.in,$(B)/man/%,$(MAN_SRCS))
EXTRA_ALL += $(MAN_PAGES)
$(MAN_PAGES): $(B)/man/%: man/%.in $(PATHS_STAMP)
	@mkdir -p $(@D)
	sed -e 's|@VERSION@|$(RECALL_VERSION)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		-e 's|@DATADIR@|$(DATADIR)|g' -e 's|@LOCALSTATEDIR@|$(LOCALSTATEDIR)|g' \
		-e 's|@RUNSTATEDIR@|$(RUNSTATEDIR)|g' $< >$@

# man page NAME.S goes to $(MANDIR)/manS/NAME.S
man_dest = $(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(1)))/$(notdir $(1))
INSTALL_EXTRA += $(foreach p,$(MAN_PAGES),install -D -m 0644 $(p) $(call man_dest,$(p));)
UNINSTALL_EXTRA += rm -f $(foreach p,$(MAN_PAGES),$(call man_dest,$(p)));
