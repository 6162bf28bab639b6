/*
 * A station program that knows recalld only through its installed public interface: it is
 * compiled by plugin/daemon.mk (install into a private root) against the installed recall.h and
 * `pkg-config --cflags --libs recall`, and run by 43-recall-check-iface.sh,
 * and nothing else from the source tree (this file is deliberately outside the directories the
 * Makefile builds).
 *
 *   station DB vin VIN          check a VIN alone
 *   station DB iface IFACE      check the car on IFACE
 *
 * Prints "status=... vin=... open=N remedied=N inspect=N undetermined=N" and the JSON, then
 * re-parses the JSON through the library to show the struct and the JSON agree.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <recall.h>

int main(int argc, char **argv)
{
	struct recall_check_opts opts = { .size = sizeof(opts) };
	struct recall_report *r = NULL, *back = NULL;
	struct recall_db *db = NULL;
	unsigned int n[_RECALL_VERDICT_MAX] = { 0 };
	char *json = NULL, *json2 = NULL;
	size_t i;
	int ret;

	if (argc != 4 || (strcmp(argv[2], "vin") != 0 && strcmp(argv[2], "iface") != 0)) {
		fprintf(stderr, "usage: station DB vin VIN | station DB iface IFACE\n");
		return 2;
	}
	ret = recall_db_open(argv[1], &db);
	if (ret < 0) {
		fprintf(stderr, "station: %s: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	if (strcmp(argv[2], "vin") == 0)
		ret = recall_check_vin(db, argv[3], &r);
	else
		ret = recall_check_iface(db, argv[3], &opts, &r);
	if (ret < 0) {
		fprintf(stderr, "station: %s: %s\n", argv[3], strerror(-ret));
		recall_db_free(db);
		return 1;
	}
	for (i = 0; i < r->n_campaigns; i++)
		if ((unsigned int)r->campaigns[i].verdict < _RECALL_VERDICT_MAX)
			n[r->campaigns[i].verdict]++;
	printf("status=%s vin=%s open=%u remedied=%u inspect=%u undetermined=%u\n",
	       recall_status_name(r->status), r->vin ? r->vin : "-", n[RECALL_VERDICT_OPEN],
	       n[RECALL_VERDICT_REMEDIED], n[RECALL_VERDICT_INSPECT],
	       n[RECALL_VERDICT_UNDETERMINED]);
	/* what the database says beyond the verdict sits in a parallel array (recall.h): the
	 * campaign records keep their size for programs built against the first librecall.so.0 */
	for (i = 0; i < r->n_campaigns; i++)
		printf("campaign %s %s make=%s reason=%s park_outside=%d\n", r->campaigns[i].id,
		       recall_verdict_name(r->campaigns[i].verdict),
		       r->campaign_info && r->campaign_info[i].make ? r->campaign_info[i].make : "-",
		       r->campaign_info && r->campaign_info[i].reason_code
			       ? r->campaign_info[i].reason_code : "-",
		       r->campaign_info &&
			       (r->campaign_info[i].flags & RECALL_CAMPAIGN_PARK_OUTSIDE) ? 1 : 0);
	ret = 1;
	{
		/* the technician's words, in English, through the public ABI */
		struct recall_render_opts ro = { .size = sizeof(ro), .language = "en" };
		char *text = NULL;
		const char *action;

		if (recall_report_render(r, RECALL_FORMAT_TEXT, &ro, &text) < 0 || !text) {
			fprintf(stderr, "station: no text\n");
			goto out;
		}
		action = strstr(text, ">>> ") ? strstr(text, ">>> ") : text;
		printf("text %.*s\n", (int)strcspn(action, "\n"), action);
		free(text);
	}
	if (recall_report_to_json(r, &json) < 0 ||
	    recall_report_from_json(json, strlen(json), &back) < 0 ||
	    recall_report_to_json(back, &json2) < 0 || strcmp(json, json2) != 0) {
		fprintf(stderr, "station: JSON and struct disagree\n");
		goto out;
	}
	printf("%s\n", json);
	printf("library %s\n", recall_version());
	ret = 0;
out:
	free(json);
	free(json2);
	recall_report_free(back);
	recall_report_free(r);
	recall_db_free(db);
	return ret;
}
