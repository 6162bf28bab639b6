/* SPDX-License-Identifier: MIT */
/*
 * rules/rdb.h — the compiled recall database (written by recallc) and the matcher.
 *
 * Opening costs the same at any size: the header, the section table and the hash tree's top
 * are read and the root hash (and the signature, if any) checked; nothing else.  Every other block
 * is read and checked against its hash the first time a lookup needs it, and remembered; every
 * offset, count and string is checked where it is used.  So a damaged, truncated, hostile or
 * replaced-in-place file gives an error at the access that meets it — never a crash, a SIGBUS or a
 * verdict from bytes that were not verified.  RDB_OPEN_VERIFY_ALL reads and checks everything at
 * open instead (the daemon, off its check path); after that no access makes a system call.
 * Format: rules/README.md "Database format".
 *
 * Verdicts (exact words, also in JSON): open, inspect, remedied, not_affected, undetermined.
 * A campaign is never not_affected because data was missing: a criterion that needs a VIN or a DID
 * that could not be read makes it undetermined, with the reason.
 *
 * Errors: negative errno; open failures also give a human message in errbuf, later failures in
 * rdb_error():
 *   -ENOENT/-EACCES/...  file cannot be opened (errno of open/read)
 *   -EMEDIUMTYPE         not a recall database (magic)
 *   -EPROTONOSUPPORT     format version newer or older than this reader (older: recompile)
 *   -EBADMSG             truncated, a block or the root not matching its hash, a signature that
 *                        does not verify, or an offset/count/string out of bounds
 *   -EKEYREJECTED        a signature is required and the file is unsigned or its signer is not
 *                        a trusted key
 *   -ESTALE              the file changed on disk since it was opened (overwritten in place)
 *
 * A handle is used by one thread at a time: a lookup may load blocks into it.  After
 * RDB_OPEN_VERIFY_ALL (or rdb_verify_all()) it is read-only and may be shared.
 */
#ifndef RECALL_RULES_RDB_H
#define RECALL_RULES_RDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rdb_verdict {
	RDB_VERDICT_OPEN = 0,		/* "open" */
	RDB_VERDICT_INSPECT,		/* "inspect" */
	RDB_VERDICT_REMEDIED,		/* "remedied" */
	RDB_VERDICT_NOT_AFFECTED,	/* "not_affected" */
	RDB_VERDICT_UNDETERMINED,	/* "undetermined" */
	_RDB_VERDICT_MAX
};

enum rdb_remedy_kind {
	RDB_REMEDY_NONE = 0,		/* not given */
	RDB_REMEDY_WORKSHOP,		/* "workshop" */
	RDB_REMEDY_OTA,			/* "ota" (over the air) */
	RDB_REMEDY_INSPECTION,		/* "inspection" */
};

enum rdb_recognition {
	RDB_RECOG_NONE = 0,
	RDB_RECOG_MANUFACTURER_DIAG,	/* "manufacturer_diagnosis": manufacturer's diagnostic system */
	RDB_RECOG_VEHICLE_DIAG,		/* "vehicle_diagnosis": the vehicle's diagnostic system */
	RDB_RECOG_HOTLINE,		/* "hotline": not recognisable, call the hotline (number) */
	RDB_RECOG_WORKSHOP_SYSTEM,	/* "workshop_system": manufacturer's workshop system */
};

/* ---- the vehicle description (input) ---- */
enum rdb_did_status {
	RDB_DID_OK = 0,			/* value/len hold the bytes read */
	RDB_DID_NOT_PRESENT,		/* ECU answered: no such DID (or ECU absent) */
	RDB_DID_FAILED,			/* could not be read; reason says why */
};

struct rdb_did_fact {
	uint32_t ecu;			/* address as in common rules (0x7E0, 0x12, 0x61, ...) */
	uint16_t did;
	enum rdb_did_status status;
	const uint8_t *value;		/* RDB_DID_OK: raw bytes (ASCII for versions) */
	size_t len;
	const char *reason;		/* RDB_DID_FAILED: e.g. "timeout"; may be NULL */
};

struct rdb_vehicle {
	const char *vin;		/* NULL when not read; any bytes (validated here) */
	const struct rdb_did_fact *dids;
	size_t n_dids;
	const uint32_t *ecus;		/* ECUs that answered (an OK DID also shows presence) */
	size_t n_ecus;
	bool ecus_complete;		/* true: discovery ran, an ECU not listed is absent */
};

/* ---- the result (output) ---- */
#define RDB_TEXT_MAX 256

/*
 * Reasons as data: what decided a verdict, for a reader that chooses its own words (the
 * report's German text).  The same facts as the English reason string, in the same selection:
 * for `and` that fails, the operand that fails; for `or` that holds, the one that holds; when
 * the answer is unknown, the first unknown operand; otherwise all of them.
 */
enum rdb_reason {
	RDB_REASON_OPEN = 0,		/* affected, the remedy is not applied */
	RDB_REASON_REMEDIED,		/* affected, the remedy is applied (remedied facts: evidence) */
	RDB_REASON_INSPECT,		/* a candidate, an inspection decides */
	RDB_REASON_NOT_SELECTED,	/* the criteria rule it out */
	RDB_REASON_EXCLUDED,		/* the VIN is on the campaign's exclusion list */
	RDB_REASON_SELECTION_UNKNOWN,	/* whether it is affected is unknown */
	RDB_REASON_REMEDY_UNKNOWN,	/* affected; whether the remedy is applied is unknown */
	RDB_REASON_INSPECT_UNKNOWN,	/* affected; whether to inspect is unknown */
	_RDB_REASON_MAX
};

enum rdb_why_code {
	RDB_WHY_ALWAYS = 1,		/* `true` */
	RDB_WHY_NEVER,			/* `false` */
	RDB_WHY_NOT_RECOGNISABLE,	/* `unknown` */
	RDB_WHY_VIN_MISSING,		/* no VIN read */
	RDB_WHY_VIN_INVALID,		/* value: the VIN as read; a: VIN_ERR_* bits */
	RDB_WHY_LISTED,			/* a: 0 the manufacturer's list, 1 the exclusion list */
	RDB_WHY_NOT_LISTED,		/* the campaign selects by list only */
	RDB_WHY_LISTS_NEED_VIN,		/* no valid VIN: a list could decide (a: 0 include, 1 excl.) */
	RDB_WHY_WMI,			/* value: the WMI */
	RDB_WHY_VIN_POSITIONS,		/* a..b: positions (1-based), value: read, wanted: pattern */
	RDB_WHY_SERIAL,			/* value: serial, a..b: range */
	RDB_WHY_SERIAL_NOT_NUMERIC,	/* value: serial */
	RDB_WHY_MODEL_YEAR,		/* value: "2006" or "1996 2026", a..b: range */
	RDB_WHY_MODEL_YEAR_UNKNOWN,	/* value: position 10 */
	RDB_WHY_BUILD_DATE,		/* date: YYYYMMDD read, a..b: range (0, 99991231 = open) */
	RDB_WHY_BUILD_DATE_NO_SOURCE,	/* the campaign names no source */
	RDB_WHY_BUILD_DATE_UNREADABLE,	/* ecu, did; value: bytes that are no date, or "" */
	RDB_WHY_ECU_PRESENT,		/* ecu */
	RDB_WHY_ECU_ABSENT,		/* ecu: not in the vehicle (the ECU list is complete) */
	RDB_WHY_ECUS_NOT_READ,		/* ecu: whether it is there is not known */
	RDB_WHY_DID_CMP,		/* ecu, did, value, cmp, wanted */
	RDB_WHY_DID_IN,			/* ecu, did, value, wanted: the list, ", "-joined */
	RDB_WHY_DID_ABSENT,		/* ecu, did: the ECU answered it has no such DID */
	RDB_WHY_DID_FAILED,		/* ecu, did, value: why it could not be read */
	RDB_WHY_DID_NOT_READ,		/* ecu, did */
	_RDB_WHY_MAX
};

enum rdb_why_part { RDB_PART_LIST = 0, RDB_PART_AFFECTED, RDB_PART_REMEDIED, RDB_PART_INSPECT };
enum rdb_truth { RDB_FALSE = 0, RDB_TRUE, RDB_UNKNOWN };

#define RDB_WHY_MAX 8			/* facts per verdict; more are counted, not kept */
#define RDB_WHY_VALUE_MAX 48

struct rdb_why {
	uint8_t code;			/* enum rdb_why_code */
	uint8_t part;			/* enum rdb_why_part */
	uint8_t result;			/* enum rdb_truth: what the condition came to */
	uint8_t negated;		/* under `not` (result is the condition's own) */
	uint8_t cmp;			/* RDB_WHY_DID_CMP: RDB_CMP_* */
	uint16_t did;
	uint64_t ecu;
	uint32_t a, b;			/* ranges, positions, flags (see the codes) */
	uint32_t date;			/* RDB_WHY_BUILD_DATE: YYYYMMDD read */
	char value[RDB_WHY_VALUE_MAX];	/* what was read, printable (\xNN for other bytes) */
	char wanted[RDB_WHY_VALUE_MAX];	/* the rule's side */
};

struct rdb_result {
	uint32_t campaign;		/* index for rdb_campaign_get() */
	enum rdb_verdict verdict;
	char reason[RDB_TEXT_MAX];	/* why (facts compared), always set */
	char evidence[RDB_TEXT_MAX];	/* remedied: what shows the remedy applied; else "" */
	/* the same as data (above) */
	enum rdb_reason reason_code;
	unsigned int n_why;		/* kept in why[]; at most RDB_WHY_MAX */
	unsigned int why_dropped;	/* facts beyond RDB_WHY_MAX */
	struct rdb_why why[RDB_WHY_MAX];
};

const char *rdb_reason_name(enum rdb_reason r);		/* "open", "remedied", ... */
const char *rdb_why_name(enum rdb_why_code c);		/* "wmi", "did_cmp", ... */
const char *rdb_part_name(enum rdb_why_part p);		/* "list", "affected", ... */
const char *rdb_cmp_name(unsigned int cmp);		/* "=", "!=", "<", "<=", ">", ">=" */

/* A campaign's texts point into the mapped database (valid until rdb_close); "" when not given. */
struct rdb_campaign {
	const char *id;			/* e.g. "0032470300" */
	const char *title;
	const char *make;
	const char *kba;		/* KBA reference */
	const char *nhtsa;		/* NHTSA campaign number */
	const char *defect;		/* German text kept verbatim */
	const char *remedy;
	const char *cost;
	const char *labour;
	const char *recognition_text;	/* German text of the recognition method */
	const char *hotline;		/* number for RDB_RECOG_HOTLINE */
	const char *extends;		/* id of an earlier campaign this one extends */
	const char *supersedes;
	enum rdb_remedy_kind remedy_kind;
	enum rdb_recognition recognition;
	uint32_t start_date;		/* YYYYMMDD, 0 when not given */
	bool do_not_drive;		/* `do_not_drive;`: not driven, not handed back before the fix */
	bool park_outside;		/* `park_outside;`: fire risk, parked away from buildings */
};

struct rdb;

#define RDB_ERR_MAX 256

/* ---- trusted signing keys ---- */
#define RDB_KEY_ID_LEN 16		/* hex digits of a key id */

struct rdb_trust;

int rdb_trust_new(struct rdb_trust **ret);
struct rdb_trust *rdb_trust_free(struct rdb_trust *t);
/* One public key file (NAME.pub, as recallc --keygen writes it). */
int rdb_trust_add_file(struct rdb_trust *t, const char *path, char *errbuf, size_t errlen);
/* Every *.pub in DIR; a file that is not a key is an error (a typo must not pass silently). */
int rdb_trust_add_dir(struct rdb_trust *t, const char *dir, char *errbuf, size_t errlen);
size_t rdb_trust_count(const struct rdb_trust *t);

/* ---- opening ---- */
enum {
	/* Read and check every block (and the structure behind the hashes) now. */
	RDB_OPEN_VERIFY_ALL = 1u << 0,
	/* Refuse an unsigned database or one signed by a key not in opts->trust. */
	RDB_OPEN_REQUIRE_SIGNATURE = 1u << 1,
};

struct rdb_open_opts {
	unsigned int flags;		/* RDB_OPEN_* */
	const struct rdb_trust *trust;	/* may be NULL: no key is trusted */
};

/* Opens PATH (no option: lazy, nothing trusted).  On failure errbuf holds "PATH: why". */
int rdb_open(const char *path, struct rdb **ret_db, char *errbuf, size_t errlen);
int rdb_open_with(const char *path, const struct rdb_open_opts *opts, struct rdb **ret_db,
		  char *errbuf, size_t errlen);
/* Same for a buffer the caller keeps alive and unchanged until rdb_close (tests, fuzzing);
 * 8-byte aligned.  Blocks are checked on first use as with a file. */
int rdb_open_buffer(const void *buf, size_t len, struct rdb **ret_db, char *errbuf,
		    size_t errlen);
int rdb_open_buffer_with(const void *buf, size_t len, const struct rdb_open_opts *opts,
			 struct rdb **ret_db, char *errbuf, size_t errlen);
/* Reads and checks every block not checked yet and the structure of every section (what a
 * lookup would check piecemeal).  Off the check path: the daemon does it at load and reload. */
int rdb_verify_all(struct rdb *db, char *errbuf, size_t errlen);
struct rdb *rdb_close(struct rdb *db);

/* The error of the last failed access ("" if none): "PATH: block 12 does not match its hash". */
const char *rdb_error(const struct rdb *db);

/* ---- facts about the database ---- */
enum rdb_signer_state {
	RDB_SIGNER_NONE = 0,		/* unsigned */
	RDB_SIGNER_TRUSTED,		/* signature verified, key in the trusted set */
	RDB_SIGNER_UNTRUSTED,		/* signature verified, key not in the trusted set */
};

struct rdb_info {
	const char *path;		/* as opened; "(buffer)" for buffers */
	uint64_t file_size;
	uint64_t n_campaigns;
	uint64_t n_listed_vins;
	const char *tool_version;	/* recallc version that wrote it */
	char checksum[2 * 32 + 1];	/* root hash (BLAKE2b-256), hex: covers every byte */
	enum rdb_signer_state signer;
	char key_id[RDB_KEY_ID_LEN + 1];	/* signer's key id, "" when unsigned */
	const char *signer_name;	/* name in the trusted key file, "" when not known */
	bool verified_all;		/* every block checked (RDB_OPEN_VERIFY_ALL) */
};

int rdb_get_info(const struct rdb *db, struct rdb_info *ret);
const char *rdb_signer_state_name(enum rdb_signer_state s);	/* "none", "trusted", ... */

size_t rdb_campaign_count(const struct rdb *db);
uint64_t rdb_listed_vin_count(const struct rdb *db);
const char *rdb_tool_version(const struct rdb *db);	/* recallc version that wrote it */
/* The first 8 bytes of the root hash, as a number (what format 2 called its checksum). */
uint64_t rdb_checksum(const struct rdb *db);
/* -EBADMSG (rdb_error() says why) when the campaign's record or texts are damaged. */
int rdb_campaign_get(const struct rdb *db, uint32_t index, struct rdb_campaign *ret);

enum {
	/* Also report not_affected campaigns (every campaign once, in id order).  Without it only
	 * the campaigns the indexes select are evaluated and reported. */
	RDB_MATCH_ALL = 1u << 0,
};

/*
 * Decides the campaigns for vehicle V into results[0..cap).  Returns the number of results there
 * are (may exceed cap: only cap are written, call again with more room) or a negative errno.
 * Does not allocate; cost does not grow with the number of campaigns or listed VINs (without
 * RDB_MATCH_ALL) except when the VIN is absent or invalid (then every campaign is evaluated).
 */
int rdb_match(const struct rdb *db, const struct rdb_vehicle *v, unsigned int flags,
	      struct rdb_result *results, size_t cap);

/* The (ECU, DID) pairs the database's conditions and build-date sources read: sorted, unique,
 * malloc'd into *ret (free()).  What a reader of the car must ask for.  (Stored by the compiler:
 * the cost does not grow with the number of campaigns.) */
struct rdb_did_ref {
	uint32_t ecu;
	uint16_t did;
};
int rdb_needed_dids(const struct rdb *db, struct rdb_did_ref **ret, size_t *ret_n);

/*
 * An ECU key as the rules write it: "0x61", "0x7E0", or "0x710:0x77A" for a request:response pair
 * (bit 31 set, request in bits 16-26, response in bits 0-10: the packing can/ident.h defines as
 * IDENT_ECU_PAIR, repeated here because rules/ does not include can/).
 */
#define RDB_ECU_STR_MAX 32
void rdb_ecu_format(uint64_t ecu, char *buf, size_t len);

const char *rdb_verdict_name(enum rdb_verdict v);
const char *rdb_remedy_kind_name(enum rdb_remedy_kind k);
const char *rdb_recognition_name(enum rdb_recognition r);

/* Writes BUF to PATH atomically (temporary file in the same directory, fsync, rename); the file's
 * mode is 0666 less the umask, as for any file a tool creates. */
int rdb_write_file(const char *path, const void *buf, size_t len);

/* ---- signing (Ed25519, libsodium) ---- */
/* Writes NAME.key (secret, mode 0600) and NAME.pub; refuses to overwrite either.  key_id gets the
 * new key's id. */
int rdb_keygen(const char *name, char key_id[RDB_KEY_ID_LEN + 1], char *errbuf, size_t errlen);
/* Seals a database image (from rule_compiler_build) with the secret key in KEYFILE. */
int rdb_sign_image(void *image, size_t len, const char *keyfile, char key_id[RDB_KEY_ID_LEN + 1],
		   char *errbuf, size_t errlen);

#endif
