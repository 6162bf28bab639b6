/* SPDX-License-Identifier: MIT */
/* The trusted-key set as the reader (rdb.c) consults it; keys and signing are rdb-sign.c. */
#ifndef RECALL_RULES_RDB_TRUST_H
#define RECALL_RULES_RDB_TRUST_H

#include <stdint.h>

#include "rules/rdb.h"

/* The name of the trusted key PK (its file name without .pub), or NULL when not trusted. */
const char *rdb_trust_find(const struct rdb_trust *t, const uint8_t pk[32]);

#endif
