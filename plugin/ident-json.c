// SPDX-License-Identifier: MIT
/*
 * An identity (can/ident.h) as JSON: presentation, so it lives above can/, which has no JSON.
 * recall-ident --json and the tests print this; the keys are can/README.md's.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "can/ident.h"
#include "plugin/recall-internal.h"

static json_object *hex_str(const uint8_t *b, size_t n)
{
	char buf[IDENT_MAX_VALUE * 2 + 1];
	size_t i;

	for (i = 0; i < n && i < IDENT_MAX_VALUE; i++)
		snprintf(buf + 2 * i, 3, "%02X", b[i]);
	buf[2 * i] = '\0';
	return json_object_new_string(buf);
}

static json_object *ascii_str(const uint8_t *b, size_t n)
{
	char buf[IDENT_MAX_VALUE + 1];
	size_t i;

	for (i = 0; i < n && i < IDENT_MAX_VALUE; i++)
		buf[i] = (b[i] >= 0x20 && b[i] < 0x7F) ? (char)b[i] : '.';
	buf[i] = '\0';
	return json_object_new_string(buf);
}

static json_object *flags_json(unsigned int f)
{
	json_object *a = json_object_new_array();

	if (f & IDENT_VIN_PADDED)
		json_object_array_add(a, json_object_new_string("padded"));
	if (f & IDENT_VIN_INVALID)
		json_object_array_add(a, json_object_new_string("invalid"));
	if (f & IDENT_VIN_LONG)
		json_object_array_add(a, json_object_new_string("long"));
	if (f & IDENT_VIN_SHORT)
		json_object_array_add(a, json_object_new_string("short"));
	return a;
}

/* "0x61", "0x7E0", "0x710:0x77A" */
static json_object *addr_json(uint32_t a)
{
	char buf[24];

	return json_object_new_string(ident_ecu_format(a, buf, sizeof(buf)));
}

static json_object *did_json(const struct ident_did *d)
{
	json_object *o = json_object_new_object();

	if (d->status == 0) {
		json_object_object_add(o, "hex", hex_str(d->value, d->len));
		json_object_object_add(o, "ascii", ascii_str(d->value, d->len));
	} else if (d->status == -EREMOTEIO) {
		json_object_object_add(o, "error", json_object_new_string("nrc"));
		json_object_object_add(o, "nrc", json_object_new_int(d->nrc));
		json_object_object_add(o, "nrc_name", json_object_new_string(uds_nrc_name(d->nrc)));
	} else if (d->status == -ECANCELED) {
		/* asked for, never sent: why */
		json_object_object_add(o, "error", json_object_new_string("not_asked"));
		json_object_object_add(o, "message",
				       json_object_new_string(ident_not_asked_name(d->not_asked)));
	} else {
		json_object_object_add(o, "error", json_object_new_string(
			ident_err_kind_name(ident_err_kind_of(d->status))));
		json_object_object_add(o, "message", json_object_new_string(strerror(-d->status)));
	}
	return o;
}

static json_object *ecu_json(const struct ident_ecu *e)
{
	json_object *eo = json_object_new_object(), *dids = json_object_new_object();

	json_object_object_add(eo, "address", addr_json(e->address));
	json_object_object_add(eo, "addressing", json_object_new_string(ident_scheme_name(e->scheme)));
	json_object_object_add(eo, "name", json_object_new_string(e->name));
	json_object_object_add(eo, "fd", json_object_new_boolean(e->fd));
	json_object_object_add(eo, "answered_ms", e->first_ms == UINT_MAX ? NULL :
			       json_object_new_int64(e->first_ms));
	json_object_object_add(eo, "p2_ms", json_object_new_int64(e->p2_ms));
	/* P2* it was read with: its own when it announced one, else the configured */
	json_object_object_add(eo, "p2star_ms", e->p2star_ms ? json_object_new_int64(e->p2star_ms)
							      : NULL);
	if (e->announced_p2_ms || e->announced_p2star_ms) {
		json_object *an = json_object_new_object();

		json_object_object_add(an, "p2_ms", json_object_new_int64(e->announced_p2_ms));
		json_object_object_add(an, "p2star_ms",
				       json_object_new_int64(e->announced_p2star_ms));
		json_object_object_add(eo, "announced", an);
	}
	if (e->calid_len) {
		json_object *c = json_object_new_array();

		for (size_t k = 0; k < e->calid_len; k += 16) {
			char cal[IDENT_VIN_MAX + 1];

			(void)ident_vin_extract(e->calid + k, e->calid_len - k < 16 ?
						e->calid_len - k : 16, cal);
			json_object_array_add(c, json_object_new_string(cal));
		}
		json_object_object_add(eo, "calibration_ids", c);
	}
	if (e->cvn_len) {
		json_object *c = json_object_new_array();

		for (size_t k = 0; k < e->cvn_len; k += 4)
			json_object_array_add(c, hex_str(e->cvn + k, e->cvn_len - k < 4 ?
							 e->cvn_len - k : 4));
		json_object_object_add(eo, "cvns", c);
	}
	for (size_t j = 0; j < e->n_dids; j++) {
		char key[8];

		snprintf(key, sizeof(key), "%04X", e->dids[j].did);
		json_object_object_add(dids, key, did_json(&e->dids[j]));
	}
	json_object_object_add(eo, "dids", dids);
	return eo;
}

struct json_object *ident_to_json(const struct ident *id)
{
	json_object *o, *a;

	if (!id)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "iface", json_object_new_string(id->iface));
	json_object_object_add(o, "addressing", json_object_new_string(
		id->n_ecus ? ident_scheme_name(id->scheme) : "none"));
	a = json_object_new_array();
	for (int s = IDENT_SCHEME_OBD11; s < IDENT_SCHEME_COUNT; s++)
		if (id->schemes & (1u << s))
			json_object_array_add(a, json_object_new_string(ident_scheme_name(s)));
	json_object_object_add(o, "addressings", a);
	json_object_object_add(o, "vin", id->vin[0] ? json_object_new_string(id->vin) : NULL);
	json_object_object_add(o, "vin_flags", flags_json(id->vin_flags));
	json_object_object_add(o, "vin_agree", json_object_new_boolean(id->vin_agree));
	json_object_object_add(o, "profile", id->profile[0] ?
			       json_object_new_string(id->profile) : NULL);
	json_object_object_add(o, "window_ms", json_object_new_int64(id->window_ms));
	json_object_object_add(o, "quiet_ms", json_object_new_int64(id->quiet_ms));
	json_object_object_add(o, "listened_ms", json_object_new_int64(id->listened_ms));
	a = json_object_new_array();
	for (size_t i = 0; i < id->n_sources; i++) {
		const struct ident_vin_source *s = &id->sources[i];
		json_object *so = json_object_new_object();

		json_object_object_add(so, "ecu", addr_json(s->ecu));
		json_object_object_add(so, "addressing",
				       json_object_new_string(ident_scheme_name(s->scheme)));
		json_object_object_add(so, "via", json_object_new_string(
			s->via == IDENT_VIA_OBD_0902 ? "service09" : "F190"));
		json_object_object_add(so, "vin", json_object_new_string(s->vin));
		json_object_object_add(so, "raw", hex_str(s->raw, s->raw_len));
		json_object_object_add(so, "flags", flags_json(s->flags));
		json_object_array_add(a, so);
	}
	json_object_object_add(o, "vin_sources", a);
	a = json_object_new_array();
	for (size_t i = 0; i < id->n_ecus; i++)
		json_object_array_add(a, ecu_json(&id->ecus[i]));
	json_object_object_add(o, "ecus", a);
	a = json_object_new_array();
	for (size_t i = 0; i < id->n_errors; i++) {
		const struct ident_error *e = &id->errors[i];
		json_object *eo = json_object_new_object();

		json_object_object_add(eo, "step", json_object_new_string(e->step));
		json_object_object_add(eo, "ecu", e->ecu ? addr_json(e->ecu) : NULL);
		json_object_object_add(eo, "kind", json_object_new_string(ident_err_kind_name(e->kind)));
		if (e->kind == IDENT_ERR_NRC) {
			json_object_object_add(eo, "nrc", json_object_new_int(e->nrc));
			json_object_object_add(eo, "nrc_name",
					       json_object_new_string(uds_nrc_name(e->nrc)));
		}
		json_object_object_add(eo, "message", json_object_new_string(e->message));
		json_object_array_add(a, eo);
	}
	json_object_object_add(o, "errors", a);
	if (id->errors_dropped)
		json_object_object_add(o, "errors_not_recorded",
				       json_object_new_int64((int64_t)id->errors_dropped));
	if (id->ecus_not_read)
		json_object_object_add(o, "ecus_not_read",
				       json_object_new_int64((int64_t)id->ecus_not_read));
	if (id->fatal)
		json_object_object_add(o, "fatal", json_object_new_string(strerror(-id->fatal)));
	return o;
}
