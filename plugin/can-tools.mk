# recall-ident: the identity reader on the command line (can/ident.h).
BINS += $(B)/bin/recall-ident
