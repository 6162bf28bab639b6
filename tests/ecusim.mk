# recall-ecusim: the ECU simulator (tests/ecusim/), installed for trainers and integrators.  It links
# none of can/ on purpose: its ISO-TP and answers are its own code.
BINS += $(B)/bin/recall-ecusim
$(B)/bin/recall-ecusim: $(B)/tests/ecusim/ecusim.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^
