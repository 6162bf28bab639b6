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
};

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
