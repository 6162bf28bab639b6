// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The read plan: what can/ is asked to read, joined here from what rules/ knows — a campaign
 * database's needs (ECU, DID) and the make profile of the VIN once it is read (rules/makes.c).
 * can/ holds no OEM policy and rules/ no bus knowledge; this file is where they meet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/plan.h"
#include "rules/vin.h"

/* The make profile of VIN as ECUs and DIDs to add (ident_config.refine). */
int plan_refine(void *userdata, const char *vin, struct ident_plan_add *add)
{
	struct plan_profile *p = userdata;
	const struct vin_read_profile *prof = vin_read_profile(vin);

	if (!p || !prof)
		return -EINVAL;
	p->n_targets = 0;
	p->n_needs = 0;
	for (size_t i = 0; i < prof->n_ecus && p->n_targets < PLAN_MAX_TARGETS; i++) {
		int s = ident_scheme_parse(prof->ecus[i].scheme);

		if (s <= 0)
			continue;	/* a word can/ does not know: a table error, tested */
		p->targets[p->n_targets++] = (struct ident_target){
			.scheme = (enum ident_scheme)s, .ecu = prof->ecus[i].ecu,
			.if_present = true };
	}
	for (size_t i = 0; i < prof->n_dids && p->n_needs < PLAN_MAX_NEEDS; i++)
		p->needs[p->n_needs++] = (struct ident_need){ IDENT_ECU_ANY, prof->dids[i] };
	add->targets = p->targets;
	add->n_targets = p->n_targets;
	add->needs = p->needs;
	add->n_needs = p->n_needs;
	add->name = prof->name;
	return 0;
}

void plan_use_profiles(struct ident_config *cfg, struct plan_profile *p)
{
	cfg->refine = plan_refine;
	cfg->refine_userdata = p;
}
