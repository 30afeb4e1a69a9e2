/*
 * ocsp_cache.h - a bounded cache of signed OCSP responses, one per worker
 * process.
 *
 * Why.  Signing is most of what an OCSP answer costs (an ECDSA signature
 * per response, and with key isolation a round trip to the signer process
 * as well), and relying parties ask about the same few certificates again
 * and again.  RFC 6960 2.5 lets a responder pre-produce signed responses
 * and hand the same one out until it refreshes it; RFC 5019 (the profile
 * for high-volume responders) is built around that.  The cache keeps the
 * DER response made for one CertID and serves it again while it is fresh.
 *
 * What can never go wrong because of it:
 *
 *  - A revocation is never hidden.  The caller still looks the serial up
 *    in the store for every request and passes the status it found;
 *    cw_ocsp_cache_get answers only when that status (and, for a revoked
 *    certificate, its time and reason) equals the one the response was
 *    made for, and drops the entry otherwise.  The cache saves signing,
 *    not looking.
 *  - An old response is never served: an entry is used only while it is
 *    younger than the cache's refresh age (counted from its thisUpdate)
 *    and before its nextUpdate (RFC 5019 2.2.4), and never when the clock
 *    reads earlier than its thisUpdate.
 *  - A nonce is never answered from the cache.  RFC 6960 4.4.1: the nonce
 *    binds a response to one request against replay, so the response must
 *    carry the request's own nonce inside the signed ResponseData (RFC 9654
 *    2.1, which obsoletes RFC 8954; certward echoes it, ocsp_resp.h); a
 *    stored response made for another request cannot.  cw_ocsp_cache_key_of
 *    refuses such requests, and requests with more than one CertID (RFC
 *    5019 2.1.1 allows one; their responses are not per-certificate).
 *  - Memory is bounded: a fixed number of entries, each holding at most a
 *    fixed number of response bytes, allocated once (untouched pages cost
 *    no RSS).  A response larger than that is simply not cached.
 *
 * The key is the CertID as the response echoes it (hash algorithm, whether
 * its parameters were NULL or absent, issuerNameHash, issuerKeyHash,
 * serialNumber), so that a hit returns exactly the bytes a fresh answer
 * would carry; the same certificate asked about with SHA-1 and with SHA-256
 * CertIDs is two entries.  The signer (issuing CA or delegated responder)
 * is the same for every entry: cw_ocsp_cache_clear when it changes.
 *
 * Layout: set-associative, CW_OCSP_CACHE_WAYS entries per set, the set
 * chosen by SipHash-2-4 of the key under a random per-cache secret (a
 * client chooses the serials it asks about: it must not be able to aim
 * many keys at one set), least recently used entry of the set evicted.  A
 * lookup compares at most CW_OCSP_CACHE_WAYS keys whatever the input.
 *
 * Not thread-safe: one cache per worker process (each worker is one thread,
 * server.c).  Pure memory: no I/O, no clock (times are parameters).
 */
#ifndef CW_OCSP_CACHE_H
#define CW_OCSP_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "../x509/ocsp_resp.h"

/* the key: 4 octets of header, both hashes, the serial (ocsp_resp.h) */
#define CW_OCSP_CACHE_KEY_MAX (4 + 2 * CW_OCSP_HASH_MAX + CW_OCSP_SERIAL_MAX)
#define CW_OCSP_CACHE_WAYS 8
#define CW_OCSP_CACHE_MAX_ENTRIES (1 << 20)
#define CW_OCSP_CACHE_MAX_RESPONSE (64 * 1024)
/* at most this much memory for one cache, entries and responses */
#define CW_OCSP_CACHE_MAX_BYTES ((size_t)1 << 30)

typedef struct cw_ocsp_cache cw_ocsp_cache;

/* A request's cache key (cw_ocsp_cache_key_of). */
typedef struct cw_ocsp_cache_key {
	uint8_t b[CW_OCSP_CACHE_KEY_MAX];
	size_t len;
} cw_ocsp_cache_key;

/* A hit: the bytes stay valid until the next put, clear or free. */
typedef struct cw_ocsp_cache_hit {
	const uint8_t *der;
	size_t len;
	int64_t this_update; /* of the stored response */
	int64_t next_update; /* for Cache-Control max-age (RFC 5019 6.2) */
} cw_ocsp_cache_hit;

typedef struct cw_ocsp_cache_stats {
	uint64_t hits;
	uint64_t misses;    /* no entry for the key */
	uint64_t stale;     /* entry dropped: the status changed */
	uint64_t expired;   /* entry dropped: past the refresh age or nextUpdate */
	uint64_t evictions; /* entries pushed out by a put */
	uint64_t refused;   /* puts not cached (too large, bad times) */
	size_t entries;     /* in use now */
	size_t capacity;
} cw_ocsp_cache_stats;

/*
 * Makes an empty cache of `entries` entries (rounded up to a multiple of
 * CW_OCSP_CACHE_WAYS; 1..CW_OCSP_CACHE_MAX_ENTRIES), each holding a
 * response of up to `max_response` octets (1..CW_OCSP_CACHE_MAX_RESPONSE),
 * at most CW_OCSP_CACHE_MAX_BYTES in all; entries are served for at most
 * `refresh` seconds after their thisUpdate (1..31 days).  CW_ERR_USAGE for
 * sizes or ages out of range, CW_ERR_NOMEM, CW_ERR_CRYPTO when no random
 * secret can be had.  *out (cw_ocsp_cache_free) receives the cache.
 */
cw_rc cw_ocsp_cache_new(size_t entries, size_t max_response, int64_t refresh,
    cw_ocsp_cache **out, cw_err *err) CW_MUST_USE;

/* NULL-safe. */
void cw_ocsp_cache_free(cw_ocsp_cache *c);

/*
 * Fills *k with the cache key of a parsed request and returns true, or
 * returns false when the request must not be answered from the cache: it
 * carries a nonce (see above), it has other than one CertID, or a CertID
 * field is out of the bounds of ocsp_resp.h.
 */
bool cw_ocsp_cache_key_of(const cw_ocsp_req *req, cw_ocsp_cache_key *k);

/*
 * Looks k up.  True with *hit filled when an entry exists, was made for the
 * status `current` (the one the caller just read from the store: status,
 * and for CW_OCSP_REVOKED also revoked_at and reason), now >= its
 * thisUpdate, now - thisUpdate < the refresh age and now < its nextUpdate.
 * An entry failing the status or time test is dropped.  False otherwise:
 * build and sign a response, then cw_ocsp_cache_put it.
 */
bool cw_ocsp_cache_get(cw_ocsp_cache *c, const cw_ocsp_cache_key *k,
    const cw_ocsp_status *current, int64_t now, cw_ocsp_cache_hit *hit);

/*
 * Stores a copy of `der` (len octets), the successful OCSPResponse made for
 * key k with status *st, thisUpdate this_update and nextUpdate next_update,
 * replacing any entry for k, else taking a free entry of k's set, else
 * evicting the set's least recently used one.  Returns false, storing
 * nothing, when len is 0 or over the cache's max_response, when
 * next_update <= this_update or a time is outside 1950..9999, or k is
 * malformed: the caller answers with its response all the same.
 */
bool cw_ocsp_cache_put(cw_ocsp_cache *c, const cw_ocsp_cache_key *k,
    const cw_ocsp_status *st, int64_t this_update, int64_t next_update,
    const uint8_t *der, size_t len);

/* Drops every entry (the signer changed).  Counters are kept. */
void cw_ocsp_cache_clear(cw_ocsp_cache *c);

/* The counters since cw_ocsp_cache_new, for /metrics. */
void cw_ocsp_cache_get_stats(const cw_ocsp_cache *c, cw_ocsp_cache_stats *s);

#endif
