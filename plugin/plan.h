/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan.c: the read plan handed to can/ (struct ident_config), joined from rules/' knowledge — a
 * database's needs and the VIN's make profile (rules/makes.c). */
#ifndef RECALL_PLUGIN_PLAN_H
#define RECALL_PLUGIN_PLAN_H

#include "can/ident.h"

#define PLAN_MAX_TARGETS 32
#define PLAN_MAX_NEEDS 32

/* Room for one make profile's ECUs and DIDs, valid while the read runs. */
struct plan_profile {
	size_t n_targets, n_needs;
	struct ident_target targets[PLAN_MAX_TARGETS];
	struct ident_need needs[PLAN_MAX_NEEDS];
};

/* ident_config.refine: the VIN's make profile as ECUs to probe (read when they answer) and DIDs
 * to read from every ECU; names the profile in ident.profile. */
int plan_refine(void *userdata, const char *vin, struct ident_plan_add *add);
/* Sets cfg's refine hook to the make profiles, with P as its room. */
void plan_use_profiles(struct ident_config *cfg, struct plan_profile *p);

#endif
