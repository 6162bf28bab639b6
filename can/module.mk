# can/: SocketCAN, kernel ISO-TP, UDS/OBD decoders and the identity entry point (can/ident.h).
CAN_SRCS += can/uds.c can/scheme.c can/canbus.c can/ident.c
