# rules/: make profiles next to the WMI -> maker-group table (rules/makes.c, rules/vin.h).
RULES_SRCS += rules/makes.c
