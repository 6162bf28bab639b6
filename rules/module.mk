# rules/: VINs, the rule language, its compiler and the compiled database (rules/vin.h, rule.h, rdb.h).
RULES_SRCS += rules/vin.c rules/vin-key.c rules/text.c rules/rule-compiler.c rules/rule-lex.c \
	rules/rule-parse.c rules/rule-vinlist.c rules/rule-build.c rules/rdb-hash.c rules/rdb.c \
	rules/rdb-verify.c rules/rdb-sign.c rules/match.c rules/needs.c
