# rules/: VINs, the rule language, its compiler and the compiled database (rules/vin.h, rule.h, rdb.h).
RULES_SRCS += rules/vin.c rules/rule.c rules/rule-build.c rules/rdb.c rules/match.c rules/needs.c
