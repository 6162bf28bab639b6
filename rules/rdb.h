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

struct rdb_result {
	uint32_t campaign;		/* index for rdb_campaign_get() */
	enum rdb_verdict verdict;
	char reason[RDB_TEXT_MAX];	/* why (facts compared), always set */
	char evidence[RDB_TEXT_MAX];	/* remedied: what shows the remedy applied; else "" */
};

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
