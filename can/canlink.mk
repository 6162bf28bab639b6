# can/: the CAN link (can/canlink.h): rtnetlink bring-up, error frames, bit-rate detection.
# Its own fragment, so issue 10's can/module.mk and this never collide.
CAN_SRCS += can/canlink.c can/canerr.c can/canrate.c
