/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * recall.h — the public ABI of librecall (pkg-config: recall).
 *
 * Open a compiled recall database, check a car connected to a CAN interface (or just a VIN) and
 * get the result as a struct and as JSON.  This is the same check the recalld daemon and
 * `recall-check` run, so an embedding station program sees byte-for-byte the same report.
 *
 * Conventions: functions return >= 0 on success and a negative errno on failure; outputs go through
 * ret_ parameters that are left untouched on failure; every *_free(NULL) is a no-op returning NULL.
 * The library never prints and never exits.  Objects are not shared between threads, but distinct
 * objects may be used from distinct threads.
 *
 * ABI: SONAME librecall.so.0.  Structs in this file are allocated by the library only and may grow
 * at their end in later versions (never reordered), so callers read them but never embed or copy
 * them by value.
 */
#ifndef RECALL_H
#define RECALL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define RECALL_API __attribute__((visibility("default")))
#else
#define RECALL_API
#endif

/* Verdict of one recall campaign for the car that was checked (words are the JSON "verdict",
 * the same words as `recall-check` and rules/). */
enum recall_verdict {
	RECALL_VERDICT_OPEN = 0,	/* "open": affected, the remedy is not applied */
	RECALL_VERDICT_INSPECT,		/* "inspect": a candidate, a physical check decides */
	RECALL_VERDICT_REMEDIED,	/* "remedied": affected, the remedy is applied (evidence) */
	RECALL_VERDICT_NOT_AFFECTED,	/* "not_affected": the campaign does not apply to this car */
	RECALL_VERDICT_UNDETERMINED,	/* "undetermined": facts needed were missing (see reason) */
	_RECALL_VERDICT_MAX
};

/* How far a check got (JSON "status"). */
enum recall_status {
	RECALL_STATUS_COMPLETE = 0,	/* "complete": identity read, every campaign decided */
	RECALL_STATUS_INTERRUPTED,	/* "interrupted": cut off (interface gone, deadline); partial */
	RECALL_STATUS_FAILED,		/* "failed": nothing usable was read (no answer, no VIN) */
	_RECALL_STATUS_MAX
};

/* One data identifier read from an ECU: raw bytes as the ECU sent them. */
struct recall_did {
	uint16_t did;			/* e.g. 0xF189 (UDS) or 0x0902 for OBD service 09 PID 02 */
	size_t len;
	uint8_t *data;			/* len bytes, followed by a NUL so ASCII values print */
};

struct recall_ecu {
	uint32_t addr;			/* technician's ECU address, see README "ECU addresses" */
	char *name;			/* e.g. "TCB"; may be NULL */
	size_t n_dids;
	struct recall_did *dids;
};

struct recall_campaign {
	char *id;			/* campaign number as the manufacturer writes it */
	char *title;			/* German short title */
	char *text;			/* German defect text for the technician; may be NULL */
	enum recall_verdict verdict;
	char *reason;			/* why this verdict (facts compared); may be NULL */
	char *remedy;			/* German remedy text; may be NULL */
	char *remedy_kind;		/* "workshop", "ota", "inspection"; may be NULL */
	char *recognition;		/* "manufacturer_diagnosis", "vehicle_diagnosis", "hotline",
					 * "workshop_system"; may be NULL */
	char *recognition_text;		/* the German wording of the recognition; may be NULL */
	char *hotline;			/* number to call when recognition is "hotline"; may be NULL */
	char *evidence;			/* remedied: what shows the remedy is applied; may be NULL */
};

/* One parameter of a fact: key and value as in the JSON ("ecu": "0x61", "value": "11.0.2",
 * "min": 2014).  type says how the JSON writes value: a string, a number (decimal digits, an
 * optional '-') or a boolean ("true"/"false"). */
enum recall_param_type { RECALL_PARAM_STRING = 0, RECALL_PARAM_NUMBER, RECALL_PARAM_BOOL };

struct recall_param {
	char *key;
	char *value;
	enum recall_param_type type;
};

/* A machine-readable fact: a code and its parameters.  Behind a verdict (which condition was
 * decided on what: "did_cmp" with ecu, did, value, op, wanted, part, holds) and behind an error
 * ("no_answer" with step, ecu, did).  The codes and their parameters: plugin/README.md,
 * "Reasons and errors as data".  Words are chosen when the report is rendered. */
struct recall_fact {
	char *code;
	size_t n_params;
	struct recall_param *params;
};

/* What the database says about a campaign beyond struct recall_campaign.  A separate array
 * (report->campaign_info[i] belongs to report->campaigns[i]) so that struct recall_campaign, an
 * array element, keeps its size for programs built against the first librecall.so.0. */
struct recall_campaign_info {
	char *make;			/* "BMW"; may be NULL (so may every string here) */
	char *kba;			/* the KBA's reference number */
	char *nhtsa;			/* NHTSA campaign number, e.g. "15V123000" */
	char *cost;			/* e.g. "kostenlos" (the manufacturer's words) */
	char *labour;			/* e.g. "etwa zwei Stunden" */
	char *start;			/* campaign start, "YYYY-MM-DD" */
	char *extends;			/* id of an earlier campaign this one extends */
	char *supersedes;		/* id of a campaign this one replaces */
	unsigned int flags;		/* RECALL_CAMPAIGN_* */
	char *reason_code;		/* why the verdict, as a code: "remedy_not_applied", … */
	size_t n_facts;			/* the facts behind it, in the order they were decided */
	struct recall_fact *facts;
};

/* Do not drive the car (NHTSA "do not drive"): it is not handed back before the remedy. */
#define RECALL_CAMPAIGN_DO_NOT_DRIVE 0x1
/* Park it outside, away from buildings (NHTSA "park outside": fire risk). */
#define RECALL_CAMPAIGN_PARK_OUTSIDE 0x2

/* The database a check used (JSON "database" since schema 2). */
struct recall_database_info {
	char *path;
	uint64_t campaigns;
	uint64_t listed_vins;
	char *written_by;		/* "recallc 0.1.0" */
	char *checksum;			/* hex */
	char *signer_key_id;		/* NULL when unsigned */
	char *signer_name;		/* the trusted key's name; may be NULL */
	char *signer_state;		/* "trusted", "untrusted"; NULL when unsigned */
};

/* A previous check of the same car, from recalld's history. */
struct recall_visit {
	int64_t finished_ms;		/* CLOCK_REALTIME ms */
	char *iface;
	char *bay_name;			/* may be NULL */
	enum recall_status status;
	unsigned int counts[_RECALL_VERDICT_MAX];
	char *order;			/* may be NULL */
	int64_t id;			/* the history's number of that check */
};

/* Whether recalld's history recorded the check (struct recall_report.history). */
enum recall_history_state {
	RECALL_HISTORY_NONE = 0,	/* no history kept (recall-check, librecall) */
	RECALL_HISTORY_RECORDED,	/* recorded; history_id is its number */
	RECALL_HISTORY_MISSING,		/* could not be recorded (history_error says why) */
};

/* The bus as the cause of a check's trouble (the CAN controller's own report), as data: a cause
 * code and its parameters.  The words for technicians are chosen by the text report. */
struct recall_bus {
	char *cause;		/* "no_ack" (no node acknowledged: no car, or ignition off),
				 * "no_answer" (frames acknowledged, nobody answered: a car is
				 * there), "bus_off", "bitrate_mismatch", "error_passive",
				 * "adapter_removed", "controller" */
	char *state;		/* worst controller state seen: "error-active", "error-warning",
				 * "error-passive", "bus-off"; NULL if none was reported */
	int tx_errors, rx_errors;	/* the controller's error counters; -1 = not reported */
	unsigned int error_frames;	/* CAN error frames seen during the read */
	unsigned int ack_errors;	/* of them: transmissions nobody acknowledged */
	unsigned int protocol_errors;	/* bit, stuff, form, CRC errors */
	unsigned int bus_off;		/* times the controller went bus-off */
	unsigned int frames_received;	/* valid frames from other nodes */
};

struct recall_report {
	char *iface;			/* CAN interface, NULL for a VIN-only check */
	char *vin;			/* NULL when the VIN could not be read */
	char *addressing;		/* addressing scheme that answered, NULL if none */
	enum recall_status status;
	char *error;			/* why interrupted / failed; NULL when complete */
	int64_t started_ms;		/* CLOCK_REALTIME, milliseconds since the epoch */
	int64_t finished_ms;
	char *database;			/* identification of the database used; may be NULL */
	size_t n_ecus;
	struct recall_ecu *ecus;
	size_t n_campaigns;
	struct recall_campaign *campaigns;
	/* Every step of the identity read that failed and why ("0x61 read-did F189: timeout"). */
	size_t n_errors;
	char **errors;
	/* With RECALL_CHECK_CONCERNING: how many campaigns were left out as not_affected (JSON
	 * "not_affected_omitted"; also counted in the summary's not_affected). */
	size_t n_omitted;

	/* ---- since report schema 2 (librecall 0.2).  A report read from an older writer has
	 * these NULL / 0. */
	unsigned int schema_version;	/* of the JSON it came from or will be written as */
	char *bay_name;			/* the bay's name in recalld's configuration */
	char *order;			/* workshop order number given with the check request */
	char *plate;			/* licence plate given with the check request */
	char *build_date;		/* the car's build date as read, "YYYY-MM-DD" */
	struct recall_database_info *db;	/* the database as an object; database stays its
						 * one-line description */
	struct recall_campaign_info *campaign_info;	/* n_campaigns entries, or NULL */
	struct recall_fact *error_fact;	/* error as data ("no_vin", …), or NULL */
	struct recall_fact *error_facts;	/* n_errors entries (errors[i] as data), or NULL */
	struct recall_visit *previous;	/* the car's previous check in recalld's history */
	enum recall_history_state history;
	int64_t history_id;		/* RECALL_HISTORY_RECORDED: this check's number */
	char *history_error;		/* RECALL_HISTORY_MISSING: why */
	/* Why the bus failed the check; NULL when it looked healthy or was not watched. */
	struct recall_bus *bus;
	/* RECALL_HISTORY_MISSING: why, as data — "disk_full", "unavailable" (the history cannot
	 * be opened), "failed" (it refused the check); history_error is the database's message. */
	char *history_error_code;
};

/* The JSON schema this library writes ("schema_version"); reports without one are schema 1. */
#define RECALL_REPORT_SCHEMA 2

/* Options of an interface check; zero-filled means defaults.  Set .size = sizeof(struct
 * recall_check_opts) so later library versions know which fields the caller has. */
struct recall_check_opts {
	size_t size;
	/* Space-separated addressing schemes tried in order, e.g. "bmw obd11 obd29"; NULL = all. */
	const char *addressing;
	/* Per-request answer timeout in ms; 0 = library default. */
	unsigned int timeout_ms;
	/* RECALL_CHECK_* flags. */
	unsigned int flags;
	/* Bound on reading the car, all ECUs and DIDs, in ms; 0 = library default (45 s).  What was
	 * not read by then is reported not read, and the verdicts that need it undetermined. */
	unsigned int deadline_ms;
	/* First-answer window of discovery in ms; 0 = library default (200).  An ECU behind a
	 * gateway answers its first request at 60-150 ms. */
	unsigned int answer_ms;
	/* ECUs read at the same time, each on its own ISO-TP socket; 0 = library default (8), 1 =
	 * one after another, at most 64. */
	unsigned int parallel;
	/* Discovery ends this long (ms) after the last answer once the car has answered; 0 =
	 * library default (100).  RECALL_CHECK_FULL_WINDOW: always the whole window. */
	unsigned int quiet_ms;
};

/* List every campaign of the database (also not_affected ones); without it the report lists the
 * campaigns the database's indexes select for this car, which keeps a report short however large
 * the database is (a campaign left out is not_affected). */
#define RECALL_CHECK_ALL_CAMPAIGNS 0x1
/* List only the campaigns that concern the car (every verdict but not_affected) and count the
 * others (n_omitted): a report as long as what the technician must act on, however large the
 * database.  Overrides RECALL_CHECK_ALL_CAMPAIGNS. */
#define RECALL_CHECK_CONCERNING 0x2
/* Send requests as CAN FD (ISO-TP over CAN FD); the interface needs MTU 72. */
#define RECALL_CHECK_CAN_FD 0x4
/* Wait out the whole first-answer window, also when the car has answered (no quiet gap). */
#define RECALL_CHECK_FULL_WINDOW 0x8

struct recall_db;

/* Open and fully validate a compiled database (a file written by recallc). */
RECALL_API int recall_db_open(const char *path, struct recall_db **ret_db);
RECALL_API struct recall_db *recall_db_free(struct recall_db *db);

/* Decide the campaigns for a VIN alone (no ECU data: campaigns that need ECU facts come out
 * "undetermined").  Lists every campaign.  -EINVAL for a VIN that is not 17 characters of
 * A-Z/0-9 without I, O, Q (lower case is taken as upper case; the report shows it upper case).
 * The report's campaigns for an invalid VIN could only say "undetermined". */
RECALL_API int recall_check_vin(struct recall_db *db, const char *vin,
				struct recall_report **ret_report);

/* Read the identity of the car on IFACE and decide every campaign.  A car that does not answer, or
 * an interface that disappears, still yields a report (status failed / interrupted); a negative
 * return means no report could be made at all (bad arguments, out of memory). */
RECALL_API int recall_check_iface(struct recall_db *db, const char *iface,
				  const struct recall_check_opts *opts,
				  struct recall_report **ret_report);

/* The report as one JSON object (no trailing newline); free the string with free(). */
RECALL_API int recall_report_to_json(const struct recall_report *report, char **ret_json);
/* The technician's text report (German); free the string with free(). */
RECALL_API int recall_report_to_text(const struct recall_report *report, char **ret_text);

/* How a report is rendered for people; zero-filled means defaults.  Set .size. */
struct recall_render_opts {
	size_t size;
	/* "de" (default) or "en"; -EINVAL for a language without a catalogue. */
	const char *language;
	/* The workshop's name on the printed page; NULL: none. */
	const char *workshop;
};

enum recall_format {
	RECALL_FORMAT_TEXT = 0,		/* the technician's text report */
	RECALL_FORMAT_HTML,		/* one self-contained page, printable on A4 */
};

/* The report for people, in a language and a format; free the string with free(). */
RECALL_API int recall_report_render(const struct recall_report *report, enum recall_format format,
				    const struct recall_render_opts *opts, char **ret);
/* Parse a report as written by recall_report_to_json (for example one read from the daemon). */
RECALL_API int recall_report_from_json(const char *json, size_t len,
				       struct recall_report **ret_report);
RECALL_API struct recall_report *recall_report_free(struct recall_report *report);

/* Names used in JSON; NULL for an out-of-range value. */
RECALL_API const char *recall_verdict_name(enum recall_verdict v);
RECALL_API const char *recall_status_name(enum recall_status s);

/* Library version, e.g. "0.1.0". */
RECALL_API const char *recall_version(void);

#ifdef __cplusplus
}
#endif

#endif
