/*
 * ocsp_cache.c - the bounded per-worker cache of signed OCSP responses
 * (ocsp_cache.h has the why and the rules).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ocsp_cache.h"

#define MAX_REFRESH (31 * 86400)
/* the times a response may carry (ocsp_resp.h: 1950..9999) */
#define TIME_MIN INT64_C(-631152000)   /* 1950-01-01T00:00:00Z */
#define TIME_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

typedef struct entry {
	uint64_t used; /* the cache's tick at the last put or hit; 0: free */
	int64_t this_update;
	int64_t next_update;
	cw_ocsp_status st;
	size_t der_len;
	size_t key_len;
	uint8_t key[CW_OCSP_CACHE_KEY_MAX];
} entry;

struct cw_ocsp_cache {
	entry *e;        /* n_sets * CW_OCSP_CACHE_WAYS */
	uint8_t *der;    /* the same number of max_response slots */
	size_t n_sets;
	size_t max_response;
	int64_t refresh;
	uint64_t tick;
	uint64_t k0, k1; /* SipHash secret */
	cw_ocsp_cache_stats stats;
};

/* --- SipHash-2-4 (Aumasson and Bernstein, 2012) --------------------------- */

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void
sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL(v[1], 13);
	v[1] ^= v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = ROTL(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = ROTL(v[1], 17);
	v[1] ^= v[2];
	v[2] = ROTL(v[2], 32);
}

static uint64_t
load_le64(const uint8_t *p, size_t n)
{
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < n; i++)
		m |= (uint64_t)p[i] << (8 * i);
	return m;
}

static uint64_t
siphash24(uint64_t k0, uint64_t k1, const uint8_t *in, size_t len)
{
	uint64_t v[4] = {
		k0 ^ UINT64_C(0x736f6d6570736575),
		k1 ^ UINT64_C(0x646f72616e646f6d),
		k0 ^ UINT64_C(0x6c7967656e657261),
		k1 ^ UINT64_C(0x7465646279746573),
	};
	uint64_t m;
	size_t i, full = len - len % 8;

	for (i = 0; i < full; i += 8) {
		m = load_le64(in + i, 8);
		v[3] ^= m;
		sip_round(v);
		sip_round(v);
		v[0] ^= m;
	}
	/* the last block: the remaining octets and the length's low byte */
	m = load_le64(in + full, len % 8) | ((uint64_t)(len & 0xff) << 56);
	v[3] ^= m;
	sip_round(v);
	sip_round(v);
	v[0] ^= m;
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* --- the cache ------------------------------------------------------------- */

/* Creates the cache; see ocsp_cache.h for the bounds. */
cw_rc
cw_ocsp_cache_new(size_t entries, size_t max_response, int64_t refresh,
    cw_ocsp_cache **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_ocsp_cache *c = NULL;
	uint8_t secret[16];
	size_t n, per, total;

	*out = NULL;
	CW_ENSURE(entries >= 1 && entries <= CW_OCSP_CACHE_MAX_ENTRIES,
	    CW_ERR_USAGE, "OCSP cache: %zu entries: expected 1..%d", entries,
	    CW_OCSP_CACHE_MAX_ENTRIES);
	CW_ENSURE(max_response >= 1 &&
	    max_response <= CW_OCSP_CACHE_MAX_RESPONSE, CW_ERR_USAGE,
	    "OCSP cache: responses of %zu octets: expected 1..%d",
	    max_response, CW_OCSP_CACHE_MAX_RESPONSE);
	CW_ENSURE(refresh >= 1 && refresh <= MAX_REFRESH, CW_ERR_USAGE,
	    "OCSP cache: refresh age %lld s: expected 1..%d",
	    (long long)refresh, MAX_REFRESH);
	n = (entries + CW_OCSP_CACHE_WAYS - 1) / CW_OCSP_CACHE_WAYS;
	CW_ENSURE(!__builtin_add_overflow(sizeof(entry), max_response, &per) &&
	    !__builtin_mul_overflow(per, n * CW_OCSP_CACHE_WAYS, &total) &&
	    total <= CW_OCSP_CACHE_MAX_BYTES, CW_ERR_USAGE,
	    "OCSP cache: %zu entries of %zu octets exceed %zu octets in all",
	    entries, max_response, CW_OCSP_CACHE_MAX_BYTES);
	c = calloc(1, sizeof(*c));
	CW_ENSURE_MEM(c);
	/* calloc: pages no entry has touched stay out of the RSS */
	c->e = calloc(n * CW_OCSP_CACHE_WAYS, sizeof(entry));
	CW_ENSURE_MEM(c->e);
	c->der = calloc(n * CW_OCSP_CACHE_WAYS, max_response);
	CW_ENSURE_MEM(c->der);
	CW_ENSURE_OSSL(RAND_bytes(secret, sizeof(secret)) == 1,
	    "OCSP cache: no random secret");
	c->k0 = load_le64(secret, 8);
	c->k1 = load_le64(secret + 8, 8);
	c->n_sets = n;
	c->max_response = max_response;
	c->refresh = refresh;
	c->stats.capacity = n * CW_OCSP_CACHE_WAYS;
	*out = c;
	c = NULL;
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	cw_ocsp_cache_free(c);
	return rc;
}

/* Frees the cache; NULL-safe. */
void
cw_ocsp_cache_free(cw_ocsp_cache *c)
{
	if (c == NULL)
		return;
	free(c->e);
	free(c->der);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

/* The cache key of a request, or false when it must bypass the cache. */
bool
cw_ocsp_cache_key_of(const cw_ocsp_req *req, cw_ocsp_cache_key *k)
{
	const cw_ocsp_single *s;
	size_t n = 0;

	k->len = 0;
	/* RFC 6960 4.4.1, RFC 9654: a nonce response is for one request */
	if (req == NULL || req->has_nonce || req->n_single != 1)
		return false;
	s = &req->single[0];
	if (s->hash_len == 0 || s->hash_len > CW_OCSP_HASH_MAX ||
	    s->serial_len == 0 || s->serial_len > CW_OCSP_SERIAL_MAX ||
	    (unsigned int)s->hash > 0xff)
		return false;
	/* everything of the CertID the response echoes (ocsp_resp.h) */
	k->b[n++] = (uint8_t)s->hash;
	k->b[n++] = s->hash_params_null ? 1 : 0;
	k->b[n++] = (uint8_t)s->hash_len;
	k->b[n++] = (uint8_t)s->serial_len;
	memcpy(k->b + n, s->name_hash, s->hash_len);
	n += s->hash_len;
	memcpy(k->b + n, s->key_hash, s->hash_len);
	n += s->hash_len;
	memcpy(k->b + n, s->serial, s->serial_len);
	n += s->serial_len;
	k->len = n;
	return true;
}

static bool
key_ok(const cw_ocsp_cache_key *k)
{
	return k != NULL && k->len >= 1 && k->len <= CW_OCSP_CACHE_KEY_MAX;
}

/* The first entry of k's set. */
static entry *
set_of(cw_ocsp_cache *c, const cw_ocsp_cache_key *k)
{
	uint64_t h = siphash24(c->k0, c->k1, k->b, k->len);

	return &c->e[(size_t)(h % c->n_sets) * CW_OCSP_CACHE_WAYS];
}

static entry *
find(entry *set, const cw_ocsp_cache_key *k)
{
	size_t w;

	for (w = 0; w < CW_OCSP_CACHE_WAYS; w++)
		if (set[w].used != 0 && set[w].key_len == k->len &&
		    memcmp(set[w].key, k->b, k->len) == 0)
			return &set[w];
	return NULL;
}

static bool
status_equal(const cw_ocsp_status *a, const cw_ocsp_status *b)
{
	if (a->status != b->status)
		return false;
	/* RFC 6960 4.2.1: a revoked answer carries time and reason */
	if (a->status == CW_OCSP_REVOKED)
		return a->revoked_at == b->revoked_at && a->reason == b->reason;
	return true;
}

static void
drop(cw_ocsp_cache *c, entry *e)
{
	e->used = 0;
	c->stats.entries--;
}

/* Looks a key up for the status the store holds now; see the header. */
bool
cw_ocsp_cache_get(cw_ocsp_cache *c, const cw_ocsp_cache_key *k,
    const cw_ocsp_status *current, int64_t now, cw_ocsp_cache_hit *hit)
{
	entry *e;

	memset(hit, 0, sizeof(*hit));
	if (!key_ok(k) || current == NULL ||
	    (e = find(set_of(c, k), k)) == NULL) {
		c->stats.misses++;
		return false;
	}
	/* a revocation (or a new reason) since the response was made */
	if (!status_equal(&e->st, current)) {
		drop(c, e);
		c->stats.stale++;
		return false;
	}
	/* stored times are within TIME_MIN..TIME_MAX: no overflow below;
	 * a clock that went back makes the entry useless, not younger */
	if (now < e->this_update || now >= e->next_update ||
	    now - e->this_update >= c->refresh) {
		drop(c, e);
		c->stats.expired++;
		return false;
	}
	e->used = ++c->tick;
	hit->der = c->der + (size_t)(e - c->e) * c->max_response;
	hit->len = e->der_len;
	hit->this_update = e->this_update;
	hit->next_update = e->next_update;
	c->stats.hits++;
	return true;
}

/* Stores a response for a key; see the header. */
bool
cw_ocsp_cache_put(cw_ocsp_cache *c, const cw_ocsp_cache_key *k,
    const cw_ocsp_status *st, int64_t this_update, int64_t next_update,
    const uint8_t *der, size_t len)
{
	entry *set, *e;
	size_t w;

	if (!key_ok(k) || st == NULL || der == NULL || len == 0 ||
	    len > c->max_response || this_update < TIME_MIN ||
	    next_update > TIME_MAX || next_update <= this_update ||
	    (st->status != CW_OCSP_GOOD && st->status != CW_OCSP_REVOKED &&
	    st->status != CW_OCSP_UNKNOWN)) {
		c->stats.refused++;
		return false;
	}
	set = set_of(c, k);
	if ((e = find(set, k)) == NULL) {
		/* a free way, else the least recently used one */
		e = &set[0];
		for (w = 0; w < CW_OCSP_CACHE_WAYS; w++) {
			if (set[w].used == 0) {
				e = &set[w];
				break;
			}
			if (set[w].used < e->used)
				e = &set[w];
		}
		if (e->used != 0)
			c->stats.evictions++;
		else
			c->stats.entries++;
	}
	e->used = ++c->tick;
	e->this_update = this_update;
	e->next_update = next_update;
	e->st = *st;
	e->der_len = len;
	e->key_len = k->len;
	memcpy(e->key, k->b, k->len);
	memcpy(c->der + (size_t)(e - c->e) * c->max_response, der, len);
	return true;
}

/* Drops every entry; the counters stay. */
void
cw_ocsp_cache_clear(cw_ocsp_cache *c)
{
	size_t i, n = c->n_sets * CW_OCSP_CACHE_WAYS;

	for (i = 0; i < n; i++)
		c->e[i].used = 0;
	c->stats.entries = 0;
}

/* The counters since the cache was made. */
void
cw_ocsp_cache_get_stats(const cw_ocsp_cache *c, cw_ocsp_cache_stats *s)
{
	*s = c->stats;
}
