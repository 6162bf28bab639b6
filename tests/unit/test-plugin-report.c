/* Reports: JSON round trip (schema 2, and schema 1 reports still read), the technician's text
 * in German and English, the printable page, the files, reasons and errors as data rendered in
 * words, and rows of malformed report JSON that must be refused (the daemon parses what a check
 * child sends). */
#include <errno.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "plugin/cli.h"
#include "plugin/i18n.h"
#include "plugin/recall-internal.h"
#include "plugin/report-internal.h"

/* 2026-12-01 18:28:00 UTC: 19:28 in Germany (CET) */
#define T0 1796149680000LL

/* Central European time without tzdata: the tests must not depend on the machine's zone. */
static int set_tz(void **state)
{
	(void)state;
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
	return 0;
}

static void fact(struct recall_fact *f, const char *code, ...)
{
	va_list ap;
	const char *k, *v;

	assert_int_equal(report_fact_init(f, code), 0);
	va_start(ap, code);
	while ((k = va_arg(ap, const char *))) {
		v = va_arg(ap, const char *);
		assert_int_equal(report_fact_add(f, k, RECALL_PARAM_STRING, v), 0);
	}
	va_end(ap);
}

static void facts_done(struct recall_fact *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		report_fact_done(&f[i]);
}

/* A report with every optional field set. */
static struct recall_report *full(void)
{
	struct recall_report *r = report_new();
	struct recall_ecu *e;
	static const uint8_t bin[] = { 0x12, 0x09, 0x17 };
	struct recall_fact f[2], err;
	struct recall_database_info db = {
		.path = "/usr/share/recalld/recalls.rdb", .campaigns = 4, .listed_vins = 12,
		.written_by = "recallc 0.1.0", .checksum = "abf697f197322e46",
		.signer_key_id = "8f3a61c0d2e4b7a9", .signer_name = "BMW Werkstattdaten",
		.signer_state = "trusted",
	};
	struct recall_visit prev = {
		.finished_ms = T0 - 7 * 86400000LL, .iface = "vcan10", .bay_name = "Bühne 1",
		.status = RECALL_STATUS_COMPLETE, .order = "4700", .id = 41,
		.counts = { [RECALL_VERDICT_OPEN] = 2, [RECALL_VERDICT_NOT_AFFECTED] = 2 },
	};

	assert_non_null(r);
	assert_int_equal(report_set_str(&r->iface, "vcan3"), 0);
	assert_int_equal(report_set_str(&r->bay_name, "Bühne 2"), 0);
	assert_int_equal(report_set_str(&r->order, "4711"), 0);
	assert_int_equal(report_set_str(&r->plate, "M-AB 123"), 0);
	assert_int_equal(report_set_str(&r->vin, "WBA8E51060K734560"), 0);
	assert_int_equal(report_set_str(&r->build_date, "2012-09-17"), 0);
	assert_int_equal(report_set_str(&r->addressing, "bmw"), 0);
	assert_int_equal(report_set_str(&r->database, "recalls.rdb (4 campaigns, …)"), 0);
	assert_int_equal(report_set_db(r, &db), 0);
	assert_int_equal(report_set_previous(r, &prev), 0);
	r->history = RECALL_HISTORY_RECORDED;
	r->history_id = 42;
	r->started_ms = T0;
	r->finished_ms = T0 + 312;
	assert_int_equal(report_add_ecu(r, 0x61, "TCB", &e), 0);
	assert_int_equal(report_add_did(e, 0xF189, "11.0.2", 6), 0);
	assert_int_equal(report_add_did(e, 0xF18B, bin, sizeof(bin)), 0);
	assert_int_equal(report_add_ecu(r, 0x12, "DDE", &e), 0);
	assert_int_equal(report_add_did(e, 0xF187, "8578466-05", 10), 0);
	/* a uds11 ECU written as its request:response pair (can/ident.h) */
	assert_int_equal(report_add_ecu(r, 0x80000000u | 0x710u << 16 | 0x77A, "Gateway", &e), 0);
	assert_int_equal(report_add_did(e, 0xF190, "WBA8E51060K734560", 17), 0);

	fact(&f[0], "wmi", "part", "affected", "result", "true", "wmi", "WBA", NULL);
	fact(&f[1], "did_cmp", "part", "remedied", "result", "false", "ecu", "0x61", "did", "F189",
	     "value", "11.0.2", "op", ">=", "wanted", "15.2.0", NULL);
	assert_int_equal(report_add_campaign(r, &(struct campaign_in){
		.id = "6112150100", .title = "ConnectedDrive – Telematik",
		.text = "Software der Telematikeinheit aktualisieren.\nZeile 2",
		.verdict = RECALL_VERDICT_OPEN,
		.reason = "affected: WMI WBA; remedy not applied: 0x61:F189 \"11.0.2\" not >= \"15.2.0\"",
		.remedy = "Online-Aktualisierung.", .remedy_kind = "workshop",
		.recognition = "hotline", .recognition_text = "Nicht erkennbar.",
		.hotline = "0 89/ 1 25 01 60 10", .make = "BMW", .kba = "KBA-123",
		.nhtsa = "15V123000", .cost = "kostenlos", .labour = "etwa zwei Stunden",
		.start = "2012-08-01", .extends = "0011690200", .supersedes = "0011000000",
		.flags = RECALL_CAMPAIGN_DO_NOT_DRIVE | RECALL_CAMPAIGN_PARK_OUTSIDE,
		.reason_code = "open", .facts = f, .n_facts = 2 }), 0);
	facts_done(f, 2);
	fact(&f[0], "did_cmp", "part", "remedied", "result", "true", "ecu", "0x12", "did", "F189",
	     "value", "2.0", "op", ">=", "wanted", "2.0", NULL);
	assert_int_equal(report_add_campaign(r, &(struct campaign_in){
		.id = "0032580900", .title = "Generator", .verdict = RECALL_VERDICT_REMEDIED,
		.evidence = "0x12:F189 \"2.0\" >= \"2.0\"", .reason_code = "remedied",
		.facts = f, .n_facts = 1,
		/* a flag on a remedied campaign puts nothing in the box */
		.flags = RECALL_CAMPAIGN_DO_NOT_DRIVE }), 0);
	facts_done(f, 1);
	fact(&f[0], "build_date_unreadable", "part", "affected", "ecu", "0x12", "did", "F18B",
	     NULL);
	assert_int_equal(report_add_campaign(r, &(struct campaign_in){
		.id = "X1", .title = "Lenkgetriebe", .text = "Prüfen.",
		.verdict = RECALL_VERDICT_UNDETERMINED, .reason = "build date unreadable",
		.reason_code = "selection_unknown", .facts = f, .n_facts = 1,
		.hotline = "0800 123" }), 0);
	facts_done(f, 1);
	fact(&f[0], "wmi", "part", "affected", "result", "false", "wmi", "WBA", NULL);
	assert_int_equal(report_add_campaign(r, &(struct campaign_in){
		.id = "X2", .title = "Airbag", .verdict = RECALL_VERDICT_NOT_AFFECTED,
		.reason = "WMI WBA not concerned", .reason_code = "not_selected", .facts = f,
		.n_facts = 1 }), 0);
	facts_done(f, 1);
	/* an empty field is "not given", the same as NULL; a campaign needs its id */
	assert_int_equal(report_add_campaign(r, &(struct campaign_in){ .id = "",
		.verdict = RECALL_VERDICT_OPEN }), -EINVAL);
	assert_int_equal(report_add_campaign(r, &(struct campaign_in){ .id = "X3",
		.verdict = _RECALL_VERDICT_MAX }), -EINVAL);
	fact(&err, "no_answer", "step", "read_did", "ecu", "0x12", "did", "F18B", NULL);
	assert_int_equal(report_add_error_fact(r, "vcan0: ECU 0x12: read-did F18B: no answer within "
						  "50 ms", &err), 0);
	report_fact_done(&err);
	assert_int_equal(report_add_error(r, "an error from a writer without data"), 0);
	return r;
}

static void test_roundtrip(void **state)
{
	struct recall_report *r = full(), *back = NULL;
	char *json, *json2;

	(void)state;
	assert_int_equal(recall_report_to_json(r, &json), 0);
	assert_non_null(strstr(json, "\"schema_version\":2,"));
	assert_non_null(strstr(json, "\"verdict\":\"open\""));
	assert_non_null(strstr(json, "\"text\":\"11.0.2\""));
	assert_non_null(strstr(json, "\"hex\":\"120917\""));
	assert_non_null(strstr(json, "\"addr\":\"0x710:0x77A\""));
	assert_non_null(strstr(json, "\"summary\":{\"open\":1,\"inspect\":0,\"remedied\":1,"
				     "\"not_affected\":1,\"undetermined\":1}"));
	assert_non_null(strstr(json, "\"bay_name\":\"Bühne 2\",\"order\":\"4711\","
				     "\"plate\":\"M-AB 123\""));
	assert_non_null(strstr(json, "\"vehicle\":{\"make\":\"BMW\",\"model_years\":[],"
				     "\"build_date\":\"2012-09-17\"}"));
	assert_non_null(strstr(json, "\"database\":{\"path\":\"/usr/share/recalld/recalls.rdb\","
				     "\"campaigns\":4,\"listed_vins\":12,\"written_by\":\"recallc "
				     "0.1.0\",\"checksum\":\"abf697f197322e46\",\"signer\":{\"key_id\":"
				     "\"8f3a61c0d2e4b7a9\",\"name\":\"BMW Werkstattdaten\","
				     "\"state\":\"trusted\"}"));
	assert_non_null(strstr(json, "\"history\":{\"state\":\"recorded\",\"id\":42,"));
	assert_non_null(strstr(json, "\"previous\":{\"id\":41,"));
	assert_non_null(strstr(json, "\"make\":\"BMW\",\"kba\":\"KBA-123\",\"nhtsa\":\"15V123000\","
				     "\"cost\":\"kostenlos\",\"labour\":\"etwa zwei Stunden\","
				     "\"start\":\"2012-08-01\",\"extends\":\"0011690200\","
				     "\"supersedes\":\"0011000000\",\"do_not_drive\":true,"
				     "\"park_outside\":true,\"reason_code\":\"open\","
				     "\"reason_facts\":[{\"code\":\"wmi\",\"part\":\"affected\","
				     "\"result\":\"true\",\"wmi\":\"WBA\"},{\"code\":\"did_cmp\""));
	/* the English string stays beside the data */
	assert_non_null(strstr(json, "\"reason\":\"affected: WMI WBA; remedy not applied"));
	assert_non_null(strstr(json, "\"errors\":[\"vcan0: ECU 0x12: read-did F18B"));
	assert_non_null(strstr(json, "\"error_facts\":[{\"code\":\"no_answer\",\"step\":"
				     "\"read_did\",\"ecu\":\"0x12\",\"did\":\"F18B\"},null]"));
	assert_null(strstr(json, "\"title\":\"\""));
	assert_int_equal(recall_report_from_json(json, strlen(json), &back), 0);
	assert_int_equal(recall_report_to_json(back, &json2), 0);
	assert_string_equal(json, json2);
	assert_int_equal(back->schema_version, 2);
	assert_int_equal(back->ecus[0].dids[1].len, 3);
	assert_int_equal(back->ecus[0].dids[1].data[2], 0x17);
	assert_int_equal(back->ecus[2].addr, 0x8710077Au);
	assert_int_equal(back->n_errors, 2);
	assert_string_equal(back->campaigns[0].hotline, "0 89/ 1 25 01 60 10");
	assert_int_equal(back->campaigns[2].verdict, RECALL_VERDICT_UNDETERMINED);
	assert_int_equal(back->campaign_info[0].flags,
			 RECALL_CAMPAIGN_DO_NOT_DRIVE | RECALL_CAMPAIGN_PARK_OUTSIDE);
	assert_string_equal(back->campaign_info[0].facts[1].params[4].value, "11.0.2");
	assert_string_equal(back->db->signer_key_id, "8f3a61c0d2e4b7a9");
	assert_string_equal(back->previous->bay_name, "Bühne 1");
	assert_int_equal(back->previous->counts[RECALL_VERDICT_OPEN], 2);
	free(json);
	free(json2);
	recall_report_free(back);
	recall_report_free(r);
	assert_null(recall_report_free(NULL));
}

/* A schema 1 report (as recalld wrote them before): no schema_version, database a string. */
static void test_schema1(void **state)
{
	static const char old[] =
		"{\"iface\":\"vcan0\",\"vin\":\"WBY1Z41060V512345\",\"addressing\":\"bmw\","
		"\"status\":\"complete\",\"error\":null,\"started\":\"2026-11-25T01:30:00Z\","
		"\"started_ms\":1764034200123,\"finished_ms\":1764034200456,\"duration_ms\":333,"
		"\"database\":\"recalls.rdb (4 campaigns, 0 listed VINs, written by recallc 0.1.0, "
		"checksum abf697f197322e46)\",\"ecus\":[{\"addr\":\"0x61\",\"name\":null,\"dids\":"
		"[{\"did\":\"F189\",\"hex\":\"31312E302E32\",\"text\":\"11.0.2\"}]}],"
		"\"campaigns\":[{\"id\":\"6112150100\",\"title\":\"T\",\"text\":null,"
		"\"verdict\":\"open\",\"reason\":\"affected: WMI WBY\",\"remedy\":null,"
		"\"remedy_kind\":\"ota\",\"recognition\":\"hotline\",\"recognition_text\":null,"
		"\"hotline\":\"0 89\",\"evidence\":null}],\"errors\":[\"x\"],"
		"\"summary\":{\"open\":1,\"inspect\":0,\"remedied\":0,\"not_affected\":0,"
		"\"undetermined\":0}}";
	struct recall_report *r;
	char *json, *text;

	(void)state;
	assert_int_equal(recall_report_from_json(old, strlen(old), &r), 0);
	assert_int_equal(r->schema_version, 1);
	assert_null(r->db);
	assert_string_equal(r->database, "recalls.rdb (4 campaigns, 0 listed VINs, written by "
					 "recallc 0.1.0, checksum abf697f197322e46)");
	assert_null(r->campaign_info[0].reason_code);
	assert_int_equal(recall_report_to_json(r, &json), 0);
	/* written as schema 2: database an object that keeps the old line */
	assert_non_null(strstr(json, "\"schema_version\":2,"));
	assert_non_null(strstr(json, "\"database\":{\"path\":null,\"campaigns\":null,"
				     "\"listed_vins\":null,\"written_by\":null,\"checksum\":null,"
				     "\"signer\":null,\"description\":\"recalls.rdb (4 campaigns"));
	/* the text shows the old report's own words for what it has no data for */
	assert_int_equal(recall_report_to_text(r, &text), 0);
	assert_non_null(strstr(text, "Begründung (Originaltext der Datenbank): affected: WMI WBY"));
	assert_non_null(strstr(text, "Datenbank:        recalls.rdb (4 campaigns"));
	free(text);
	free(json);
	recall_report_free(r);
}

/* A list item of the text wraps at 100 columns onto lines indented by 8: joined again, for
 * comparing whole items. */
static char *unwrap(const char *t)
{
	char *u = strdup(t), *p;

	assert_non_null(u);
	while ((p = strstr(u, "\n        ")))
		memmove(p, p + 8, strlen(p + 8) + 1), *p = ' ';
	return u;
}

static char *render(const struct recall_report *r, enum recall_format f, const char *lang,
		    const char *workshop)
{
	struct recall_render_opts o = { .size = sizeof(o), .language = lang, .workshop = workshop };
	char *out = NULL;

	assert_int_equal(recall_report_render(r, f, &o, &out), 0);
	return out;
}

/* Words that must not appear in a German report (the manufacturer texts of the sample are
 * German, its data values are not English words). */
static const char *const english[] = {
	"open", "Open", "OPEN", "affected", "remedy", "Remedy", "complete", "inspect", "unclear",
	"Reason", "Vehicle", "Checked", "Result", "campaign", "written by", "checksum", "signed",
	"typed in", "model year", "build date", "order", "plate", "Recognised", "Labour", "Cost",
	"make ", "started", "Database", "ECUs", "History", "Last checked", "applies", "unknown",
	"wanted", "read ", "VIN", "action", "workshop", "needed", "not ", "Not ", "hotline ",
	"software", "spare part", "manufacturing", "selection", "no answer", "DO NOT", "PARK",
	"outside", "Defect", "Evidence", "trusted", "key ",
};

static void test_text_de(void **state)
{
	struct recall_report *r = full();
	char *t, *line, *u;
	const char *box, *action;

	(void)state;
	assert_int_equal(recall_report_to_text(r, &t), 0);
	/* the box comes first, before the action line, and names the campaign and its verdict */
	box = strstr(t, "!! NICHT FAHREN — Fahrzeug nicht bewegen");
	action = strstr(t, ">>> 1 offene Aktion — Werkstatttermin nötig; 1 unklar\n");
	assert_non_null(box);
	assert_non_null(action);
	assert_true(box < action);
	assert_non_null(strstr(t, "!! IM FREIEN ABSTELLEN — Brandgefahr"));
	assert_non_null(strstr(t, "!!    6112150100 – ConnectedDrive – Telematik (offen)\n"));
	/* remedied campaigns do not put the car in the box */
	assert_null(strstr(t, "!!    0032580900"));
	assert_non_null(strstr(t, "Rückrufprüfung · Bühne 2 (vcan3)\n"));
	assert_non_null(strstr(t, "Fahrzeug:         FIN WBA8E51060K734560 · BMW · gebaut 17.09.2012\n"));
	assert_non_null(strstr(t, "Auftrag:          4711 · Kennzeichen M-AB 123\n"));
	assert_non_null(strstr(t, "Geprüft:          01.12.2026, 19:28 Uhr (0,3 s) · vollständig\n"));
	assert_non_null(strstr(t, "Zuletzt geprüft:  am 24.11.2026, 19:28 Uhr an Bühne 1 (vcan10), "
				  "Auftrag 4700: 2 offen · 0 zu prüfen · 0 unklar · 0 erledigt · "
				  "2 nicht betroffen\n"));
	assert_non_null(strstr(t, "Ergebnis:         1 offen · 0 zu prüfen · 1 unklar · 1 erledigt · "
				  "1 nicht betroffen\n"));
	assert_non_null(strstr(t, "Datenbank:        /usr/share/recalld/recalls.rdb · 4 Aktionen · "
				  "12 gelistete FIN · erstellt mit recallc 0.1.0\n"));
	assert_non_null(strstr(t, "Prüfsumme abf697f197322e46 · signiert mit Schlüssel "
				  "8f3a61c0d2e4b7a9 (BMW Werkstattdaten), vertrauenswürdig\n"));
	u = unwrap(t);
	assert_non_null(strstr(u, "[OFFEN] 6112150100 – ConnectedDrive – Telematik\n"
				  "    Hersteller BMW · KBA-Referenz KBA-123 · NHTSA-Kampagne 15V123000"
				  " · Aktionsbeginn 01.08.2012\n"
				  "    !! nicht fahren\n    !! im Freien abstellen (Brandgefahr)\n"
				  "    Begründung: Betroffen, Abhilfe nicht durchgeführt.\n"
				  "      – Auswahl: Herstellerkennung (WMI) WBA — trifft zu\n"
				  "      – Abhilfe: Steuergerät 0x61 TCB, F189 Softwareversion: gelesen "
				  "„11.0.2“, verlangt ≥ „15.2.0“ — trifft nicht zu\n"));
	free(u);
	assert_non_null(strstr(t, "    Mangel:\n      Software der Telematikeinheit aktualisieren.\n"
				  "      Zeile 2\n"));
	assert_non_null(strstr(t, "    Abhilfe (in der Werkstatt):\n      Online-Aktualisierung.\n"));
	assert_non_null(strstr(t, "    Arbeitszeit: etwa zwei Stunden · Kosten: kostenlos\n"));
	assert_non_null(strstr(t, "    Erkennung: Hotline des Herstellers – Nicht erkennbar.\n"));
	assert_non_null(strstr(t, "    Hotline: 0 89/ 1 25 01 60 10\n"));
	assert_non_null(strstr(t, "    erweitert Aktion 0011690200 · ersetzt Aktion 0011000000\n"));
	assert_non_null(strstr(t, "[UNKLAR] X1 – Lenkgetriebe\n    Begründung: Ob das Fahrzeug "
				  "betroffen ist, lässt sich nicht entscheiden.\n      – Auswahl: "
				  "Baudatum nicht lesbar: Steuergerät 0x12 DDE, F18B Herstelldatum\n"
				  "      – Hotline anrufen: 0800 123\n"));
	assert_non_null(strstr(t, "[NICHT BETROFFEN] X2 – Airbag\n    Begründung: Nicht betroffen."
				  "\n      – Auswahl: Herstellerkennung (WMI) WBA — trifft nicht zu\n"));
	assert_non_null(strstr(t, "Nicht gelesen\n-------------\n  Steuergerät 0x12 DDE, F18B "
				  "Herstelldatum: keine Antwort\n"));
	assert_non_null(strstr(t, "    F189 Softwareversion"));
	assert_non_null(strstr(t, "    F18B Herstelldatum                      120917 (hex)\n"));
	assert_non_null(strstr(t, "    F187 Ersatzteilnummer                   \"8578466-05\"\n"));
	assert_non_null(strstr(t, "0x710:0x77A Gateway\n    F190 FIN"));
	/* open before undetermined before remedied before not affected */
	assert_true(strstr(t, "[OFFEN]") < strstr(t, "[UNKLAR]"));
	assert_true(strstr(t, "[UNKLAR]") < strstr(t, "[ERLEDIGT]"));
	assert_true(strstr(t, "[ERLEDIGT]") < strstr(t, "[NICHT BETROFFEN]"));
	/* all German: the one English line left is data — an error from a writer that gave
	 * no data for it, shown in its own words */
	{
		const char *keep = "an error from a writer without data";
		char *copy = strdup(t), *k = strstr(copy, keep);

		assert_non_null(k);
		memset(k, '#', strlen(keep));
		for (size_t i = 0; i < sizeof(english) / sizeof(english[0]); i++) {
			const char *hit = strstr(copy, english[i]);

			if (hit)
				fail_msg("English '%s' in the German report: ...%.60s", english[i],
					 hit);
		}
		free(copy);
	}
	assert_int_equal(report_summary_line(r, &line), 0);
	assert_string_equal(line, "vcan3: VIN WBA8E51060K734560: complete: 1 open, 0 inspect, "
				  "1 undetermined, 1 remedied");
	free(line);
	free(t);
	recall_report_free(r);
}

static void test_text_en(void **state)
{
	struct recall_report *r = full();
	char *t = render(r, RECALL_FORMAT_TEXT, "en", NULL), *u;

	(void)state;
	assert_non_null(strstr(t, "!! DO NOT DRIVE — do not move the car"));
	assert_non_null(strstr(t, ">>> 1 open action — workshop appointment needed; 1 unclear\n"));
	assert_non_null(strstr(t, "Vehicle:          VIN WBA8E51060K734560 · BMW · built 2012-09-17\n"));
	assert_non_null(strstr(t, "Checked:          2026-12-01 19:28 (0.3 s) · complete\n"));
	assert_non_null(strstr(t, "Result:           1 open · 0 to inspect · 1 unclear · 1 remedied · "
				  "1 not affected\n"));
	u = unwrap(t);
	assert_non_null(strstr(u, "    Reason: Affected, the remedy is not applied.\n"
				  "      – selection: manufacturer code (WMI) WBA — applies\n"
				  "      – remedy: ECU 0x61 TCB, F189 software version: read \"11.0.2\", "
				  "wanted ≥ \"15.2.0\" — does not apply\n"));
	free(u);
	assert_non_null(strstr(t, "    F187 spare part number"));
	assert_null(strstr(t, "Rückruf"));
	assert_null(strstr(t, "Fahrzeug"));
	assert_null(strstr(t, "offen"));
	free(t);
	/* the same words by the other spellings of the language; an unknown one is refused */
	t = render(r, RECALL_FORMAT_TEXT, "en_GB.UTF-8", NULL);
	assert_non_null(strstr(t, "Vehicle:"));
	free(t);
	{
		struct recall_render_opts o = { .size = sizeof(o), .language = "fr" };
		char *x = (char *)(uintptr_t)1;

		assert_int_equal(recall_report_render(r, RECALL_FORMAT_TEXT, &o, &x), -EINVAL);
		assert_ptr_equal(x, (char *)(uintptr_t)1);
	}
	recall_report_free(r);
}

/* Tags and markup removed, entities of the page decoded, blanks folded: the page's words, for
 * comparing them with the text's. */
static char *page_words(const char *h)
{
	const char *body = strstr(h, "<body");
	char *out = malloc(strlen(h) + 1), *o = out;
	bool blank = true;

	assert_non_null(body);
	assert_non_null(out);
	for (const char *p = body; *p; p++) {
		static const struct {
			const char *ent, *ch;
		} ents[] = { { "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" },
			     { "&#39;", "'" } };
		const char *add = NULL;
		size_t skip = 0;

		if (*p == '<') {
			p = strchr(p, '>');
			assert_non_null(p);
			add = " ";
		} else if (*p == '&') {
			for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]) && !add; i++)
				if (!strncmp(p, ents[i].ent, strlen(ents[i].ent))) {
					add = ents[i].ch;
					skip = strlen(ents[i].ent) - 1;
				}
			assert_non_null(add);
		}
		if (!add) {
			static char one[2];

			one[0] = *p == '\n' ? ' ' : *p;
			add = one;
		}
		p += skip;
		if (*add == ' ' && blank)
			continue;
		blank = *add == ' ';
		o = stpcpy(o, add);
	}
	*o = 0;
	return out;
}

/* Every English and German word list a report may not hold in the other language: each word of
 * the test's own German rendering that is not also data must be absent from the English one. */
static const char *const german[] = {
	"Rückruf", "Fahrzeug", "offen", "zu prüfen", "unklar", "erledigt", "betroffen", "Geprüft",
	"Ergebnis", "Datenbank", "Aktion", "Begründung", "Abhilfe", "Auswahl", "trifft", "gelesen",
	"verlangt", "Steuergerät", "Softwareversion", "Ersatzteilnummer", "Herstelldatum", "Hersteller",
	"Arbeitszeit", "Kosten", "Erkennung", "erweitert", "ersetzt", "Auftrag", "Kennzeichen",
	"Zuletzt", "vollständig", "FEHLGESCHLAGEN", "eingegeben", "Prüfsumme", "signiert",
	"Schlüssel", "FIN", "Uhr", "gebaut", "Modelljahr", "Werkstatt", "nötig", "NICHT FAHREN",
	"FREIEN", "Brandgefahr", "Nicht gelesen", "keine Antwort", "Unterschrift", "Datum",
	"Mechaniker", "Bühne 2 ·", "Zeitpunkt",
};

/* The English renderings of a report are English: none of the German words of the catalogue
 * that the report's own data does not carry. */
static void assert_english(const char *what, const char *t)
{
	for (size_t i = 0; i < sizeof(german) / sizeof(german[0]); i++) {
		const char *hit = strstr(t, german[i]);

		if (hit)
			fail_msg("%s: German '%s' in the English report: ...%.60s", what, german[i],
				 hit);
	}
}

/* The German renderings are German: none of the English words (data blanked out by the
 * caller). */
static void assert_german(const char *what, const char *t)
{
	for (size_t i = 0; i < sizeof(english) / sizeof(english[0]); i++) {
		const char *hit = strstr(t, english[i]);

		if (hit)
			fail_msg("%s: English '%s' in the German report: ...%.60s", what, english[i],
				 hit);
	}
}

/* The full report in English, every line a technician reads, and the page in both languages
 * with every optional field the text has. */
static void test_full_both(void **state)
{
	struct recall_report *r = full();
	char *t, *h, *w, *u;

	(void)state;
	t = render(r, RECALL_FORMAT_TEXT, "en", NULL);
	u = unwrap(t);
	assert_non_null(strstr(t, "Recall check · Bühne 2 (vcan3)\n"));
	assert_non_null(strstr(t, "!! PARK OUTSIDE — fire risk"));
	assert_non_null(strstr(t, "!!    6112150100 – ConnectedDrive – Telematik (open)\n"));
	assert_non_null(strstr(t, "Order:            4711 · plate M-AB 123\n"));
	assert_non_null(strstr(t, "Last checked:     on 2026-11-24 19:28 at Bühne 1 (vcan10), "
				  "order 4700: 2 open · 0 to inspect · 0 unclear · 0 remedied · "
				  "2 not affected\n"));
	assert_non_null(strstr(t, "Database:         /usr/share/recalld/recalls.rdb · 4 campaigns · "
				  "12 listed VINs · written by recallc 0.1.0\n"));
	assert_non_null(strstr(t, "checksum abf697f197322e46 · signed with key 8f3a61c0d2e4b7a9 "
				  "(BMW Werkstattdaten), trusted\n"));
	assert_non_null(strstr(u, "[OPEN] 6112150100 – ConnectedDrive – Telematik\n"
				  "    make BMW · KBA reference KBA-123 · NHTSA campaign 15V123000 · "
				  "campaign started 2012-08-01\n"
				  "    !! do not drive\n    !! park outside (fire risk)\n"));
	assert_non_null(strstr(t, "    Defect:\n      Software der Telematikeinheit aktualisieren.\n"
				  "      Zeile 2\n"));
	assert_non_null(strstr(t, "    Remedy (in the workshop):\n      Online-Aktualisierung.\n"));
	assert_non_null(strstr(t, "    Labour: etwa zwei Stunden · Cost: kostenlos\n"));
	assert_non_null(strstr(t, "    Recognised by: manufacturer's hotline – Nicht erkennbar.\n"));
	assert_non_null(strstr(t, "    Hotline: 0 89/ 1 25 01 60 10\n"));
	assert_non_null(strstr(t, "    extends campaign 0011690200 · supersedes campaign 0011000000\n"));
	assert_non_null(strstr(u, "[UNCLEAR] X1 – Lenkgetriebe\n    Reason: Whether the car is "
				  "affected cannot be decided.\n      – selection: build date "
				  "unreadable: ECU 0x12 DDE, F18B manufacturing date\n"
				  "      – call the hotline 0800 123\n"));
	assert_non_null(strstr(t, "[REMEDIED] 0032580900 – Generator\n"));
	assert_non_null(strstr(t, "[NOT AFFECTED] X2 – Airbag\n    Reason: Not affected.\n"
				  "      – selection: manufacturer code (WMI) WBA — does not apply\n"));
	assert_non_null(strstr(t, "Not read\n--------\n  ECU 0x12 DDE, F18B manufacturing date: "
				  "no answer\n"));
	assert_non_null(strstr(t, "    F18B manufacturing date                 120917 (hex)\n"));
	assert_non_null(strstr(t, "0x710:0x77A Gateway\n    F190 VIN"));
	/* nothing German but the data: the manufacturer's texts, the bay's names */
	{
		static const char *const data[] = {
			"Software der Telematikeinheit aktualisieren.", "Zeile 2",
			"Online-Aktualisierung.", "etwa zwei Stunden", "kostenlos", "Nicht erkennbar.",
			"Lenkgetriebe", "Prüfen.", "BMW Werkstattdaten", "Bühne 1", "Bühne 2",
		};
		char *copy = strdup(t);

		for (size_t i = 0; i < sizeof(data) / sizeof(data[0]); i++)
			for (char *k = copy; (k = strstr(k, data[i]));)
				memset(k, '#', strlen(data[i]));
		assert_english("text", copy);
		free(copy);
	}
	free(u);
	free(t);

	for (int lang = 0; lang < 2; lang++) {
		h = render(r, RECALL_FORMAT_HTML, lang ? "en" : "de", "Autohaus Muster");
		w = page_words(h);
		if (lang) {
			assert_non_null(strstr(w, "Order 4711 · plate M-AB 123 "));
			assert_non_null(strstr(w, "Last checked on 2026-11-24 19:28 at Bühne 1"));
			assert_non_null(strstr(w, "Result 1 open · 0 to inspect · 1 unclear · "
						  "1 remedied · 1 not affected "));
			assert_non_null(strstr(w, "make BMW · KBA reference KBA-123 · NHTSA campaign "
						  "15V123000 · campaign started 2012-08-01 "));
			assert_non_null(strstr(w, "Labour: etwa zwei Stunden · Cost: kostenlos "));
			assert_non_null(strstr(w, "extends campaign 0011690200 · supersedes campaign "
						  "0011000000 "));
			assert_non_null(strstr(w, "signed with key 8f3a61c0d2e4b7a9"));
			assert_non_null(strstr(w, "F187 spare part number 8578466-05 "));
			assert_non_null(strstr(w, "ECU 0x12 DDE, F18B manufacturing date: no answer"));
			assert_non_null(strstr(w, "VIN WBA8E51060K734560 · BMW · built 2012-09-17 "));
		} else {
			assert_non_null(strstr(w, "Auftrag 4711 · Kennzeichen M-AB 123 "));
			assert_non_null(strstr(w, "Zuletzt geprüft am 24.11.2026, 19:28 Uhr an Bühne 1"));
			assert_non_null(strstr(w, "Ergebnis 1 offen · 0 zu prüfen · 1 unklar · "
						  "1 erledigt · 1 nicht betroffen "));
			assert_non_null(strstr(w, "Hersteller BMW · KBA-Referenz KBA-123 · "
						  "NHTSA-Kampagne 15V123000 · Aktionsbeginn "
						  "01.08.2012 "));
			assert_non_null(strstr(w, "Arbeitszeit: etwa zwei Stunden · Kosten: "
						  "kostenlos "));
			assert_non_null(strstr(w, "erweitert Aktion 0011690200 · ersetzt Aktion "
						  "0011000000 "));
			assert_non_null(strstr(w, "signiert mit Schlüssel 8f3a61c0d2e4b7a9"));
			assert_non_null(strstr(w, "F187 Ersatzteilnummer 8578466-05 "));
			assert_non_null(strstr(w, "Steuergerät 0x12 DDE, F18B Herstelldatum: "
						  "keine Antwort"));
			assert_non_null(strstr(w, "FIN WBA8E51060K734560 · BMW · gebaut 17.09.2012 "));
		}
		{
			static const char *const data[] = {
				"Software der Telematikeinheit aktualisieren.", "Zeile 2",
				"Online-Aktualisierung.", "etwa zwei Stunden", "kostenlos",
				"Nicht erkennbar.", "Lenkgetriebe", "Prüfen.", "BMW Werkstattdaten",
				"Bühne 1", "Bühne 2", "Autohaus Muster", "ConnectedDrive – Telematik",
				"an error from a writer without data", "Generator", "Airbag",
				"Gateway",
			};

			for (size_t i = 0; i < sizeof(data) / sizeof(data[0]); i++)
				for (char *k = w; (k = strstr(k, data[i]));)
					memset(k, '#', strlen(data[i]));
			if (lang)
				assert_english("page", w);
			else
				assert_german("page", w);
		}
		free(w);
		free(h);
	}
	recall_report_free(r);
}

/* A report with no optional field: a failed check with nothing read — in both languages, as
 * text, page and JSON; and the same report without a time (a report file that has none). */
static void test_minimal(void **state)
{
	struct recall_report *r = report_new();
	char *t, *json, *html, *w;

	(void)state;
	r->status = RECALL_STATUS_FAILED;
	r->started_ms = T0;
	r->finished_ms = T0;
	assert_int_equal(recall_report_to_text(r, &t), 0);
	assert_string_equal(t, "Rückrufprüfung\n"
			       "==============================================================\n"
			       ">>> Prüfung fehlgeschlagen — Fahrzeug erneut anschließen und erneut "
			       "prüfen\n\n"
			       "Fahrzeug:         FIN nicht gelesen\n"
			       "Geprüft:          01.12.2026, 19:28 Uhr (0,0 s) · FEHLGESCHLAGEN\n"
			       "Daten:            eingegeben, nicht vom Fahrzeug gelesen\n"
			       "Ergebnis:         0 offen · 0 zu prüfen · 0 unklar · 0 erledigt · "
			       "0 nicht betroffen\n");
	free(t);
	t = render(r, RECALL_FORMAT_TEXT, "en", NULL);
	assert_string_equal(t, "Recall check\n"
			       "==============================================================\n"
			       ">>> check failed — connect the car again and repeat the check\n\n"
			       "Vehicle:          VIN not read\n"
			       "Checked:          2026-12-01 19:28 (0.0 s) · FAILED\n"
			       "Data:             typed in, not read from the car\n"
			       "Result:           0 open · 0 to inspect · 0 unclear · 0 remedied · "
			       "0 not affected\n");
	free(t);
	assert_int_equal(recall_report_to_json(r, &json), 0);
	assert_non_null(strstr(json, "\"iface\":null,\"bay_name\":null,\"order\":null,\"plate\":null,"
				     "\"vin\":null,\"vehicle\":null,"));
	assert_non_null(strstr(json, "\"error\":null,\"error_code\":null,\"error_fact\":null,"));
	assert_non_null(strstr(json, "\"database\":null,\"history\":null,\"ecus\":[],"
				     "\"campaigns\":[],\"errors\":[],\"error_facts\":[]"));
	free(json);
	html = render(r, RECALL_FORMAT_HTML, NULL, NULL);
	assert_non_null(strstr(html, "<html lang=\"de\">"));
	assert_non_null(strstr(html, "</html>\n"));
	assert_null(strstr(html, "class=\"workshop\""));
	assert_null(strstr(html, "class=\"safety\""));
	w = page_words(html);
	assert_non_null(strstr(w, "Prüfung fehlgeschlagen — Fahrzeug erneut anschließen und "
				  "erneut prüfen "));
	assert_non_null(strstr(w, "Fahrzeug FIN nicht gelesen Geprüft 01.12.2026, 19:28 Uhr "
				  "(0,0 s) · FEHLGESCHLAGEN Daten eingegeben, nicht vom Fahrzeug "
				  "gelesen Ergebnis 0 offen · 0 zu prüfen · 0 unklar · 0 erledigt · "
				  "0 nicht betroffen "));
	/* no heading of a part the report does not have */
	assert_null(strstr(w, "Rückrufaktionen"));
	assert_null(strstr(w, "Nicht gelesen"));
	assert_null(strstr(w, "Steuergeräte"));
	assert_null(strstr(w, "Datenbank"));
	assert_german("minimal page", w);
	free(w);
	free(html);
	html = render(r, RECALL_FORMAT_HTML, "en", NULL);
	w = page_words(html);
	assert_non_null(strstr(w, "Vehicle VIN not read Checked 2026-12-01 19:28 (0.0 s) · FAILED "
				  "Data typed in, not read from the car Result 0 open · 0 to inspect · "
				  "0 unclear · 0 remedied · 0 not affected "));
	assert_english("minimal page", w);
	free(w);
	free(html);

	/* a report that does not say when it was made shows no date it does not have */
	r->started_ms = 0;
	r->finished_ms = 0;
	t = render(r, RECALL_FORMAT_TEXT, "de", NULL);
	assert_non_null(strstr(t, "Geprüft:          Zeitpunkt nicht erfasst · FEHLGESCHLAGEN\n"));
	free(t);
	t = render(r, RECALL_FORMAT_TEXT, "en", NULL);
	assert_non_null(strstr(t, "Checked:          time not recorded · FAILED\n"));
	free(t);
	html = render(r, RECALL_FORMAT_HTML, NULL, NULL);
	assert_null(strstr(html, "1970"));
	free(html);
	/* a finish before the start (a clock set back, a hand-made file) is no duration */
	r->started_ms = T0;
	r->finished_ms = T0 - 5000;
	t = render(r, RECALL_FORMAT_TEXT, "de", NULL);
	assert_non_null(strstr(t, "Geprüft:          01.12.2026, 19:28 Uhr · FEHLGESCHLAGEN\n"));
	free(t);
	recall_report_free(r);
}

/* A complete check whose campaigns have nothing but an id and a verdict, no ECU, no database
 * and no history: nothing is printed for what is not there (no empty heading, no "(null)", no
 * dangling separator), in both languages, as text and page; the JSON has every optional member
 * as null and reads back the same. */
static void test_bare_campaigns(void **state)
{
	static const enum recall_verdict v[] = {
		RECALL_VERDICT_OPEN, RECALL_VERDICT_INSPECT, RECALL_VERDICT_UNDETERMINED,
		RECALL_VERDICT_REMEDIED, RECALL_VERDICT_NOT_AFFECTED,
	};
	struct recall_report *r = report_new(), *back;
	char *t, *json, *json2, *h, *w;

	(void)state;
	r->status = RECALL_STATUS_COMPLETE;
	r->started_ms = T0;
	r->finished_ms = T0 + 1000;
	assert_int_equal(report_set_str(&r->vin, "WBA8E51060K734560"), 0);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char id[8];

		snprintf(id, sizeof(id), "C%zu", i);
		assert_int_equal(report_add_campaign(r, &(struct campaign_in){ .id = id,
			.verdict = v[i] }), 0);
	}
	assert_int_equal(recall_report_to_text(r, &t), 0);
	assert_string_equal(t, "Rückrufprüfung\n"
			       "==============================================================\n"
			       ">>> 1 offene Aktion, 1 zu prüfen — Werkstatttermin nötig; 1 unklar\n\n"
			       "Fahrzeug:         FIN WBA8E51060K734560 · BMW\n"
			       "Geprüft:          01.12.2026, 19:28 Uhr (1,0 s) · vollständig\n"
			       "Daten:            eingegeben, nicht vom Fahrzeug gelesen\n"
			       "Ergebnis:         1 offen · 1 zu prüfen · 1 unklar · 1 erledigt · "
			       "1 nicht betroffen\n"
			       "\nRückrufaktionen\n---------------\n"
			       "[OFFEN] C0\n\n[PRÜFEN] C1\n\n[UNKLAR] C2\n\n[ERLEDIGT] C3\n\n"
			       "[NICHT BETROFFEN] C4\n");
	free(t);
	t = render(r, RECALL_FORMAT_TEXT, "en", NULL);
	assert_string_equal(t, "Recall check\n"
			       "==============================================================\n"
			       ">>> 1 open action, 1 to inspect — workshop appointment needed; "
			       "1 unclear\n\n"
			       "Vehicle:          VIN WBA8E51060K734560 · BMW\n"
			       "Checked:          2026-12-01 19:28 (1.0 s) · complete\n"
			       "Data:             typed in, not read from the car\n"
			       "Result:           1 open · 1 to inspect · 1 unclear · 1 remedied · "
			       "1 not affected\n"
			       "\nRecall campaigns\n----------------\n"
			       "[OPEN] C0\n\n[INSPECT] C1\n\n[UNCLEAR] C2\n\n[REMEDIED] C3\n\n"
			       "[NOT AFFECTED] C4\n");
	free(t);
	for (int lang = 0; lang < 2; lang++) {
		h = render(r, RECALL_FORMAT_HTML, lang ? "en" : "de", NULL);
		assert_null(strstr(h, "(null)"));
		w = page_words(h);
		for (size_t i = 0; i < 5; i++) {
			char id[8];

			snprintf(id, sizeof(id), "C%zu", i);
			assert_non_null(strstr(w, id));
		}
		assert_null(strstr(w, " – "));
		assert_null(strstr(w, "·  "));
		assert_null(strstr(w, ": ·"));
		if (lang)
			assert_english("bare page", w);
		else
			assert_german("bare page", w);
		free(w);
		free(h);
	}
	assert_int_equal(recall_report_to_json(r, &json), 0);
	assert_non_null(strstr(json, "{\"id\":\"C0\",\"title\":null,\"text\":null,"
				     "\"verdict\":\"open\",\"reason\":null,\"remedy\":null,"
				     "\"remedy_kind\":null,\"recognition\":null,"
				     "\"recognition_text\":null,\"hotline\":null,\"evidence\":null,"
				     "\"make\":null,\"kba\":null,\"nhtsa\":null,\"cost\":null,"
				     "\"labour\":null,\"start\":null,\"extends\":null,"
				     "\"supersedes\":null,\"do_not_drive\":false,"
				     "\"park_outside\":false,\"reason_code\":null,"
				     "\"reason_facts\":[]}"));
	assert_int_equal(recall_report_from_json(json, strlen(json), &back), 0);
	assert_int_equal(recall_report_to_json(back, &json2), 0);
	assert_string_equal(json, json2);
	free(json);
	free(json2);
	recall_report_free(back);
	recall_report_free(r);
}

/* A check the history could not take (a full disk): the report says so in the reader's language
 * — the database's own English message stays in the JSON and the log, the text and page say
 * what it means; a cause this reader does not know shows the message. */
static void test_history_missing(void **state)
{
	static const struct {
		const char *code, *de, *en;
	} rows[] = {
		{ "disk_full", "diese Prüfung FEHLT im Verlauf (Datenträger voll)",
		  "this check is MISSING from the history (the disk is full)" },
		{ "unavailable", "diese Prüfung FEHLT im Verlauf (Verlauf kann nicht geöffnet werden)",
		  "this check is MISSING from the history (the history cannot be opened)" },
		{ "failed", "diese Prüfung FEHLT im Verlauf (vom Verlauf abgelehnt)",
		  "this check is MISSING from the history (the history refused it)" },
		{ "brand_new", "diese Prüfung FEHLT im Verlauf (database or disk is full)",
		  "this check is MISSING from the history (database or disk is full)" },
		{ NULL, "diese Prüfung FEHLT im Verlauf (database or disk is full)",
		  "this check is MISSING from the history (database or disk is full)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct recall_report *r = report_new(), *back;
		char *t, *json, *want;

		r->status = RECALL_STATUS_COMPLETE;
		r->started_ms = T0;
		r->finished_ms = T0;
		r->history = RECALL_HISTORY_MISSING;
		assert_int_equal(report_set_str(&r->history_error, "database or disk is full"), 0);
		assert_int_equal(report_set_str(&r->history_error_code, rows[i].code), 0);
		assert_int_equal(recall_report_to_json(r, &json), 0);
		assert_non_null(strstr(json, "\"history\":{\"state\":\"missing\",\"id\":null,"
					     "\"error\":\"database or disk is full\",\"error_code\":"));
		assert_int_equal(recall_report_from_json(json, strlen(json), &back), 0);
		if (rows[i].code)
			assert_string_equal(back->history_error_code, rows[i].code);
		else
			assert_null(back->history_error_code);
		for (int lang = 0; lang < 2; lang++) {
			const char *l = lang ? "en" : "de", *w = lang ? rows[i].en : rows[i].de;

			t = render(back, RECALL_FORMAT_TEXT, l, NULL);
			assert_int_equal(asprintf(&want, "%s %s\n", lang ? "History:         " :
						  "Verlauf:         ", w), (int)strlen(w) + 19);
			if (!strstr(t, want))
				fail_msg("row %zu %s: want '%s' in:\n%s", i, l, want, t);
			free(want);
			free(t);
			t = render(back, RECALL_FORMAT_HTML, l, NULL);
			{
				char *pw = page_words(t);

				if (!strstr(pw, w))
					fail_msg("row %zu %s page: want '%s'", i, l, w);
				free(pw);
			}
			free(t);
		}
		free(json);
		recall_report_free(back);
		recall_report_free(r);
	}
}

/* The action line: what a technician does next, from the verdicts and the status. */
static void test_action(void **state)
{
	static const struct {
		enum recall_verdict v[3];
		const char *kind[3];
		size_t n;
		enum recall_status st;
		const char *de;
	} rows[] = {
		{ { RECALL_VERDICT_NOT_AFFECTED }, { NULL }, 1, RECALL_STATUS_COMPLETE,
		  "nichts zu tun" },
		{ { RECALL_VERDICT_REMEDIED }, { NULL }, 1, RECALL_STATUS_COMPLETE, "nichts zu tun" },
		{ { 0 }, { NULL }, 0, RECALL_STATUS_COMPLETE, "nichts zu tun" },
		{ { RECALL_VERDICT_OPEN }, { "workshop" }, 1, RECALL_STATUS_COMPLETE,
		  "1 offene Aktion — Werkstatttermin nötig" },
		{ { RECALL_VERDICT_OPEN, RECALL_VERDICT_OPEN }, { "workshop", "ota" }, 2,
		  RECALL_STATUS_COMPLETE, "2 offene Aktionen — Werkstatttermin nötig" },
		{ { RECALL_VERDICT_OPEN }, { "ota" }, 1, RECALL_STATUS_COMPLETE,
		  "1 offene Aktion — Online-Update ausstehend" },
		{ { RECALL_VERDICT_INSPECT }, { "inspection" }, 1, RECALL_STATUS_COMPLETE,
		  "1 zu prüfen — Werkstatttermin nötig" },
		{ { RECALL_VERDICT_OPEN, RECALL_VERDICT_INSPECT }, { "ota", NULL }, 2,
		  RECALL_STATUS_COMPLETE, "1 offene Aktion, 1 zu prüfen — Werkstatttermin nötig" },
		{ { RECALL_VERDICT_UNDETERMINED }, { NULL }, 1, RECALL_STATUS_COMPLETE,
		  "1 unklar — klären (siehe Begründung; ggf. Hotline)" },
		{ { RECALL_VERDICT_UNDETERMINED, RECALL_VERDICT_UNDETERMINED }, { NULL }, 2,
		  RECALL_STATUS_INTERRUPTED,
		  "2 unklar — klären (siehe Begründungen; ggf. Hotline); Prüfung unvollständig" },
		{ { RECALL_VERDICT_NOT_AFFECTED }, { NULL }, 1, RECALL_STATUS_INTERRUPTED,
		  "Prüfung unvollständig — erneut prüfen" },
		{ { RECALL_VERDICT_OPEN }, { NULL }, 1, RECALL_STATUS_FAILED,
		  "Prüfung fehlgeschlagen — Fahrzeug erneut anschließen und erneut prüfen" },
	};
	/* the exit status of recall-check, recall-report and recallctl for each row (cli.h) */
	static const int exits[] = {
		CLI_EXIT_NOTHING, CLI_EXIT_NOTHING, CLI_EXIT_NOTHING, CLI_EXIT_FINDING,
		CLI_EXIT_FINDING, CLI_EXIT_FINDING, CLI_EXIT_FINDING, CLI_EXIT_FINDING,
		CLI_EXIT_FINDING, CLI_EXIT_INCOMPLETE, CLI_EXIT_INCOMPLETE, CLI_EXIT_INCOMPLETE,
	};
	_Static_assert(sizeof(exits) / sizeof(exits[0]) == sizeof(rows) / sizeof(rows[0]),
		       "an exit status per row");

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct recall_report *r = report_new();
		char *t, want[200];

		r->status = rows[i].st;
		for (size_t k = 0; k < rows[i].n; k++) {
			char id[24];

			snprintf(id, sizeof(id), "C%zu", k);
			assert_int_equal(report_add_campaign(r, &(struct campaign_in){
				.id = id, .verdict = rows[i].v[k],
				.remedy_kind = rows[i].kind[k] }), 0);
		}
		assert_int_equal(recall_report_to_text(r, &t), 0);
		snprintf(want, sizeof(want), ">>> %s\n", rows[i].de);
		if (!strstr(t, want))
			fail_msg("row %zu: want '%s' in:\n%s", i, rows[i].de, t);
		if (report_exit_status(r) != exits[i])
			fail_msg("row %zu: exit status %d, want %d", i, report_exit_status(r),
				 exits[i]);
		/* campaigns left out of the listing are not_affected: they change nothing */
		r->n_omitted = 7;
		assert_int_equal(report_exit_status(r), exits[i]);
		free(t);
		recall_report_free(r);
	}
}

/* Each fact code in German words, with its data; an unknown code shows its data. */
static void test_facts_de(void **state)
{
	static const struct {
		const char *code, *k1, *v1, *k2, *v2, *k3, *v3, *want;
	} rows[] = {
		{ "listed", "list", "include", NULL, NULL, NULL, NULL,
		  "FIN auf der Liste des Herstellers" },
		{ "listed", "list", "exclude", NULL, NULL, NULL, NULL,
		  "FIN auf der Ausschlussliste der Aktion" },
		{ "not_listed", NULL, NULL, NULL, NULL, NULL, NULL,
		  "FIN nicht auf der Liste des Herstellers" },
		{ "vin_missing", NULL, NULL, NULL, NULL, NULL, NULL, "FIN nicht gelesen" },
		{ "vin_invalid", "vin", "WBA8E5", "problem", "length", NULL, NULL,
		  "FIN „WBA8E5“ ist ungültig (nicht 17 Zeichen)" },
		{ "not_recognisable", NULL, NULL, NULL, NULL, NULL, NULL,
		  "aus Fahrzeugdaten nicht erkennbar" },
		{ "vin_positions", "from", "4", "to", "5", "read", "8E",
		  "FIN-Stellen 4-5 „8E“, verlangt „?“" },
		{ "serial", "serial", "734560", "min", "700000", "max", "749999",
		  "Seriennummer 734560, Bereich 700000 bis 749999" },
		{ "model_year", "years", "1996 2026", "min", "2014", "max", "2016",
		  "Modelljahr 1996 oder 2026 (30-Jahres-Zyklus), Bereich 2014 bis 2016" },
		{ "model_year_unknown", "code", "0", NULL, NULL, NULL, NULL,
		  "Modelljahr nicht in der FIN (Stelle 10 ist „0“)" },
		{ "build_date", "date", "2012-09-17", "min", "2012-03-01", "max", "2012-10-31",
		  "Baudatum 17.09.2012, Bereich 01.03.2012 bis 31.10.2012" },
		{ "ecu_present", "ecu", "0x710:0x77A", "result", "true", NULL, NULL,
		  "Steuergerät 0x710:0x77A vorhanden — trifft zu" },
		{ "ecus_not_read", "ecu", "0x40", NULL, NULL, NULL, NULL,
		  "welche Steuergeräte das Fahrzeug hat, wurde nicht gelesen (ist 0x40 vorhanden?)" },
		{ "did_in", "ecu", "0x12", "did", "F187", "value", "8578466-05",
		  "Steuergerät 0x12, F187 Ersatzteilnummer: gelesen „8578466-05“, gelistet: ?" },
		{ "did_absent", "ecu", "0x61", "did", "F189", NULL, NULL,
		  "Steuergerät 0x61, F189 Softwareversion: das Steuergerät hat diesen Wert nicht" },
		{ "did_failed", "ecu", "0x61", "did", "F189", "detail", "negative response 0x22",
		  "Steuergerät 0x61, F189 Softwareversion: konnte nicht gelesen werden "
		  "(negative response 0x22)" },
		{ "did_not_read", "ecu", "0x61", "did", "F189", NULL, NULL,
		  "Steuergerät 0x61, F189 Softwareversion: nicht gelesen" },
		{ "brand_new_code", "x", "1", NULL, NULL, NULL, NULL, "brand_new_code (x=1)" },
	};
	const struct i18n *de = i18n_default();

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct recall_fact f;
		struct sbuf b = { 0 };

		assert_int_equal(report_fact_init(&f, rows[i].code), 0);
		if (rows[i].k1)
			assert_int_equal(report_fact_add(&f, rows[i].k1, 0, rows[i].v1), 0);
		if (rows[i].k2)
			assert_int_equal(report_fact_add(&f, rows[i].k2, 0, rows[i].v2), 0);
		if (rows[i].k3)
			assert_int_equal(report_fact_add(&f, rows[i].k3, 0, rows[i].v3), 0);
		word_fact(&b, de, NULL, &f);
		assert_false(b.oom);
		if (strcmp(b.s, rows[i].want) != 0)
			fail_msg("row %zu (%s): got '%s' want '%s'", i, rows[i].code, b.s,
				 rows[i].want);
		free(b.s);
		report_fact_done(&f);
	}
}

/* The page: self-contained, printable on A4, everything from outside escaped. */
static void test_html(void **state)
{
	struct recall_report *r = full();
	struct recall_ecu *e;
	char *h;

	(void)state;
	/* bytes an ECU chose, and a hostile workshop order */
	assert_int_equal(report_add_ecu(r, 0x40, "<b>FEM</b>", &e), 0);
	assert_int_equal(report_add_did(e, 0xF195, "<script>x</script>", 18), 0);
	assert_int_equal(report_set_str(&r->order, "\"><img src=x>"), 0);
	h = render(r, RECALL_FORMAT_HTML, NULL, "Autohaus Muster & Söhne");
	assert_true(strncmp(h, "<!DOCTYPE html>\n<html lang=\"de\">", 32) == 0);
	assert_non_null(strstr(h, "@page{size:A4;"));
	assert_non_null(strstr(h, "<div class=\"workshop\">Autohaus Muster &amp; Söhne</div>"));
	assert_non_null(strstr(h, "<div class=\"safety\" role=\"alert\">\n<p>NICHT FAHREN"));
	assert_non_null(strstr(h, "<li>6112150100 – ConnectedDrive – Telematik (offen)</li>"));
	assert_true(strstr(h, "class=\"safety\"") < strstr(h, "class=\"action\""));
	assert_non_null(strstr(h, "1 offene Aktion — Werkstatttermin nötig"));
	assert_non_null(strstr(h, "FIN WBA8E51060K734560"));
	assert_non_null(strstr(h, "&lt;script&gt;x&lt;/script&gt;"));
	assert_non_null(strstr(h, "&lt;b&gt;FEM&lt;/b&gt;"));
	assert_non_null(strstr(h, "&quot;&gt;&lt;img src=x&gt;"));
	for (size_t i = 0; i < 4; i++) {
		static const char *const ids[] = { "6112150100", "0032580900", "X1", "X2" };

		assert_non_null(strstr(h, ids[i]));
	}
	/* no external resource of any kind, nothing that runs */
	assert_null(strstr(h, "<script"));
	assert_null(strstr(h, "<img"));
	assert_null(strstr(h, "<link"));
	assert_null(strstr(h, " src=\""));
	assert_null(strstr(h, "url("));
	assert_null(strstr(h, "http"));
	assert_null(strstr(h, "@import"));
	free(h);
	h = render(r, RECALL_FORMAT_HTML, "en", NULL);
	assert_non_null(strstr(h, "<html lang=\"en\">"));
	assert_non_null(strstr(h, "DO NOT DRIVE"));
	assert_null(strstr(h, "class=\"workshop\""));
	free(h);
	recall_report_free(r);
}

/* What a rendering may hold: UTF-8 (RFC 3629), and of the control characters only the line
 * break — no C0, DEL or C1 that a terminal or a printer would act on. */
static void assert_displayable(const char *what, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 :
			   (*p & 0xF8) == 0xF0 ? 4 : 0;
		uint32_t cp = n == 1 ? *p : n == 2 ? *p & 0x1Fu : n == 3 ? *p & 0x0Fu : *p & 0x07u;

		if (!n)
			fail_msg("%s: byte 0x%02X is not UTF-8 at ...%.40s", what, *p, (const char *)p);
		for (size_t i = 1; i < n; i++) {
			if ((p[i] & 0xC0) != 0x80)
				fail_msg("%s: broken UTF-8 sequence at ...%.40s", what, (const char *)p);
			cp = cp << 6 | (p[i] & 0x3Fu);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			fail_msg("%s: overlong or invalid code point U+%04X", what, (unsigned int)cp);
		if ((cp < 0x20 && cp != '\n') || (cp >= 0x7F && cp <= 0x9F))
			fail_msg("%s: control character U+%04X at ...%.40s", what, (unsigned int)cp,
				 (const char *)p);
		p += n;
	}
}

/* A report file is input like any other: a hostile or damaged one (terminal escapes, a bell,
 * an 8-bit CSI, bytes that are not UTF-8 in its strings) must not move a technician's cursor,
 * clear the screen or set the window title when shown, and the page must not carry them to a
 * printer.  What was there stays visible as U+FFFD; the rest of the value is kept. */
static void test_hostile_strings(void **state)
{
	static const char json[] =
		"{\"status\":\"complete\",\"vin\":\"WBA8E51060K734560\",\"iface\":\"can0\","
		"\"bay_name\":\"B\\u0007\xc2\x9b" "2J\",\"order\":\"47\\u001b[31m11\","
		"\"plate\":\"M-AB\\r123\",\"started_ms\":1796149680000,\"finished_ms\":1796149680300,"
		"\"ecus\":[{\"addr\":\"0x61\",\"name\":\"T\\u001bCB\",\"dids\":[{\"did\":\"F189\","
		"\"hex\":\"31\",\"text\":\"1\\u001b[2J\"}]}],"
		"\"campaigns\":[{\"id\":\"f\\u001b[2J\",\"verdict\":\"open\",\"title\":\"x\\u0007y\","
		"\"text\":\"line1\\u001b]0;pwn\\u0007\\nline2\\u007f\",\"remedy\":\"r\\u0085s\","
		"\"hotline\":\"0\\u009b1\",\"do_not_drive\":true,\"reason_code\":\"open\","
		"\"reason_facts\":[{\"code\":\"did_cmp\",\"part\":\"remedied\",\"result\":\"false\","
		"\"ecu\":\"0x61\",\"did\":\"F189\",\"value\":\"v\\u001b[8m\",\"op\":\">=\","
		"\"wanted\":\"2\"}]}],"
		"\"errors\":[\"x\\u001b[1m\\u0000y\",\"raw \xff\xfe bytes\"]}";
	struct recall_report *r;
	char *out;

	(void)state;
	assert_int_equal(recall_report_from_json(json, sizeof(json) - 1, &r), 0);
	/* the report keeps its data as it came (the JSON is not rewritten) */
	assert_string_equal(r->order, "47\x1b[31m11");
	for (int lang = 0; lang < 2; lang++) {
		const char *l = lang ? "en" : "de";

		out = render(r, RECALL_FORMAT_TEXT, l, NULL);
		assert_displayable(l, out);
		assert_non_null(strstr(out, "47\xEF\xBF\xBD[31m11"));
		assert_non_null(strstr(out, "line1\xEF\xBF\xBD]0;pwn\xEF\xBF\xBD\n"));
		assert_non_null(strstr(out, "x\xEF\xBF\xBDy"));
		free(out);
		out = render(r, RECALL_FORMAT_HTML, l, "W\x1b[5m");
		assert_displayable(l, out);
		assert_non_null(strstr(out, "47\xEF\xBF\xBD[31m11"));
		free(out);
	}
	recall_report_free(r);
}

static unsigned int count_files(const char *dir, const char *ext)
{
	struct dirent *de;
	unsigned int n = 0;
	DIR *d = opendir(dir);

	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		/* no temporary file may stay behind */
		assert_null(strstr(de->d_name, ".tmp"));
		if (l > strlen(ext) && strcmp(de->d_name + l - strlen(ext), ext) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static char *slurp(const char *dir, const char *base, const char *ext)
{
	char path[600], *s = NULL;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s%s", dir, base, ext);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(getdelim(&s, &n, 0, f) > 0, 1);
	fclose(f);
	return s;
}

static void test_save(void **state)
{
	struct recall_report *r = full();
	char dir[] = "/tmp/test-plugin-report-XXXXXX", path[600], *base, buf[4096];
	struct report_save_opts o = { .language = "en", .html = true, .workshop = "W" };
	FILE *f;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(report_save(r, dir, 7, &o, &base), 0);
	assert_string_equal(base, "vcan3-20261201T182800Z-7");
	assert_int_equal(count_files(dir, ".json"), 1);
	assert_int_equal(count_files(dir, ".txt"), 1);
	assert_int_equal(count_files(dir, ".html"), 1);
	snprintf(path, sizeof(path), "%s/%s.txt", dir, base);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	assert_non_null(strstr(buf, "Vehicle:"));
	/* without html: no page; German by default */
	{
		char *base_en = base, *json_en, *json_de;

		assert_int_equal(report_save(r, dir, 8, NULL, &base), 0);
		assert_int_equal(count_files(dir, ".html"), 1);
		assert_int_equal(count_files(dir, ".txt"), 2);
		/* the JSON's words do not change with the language of the text and the page:
		 * the two files differ only in the sequence number of their names */
		json_en = slurp(dir, base_en, ".json");
		json_de = slurp(dir, base, ".json");
		assert_string_equal(json_en, json_de);
		assert_non_null(strstr(json_de, "\"verdict\":\"open\""));
		free(json_en);
		free(json_de);
		free(base_en);
		free(base);
	}
	assert_int_equal(system("rm -rf /tmp/test-plugin-report-??????"), 0);
	/* a missing directory is an error, not a crash */
	assert_int_equal(report_save(r, "/nonexistent/dir", 1, NULL, NULL), -ENOENT);
	assert_int_equal(report_write_file("/tmp", "../x", "a", 1), -EINVAL);
	recall_report_free(r);
}

static void test_ecu_address(void **state)
{
	static const struct {
		const char *text;
		int ret;
		uint32_t key;
		const char *back;
	} rows[] = {
		{ "0x61", 0, 0x61, "0x61" },
		{ "0x7E0", 0, 0x7E0, "0x7E0" },
		{ "0x710:0x77A", 0, 0x8710077A, "0x710:0x77A" },
		{ "710:77a", 0, 0x8710077A, "0x710:0x77A" },
		/* an OBD pair is the OBD ECU (notes/can-ecu-keys.md) */
		{ "0x7E0:0x7E8", 0, 0x7E0, "0x7E0" },
		{ "0x7E3:0x7EB", 0, 0x7E3, "0x7E3" },
		{ "0x710:0x710", -EINVAL, 0, NULL },
		{ "0x800:0x77A", -EINVAL, 0, NULL },
		{ "0x710:", -EINVAL, 0, NULL },
		{ ":0x77A", -EINVAL, 0, NULL },
		{ "0x710:0x77A:1", -EINVAL, 0, NULL },
		{ "0x123456789", -EINVAL, 0, NULL },
		{ "zz", -EINVAL, 0, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint32_t k = 0;
		char buf[REPORT_ECU_MAX];
		int ret = report_ecu_parse(rows[i].text, &k);

		if (ret != rows[i].ret)
			fail_msg("row %zu '%s': got %d", i, rows[i].text, ret);
		if (ret < 0)
			continue;
		assert_int_equal(k, rows[i].key);
		assert_string_equal(report_ecu_format(k, buf), rows[i].back);
	}
}

static const struct bad_case {
	const char *json;
	int ret;
} bad[] = {
	{ "", -EBADMSG },
	{ "{}", -EBADMSG },
	{ "{\"status\":\"done\"}", -EBADMSG },
	{ "{\"status\":\"complete\"} trailing", -EBADMSG },
	{ "{\"status\":\"complete\",\"vin\":5}", -EBADMSG },
	{ "{\"status\":\"complete\",\"started_ms\":\"x\"}", -EBADMSG },
	{ "{\"status\":\"complete\",\"ecus\":{}}", -EBADMSG },
	{ "{\"status\":\"complete\",\"ecus\":[{\"addr\":\"zz\"}]}", -EBADMSG },
	{ "{\"status\":\"complete\",\"ecus\":[{\"addr\":\"-1\"}]}", -EBADMSG },
	{ "{\"status\":\"complete\",\"ecus\":[{\"addr\":\"0x61\",\"dids\":[{\"did\":\"F189\","
	  "\"hex\":\"3\"}]}]}", -EBADMSG },
	{ "{\"status\":\"complete\",\"ecus\":[{\"addr\":\"0x61\",\"dids\":[{\"did\":\"1F189\","
	  "\"hex\":\"33\"}]}]}", -EBADMSG },
	{ "{\"status\":\"complete\",\"campaigns\":[{\"id\":\"a\",\"verdict\":\"maybe\"}]}",
	  -EBADMSG },
	{ "{\"status\":\"complete\",\"campaigns\":[{\"verdict\":\"open\"}]}", -EBADMSG },
	{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
	  "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", -EBADMSG },
	/* schema 2 members of the wrong shape */
	{ "{\"status\":\"complete\",\"schema_version\":\"2\"}", -EBADMSG },
	{ "{\"status\":\"complete\",\"schema_version\":0}", -EBADMSG },
	{ "{\"status\":\"complete\",\"database\":5}", -EBADMSG },
	{ "{\"status\":\"complete\",\"database\":{\"campaigns\":-1}}", -EBADMSG },
	{ "{\"status\":\"complete\",\"database\":{\"signer\":\"x\"}}", -EBADMSG },
	{ "{\"status\":\"complete\",\"campaigns\":[{\"id\":\"a\",\"verdict\":\"open\","
	  "\"do_not_drive\":1}]}", -EBADMSG },
	{ "{\"status\":\"complete\",\"campaigns\":[{\"id\":\"a\",\"verdict\":\"open\","
	  "\"reason_facts\":[{\"ecu\":\"0x61\"}]}]}", -EBADMSG },
	{ "{\"status\":\"complete\",\"campaigns\":[{\"id\":\"a\",\"verdict\":\"open\","
	  "\"reason_facts\":{}}]}", -EBADMSG },
	{ "{\"status\":\"complete\",\"errors\":[\"a\"],\"error_facts\":[]}", -EBADMSG },
	{ "{\"status\":\"complete\",\"errors\":[\"a\"],\"error_facts\":[{\"code\":5}]}", -EBADMSG },
	{ "{\"status\":\"failed\",\"error\":\"x\",\"error_fact\":{\"code\":\"\"}}", -EBADMSG },
	{ "{\"status\":\"complete\",\"history\":{\"state\":\"lost\"}}", -EBADMSG },
	{ "{\"status\":\"complete\",\"history\":{\"previous\":{\"status\":\"x\"}}}", -EBADMSG },
	{ "{\"status\":\"complete\",\"history\":{\"previous\":{\"summary\":{\"open\":-1}}}}",
	  -EBADMSG },
	{ "{\"status\":\"complete\",\"vehicle\":{\"build_date\":1}}", -EBADMSG },
	{ "{\"status\":\"complete\",\"campaigns\":[{\"id\":\"a\",\"verdict\":\"open\","
	  "\"reason_facts\":[{\"code\":\"c\",\"a\":\"1\",\"b\":\"1\",\"c\":\"1\",\"d\":\"1\","
	  "\"e\":\"1\",\"f\":\"1\",\"g\":\"1\",\"h\":\"1\",\"i\":\"1\",\"j\":\"1\",\"k\":\"1\","
	  "\"l\":\"1\",\"m\":\"1\",\"n\":\"1\",\"o\":\"1\",\"p\":\"1\",\"q\":\"1\"}]}]}",
	  -EBADMSG },
	/* good minimal rows; members of a newer writer are skipped */
	{ "{\"status\":\"failed\",\"error\":\"no answer\"}", 0 },
	{ "{\"status\":\"complete\",\"ecus\":[{\"addr\":\"0x7E0\",\"dids\":[]}],\"new\":1}", 0 },
	{ "{\"status\":\"complete\",\"schema_version\":3,\"campaigns\":[{\"id\":\"a\","
	  "\"verdict\":\"open\",\"reason_facts\":[{\"code\":\"c\",\"nested\":{\"x\":1},"
	  "\"list\":[1]}]}]}", 0 },
	{ "{\"status\":\"complete\",\"database\":null,\"history\":null,\"vehicle\":null,"
	  "\"error_fact\":null,\"error_facts\":null}", 0 },
};

static void test_bad_json(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct recall_report *r = (struct recall_report *)(uintptr_t)1;
		int ret = recall_report_from_json(bad[i].json, strlen(bad[i].json), &r);

		if (ret != bad[i].ret)
			fail_msg("row %zu: got %d want %d", i, ret, bad[i].ret);
		if (ret < 0)
			assert_ptr_equal(r, (struct recall_report *)(uintptr_t)1);
		else
			recall_report_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_schema1),
		cmocka_unit_test(test_text_de),
		cmocka_unit_test(test_text_en),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_full_both),
		cmocka_unit_test(test_bare_campaigns),
		cmocka_unit_test(test_history_missing),
		cmocka_unit_test(test_action),
		cmocka_unit_test(test_facts_de),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_hostile_strings),
		cmocka_unit_test(test_save),
		cmocka_unit_test(test_ecu_address),
		cmocka_unit_test(test_bad_json),
	};

	return cmocka_run_group_tests(tests, set_tz, NULL);
}
