# rules/ benchmark programs, run by tests/bench/rules-bench.sh under `make bench`.  SQLite is the
# comparison: linked when libsqlite3-dev is there (scripts/deps.sh bench), else the bench says so.
RULES_BENCH_BINS := $(B)/tests/bench/rules-gen $(B)/tests/bench/rules-bench
EXTRA_ALL += $(RULES_BENCH_BINS)
ifeq ($(shell $(PKG_CONFIG) --exists sqlite3 2>/dev/null && echo yes),yes)
$(B)/tests/bench/rules-bench.o: CPPFLAGS += -DHAVE_SQLITE $(shell $(PKG_CONFIG) --cflags sqlite3)
$(B)/tests/bench/rules-bench: LDLIBS += $(shell $(PKG_CONFIG) --libs sqlite3)
endif
# (PROJECT_LIBS is set after the fragments are read, so the library is named here)
$(RULES_BENCH_BINS): $(B)/tests/bench/%: $(B)/tests/bench/%.o $(B)/librules.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The check history at scale (tests/bench/history-bench.sh): the daemon's own history code.
HISTORY_BENCH := $(B)/tests/bench/history-bench
EXTRA_ALL += $(HISTORY_BENCH)
$(HISTORY_BENCH): $(B)/tests/bench/history-bench.o $(B)/libplugin.a $(B)/librules.a $(B)/libcan.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
