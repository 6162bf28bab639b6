# recall-vin (VIN decoder) — rules/ on the command line.
BINS += $(B)/bin/recall-vin
