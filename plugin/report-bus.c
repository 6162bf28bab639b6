/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bus as the cause of a check's trouble (issue 12): can/ counts the controller's error frames
 * during the read (canlink_errwatch) and names a cause code; here it becomes the report's `bus`
 * member (data: code + counts, for the JSON and for translation) and words — English for the
 * log and `errors[]` (with the cause as data, code "bus"), in the report's language where it is
 * rendered for people (the catalogue, po/).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "can/canlink.h"
#include "plugin/i18n.h"
#include "plugin/recall-internal.h"

/* The words of each cause are gettext msgids: English in the log, `error` and `errors[]`, and
 * translated (po/de.po) where a report is rendered for people. */
static const struct {
	const char *cause, *words;
} words[] = {
	{ "no_ack", N_("no ECU acknowledged (ACK missing): is a car connected, ignition on?") },
	{ "no_answer", N_("frames acknowledged by the bus but no ECU answered: a car is connected; "
			  "ignition on, diagnosis blocked by the car?") },
	{ "bus_off", N_("bus-off: the CAN controller switched itself off after too many errors "
			"(wrong bit rate, short circuit, wiring?)") },
	{ "bitrate_mismatch", N_("wrong bit rate suspected: traffic on the bus but no frame "
				 "readable (check the bay's bit rate: 500 or 250 kbit/s)") },
	{ "error_passive", N_("errors on the bus (controller error-passive): check wiring and "
			      "termination") },
	{ "adapter_removed", N_("CAN adapter removed during the check") },
	{ "controller", N_("CAN adapter overloaded or faulty (overflow, transmit timeout)") },
};

static int find(const char *cause)
{
	for (size_t i = 0; cause && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(words[i].cause, cause) == 0)
			return (int)i;
	return -1;
}

const char *report_bus_words(const struct i18n *L, const char *cause)
{
	int i = find(cause);

	return i < 0 ? NULL : tr(L, words[i].words);
}

const char *report_bus_words_en(const char *cause)
{
	int i = find(cause);

	return i < 0 ? NULL : words[i].words;
}

void report_bus_free(struct recall_bus *b)
{
	if (!b)
		return;
	free(b->cause);
	free(b->state);
	free(b);
}

static struct recall_bus *bus_new(void)
{
	struct recall_bus *b = calloc(1, sizeof(*b));

	if (b)
		b->tx_errors = b->rx_errors = -1;
	return b;
}

/* The cause in words, once, in errors[] (with the cause as data, so a reader in another
 * language has the code) and — when the check did not succeed — as its reason. */
static int explain(struct recall_report *r, const char *cause)
{
	const char *en = report_bus_words_en(cause);
	struct recall_fact f = { 0 };
	char msg[512];
	int ret;

	if (!en)
		return 0;
	snprintf(msg, sizeof(msg), "%s%sbus: %s", r->iface ? r->iface : "", r->iface ? ": " : "",
		 en);
	if ((ret = report_fact_init(&f, "bus")) < 0 ||
	    (ret = report_fact_add(&f, "cause", RECALL_PARAM_STRING, cause)) < 0 ||
	    (r->iface && (ret = report_fact_add(&f, "iface", RECALL_PARAM_STRING, r->iface)) < 0))
		goto out;
	ret = report_add_error_fact(r, msg, &f);
	if (ret < 0 || r->status == RECALL_STATUS_COMPLETE)
		goto out;
	/* the bus is the reason the car could not be read; the old reason follows it */
	if (r->error) {
		char *both;

		ret = -ENOMEM;
		if (asprintf(&both, "%s (%s)", en, r->error) < 0)
			goto out;
		free(r->error);
		r->error = both;
		ret = 0;
		goto out;
	}
	ret = report_set_str(&r->error, en);
out:
	report_fact_done(&f);
	return ret;
}

int report_set_bus_cause(struct recall_report *r, const char *cause)
{
	if (!r->bus && !(r->bus = bus_new()))
		return -ENOMEM;
	if (r->bus->cause && strcmp(r->bus->cause, cause) == 0)
		return 0;
	if (report_set_str(&r->bus->cause, cause) < 0)
		return -ENOMEM;
	return explain(r, cause);
}

int report_note_bus(struct recall_report *r, const struct canlink_errstats *st,
		    bool echo_means_ack, bool answered, bool removed)
{
	enum canlink_cause c = removed ? CANLINK_CAUSE_ADAPTER_REMOVED :
					 canlink_err_cause(st, echo_means_ack, answered);
	struct recall_bus *b;

	/* A healthy bus, or a car that answered and a bus that only hiccupped: nothing to say. */
	if (c == CANLINK_CAUSE_NONE || (answered && c == CANLINK_CAUSE_NO_ANSWER))
		return 0;
	b = r->bus ? r->bus : bus_new();
	if (!b)
		return -ENOMEM;
	r->bus = b;
	if (st->error_frames && report_set_str(&b->state, canlink_state_name(st->worst)) < 0)
		return -ENOMEM;
	if (st->have_counters) {
		b->tx_errors = st->tx_errors;
		b->rx_errors = st->rx_errors;
	}
	b->error_frames = st->error_frames;
	b->ack_errors = st->ack;
	b->protocol_errors = st->bit + st->stuff + st->form + st->crc;
	b->bus_off = st->bus_off;
	b->frames_received = st->rx_frames;
	return report_set_bus_cause(r, canlink_cause_name(c));
}

int report_bus_to_json(const struct recall_bus *b, struct json_object **ret_obj)
{
	struct json_object *o;

	if (!b) {
		*ret_obj = NULL;
		return 0;
	}
	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "cause", b->cause ? json_object_new_string(b->cause) : NULL);
	json_object_object_add(o, "state", b->state ? json_object_new_string(b->state) : NULL);
	json_object_object_add(o, "tx_errors", b->tx_errors >= 0 ?
				       json_object_new_int(b->tx_errors) : NULL);
	json_object_object_add(o, "rx_errors", b->rx_errors >= 0 ?
				       json_object_new_int(b->rx_errors) : NULL);
	json_object_object_add(o, "error_frames", json_object_new_int64(b->error_frames));
	json_object_object_add(o, "ack_errors", json_object_new_int64(b->ack_errors));
	json_object_object_add(o, "protocol_errors", json_object_new_int64(b->protocol_errors));
	json_object_object_add(o, "bus_off", json_object_new_int64(b->bus_off));
	json_object_object_add(o, "frames_received", json_object_new_int64(b->frames_received));
	*ret_obj = o;
	return 0;
}

static int get_count(struct json_object *o, const char *key, unsigned int *ret)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return -EBADMSG;
	n = json_object_get_int64(v);
	if (n < 0 || n > 0x7fffffff)
		return -EBADMSG;
	*ret = (unsigned int)n;
	return 0;
}

static int get_string(struct json_object *o, const char *key, char **ret)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -EBADMSG;
	return report_set_str(ret, json_object_get_string(v));
}

int report_bus_from_json(struct json_object *o, struct recall_bus **ret_bus)
{
	struct recall_bus *b;
	unsigned int tx = 0, rx = 0;
	int ret;

	*ret_bus = NULL;
	if (!o || json_object_is_type(o, json_type_null))
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return -EBADMSG;
	b = bus_new();
	if (!b)
		return -ENOMEM;
	if ((ret = get_string(o, "cause", &b->cause)) < 0 ||
	    (ret = get_string(o, "state", &b->state)) < 0 ||
	    (ret = get_count(o, "error_frames", &b->error_frames)) < 0 ||
	    (ret = get_count(o, "ack_errors", &b->ack_errors)) < 0 ||
	    (ret = get_count(o, "protocol_errors", &b->protocol_errors)) < 0 ||
	    (ret = get_count(o, "bus_off", &b->bus_off)) < 0 ||
	    (ret = get_count(o, "frames_received", &b->frames_received)) < 0)
		goto fail;
	ret = -EBADMSG;
	if (json_object_object_get_ex(o, "tx_errors", NULL)) {
		if ((ret = get_count(o, "tx_errors", &tx)) < 0 || tx > 0xffff)
			goto fail;
		b->tx_errors = (int)tx;
	}
	if (json_object_object_get_ex(o, "rx_errors", NULL)) {
		if ((ret = get_count(o, "rx_errors", &rx)) < 0 || rx > 0xffff)
			goto fail;
		b->rx_errors = (int)rx;
	}
	/* a null counter means "not reported" */
	{
		struct json_object *v;

		if (json_object_object_get_ex(o, "tx_errors", &v) &&
		    json_object_is_type(v, json_type_null))
			b->tx_errors = -1;
		if (json_object_object_get_ex(o, "rx_errors", &v) &&
		    json_object_is_type(v, json_type_null))
			b->rx_errors = -1;
	}
	*ret_bus = b;
	return 0;
fail:
	report_bus_free(b);
	return ret < 0 ? ret : -EBADMSG;
}
