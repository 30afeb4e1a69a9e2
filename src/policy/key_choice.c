/* key_choice.c - see key_choice.h. */
#include "key_choice.h"

#include <string.h>

#include <openssl/objects.h>

static bool
has_curve(const cw_template *t, int nid)
{
	size_t i;

	if (!t->ec.allowed)
		return false;
	for (i = 0; i < t->ec.n_curves; i++)
		if (t->ec.curves[i] == nid)
			return true;
	return false;
}

cw_rc
cw_template_default_key(const cw_template *t, cw_keyspec *out, cw_err *err)
{
	static const int pref[] = {NID_X9_62_prime256v1, NID_secp384r1,
	    NID_secp521r1};
	size_t i;
	int bits;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < sizeof(pref) / sizeof(pref[0]); i++) {
		if (has_curve(t, pref[i])) {
			out->type = CW_KEYT_EC;
			out->curve_nid = pref[i];
			out->bits = i == 0 ? 256 : i == 1 ? 384 : 521;
			return CW_OK;
		}
	}
	if (t->ed25519) {
		out->type = CW_KEYT_ED25519;
		out->bits = 255;
		return CW_OK;
	}
	if (t->rsa.allowed) {
		bits = t->rsa.min_bits > 3072 ? t->rsa.min_bits : 3072;
		if (bits > t->rsa.max_bits)
			bits = t->rsa.max_bits;
		out->type = CW_KEYT_RSA;
		out->bits = (bits + 7) / 8 * 8;
		return CW_OK;
	}
	if (t->ed448) {
		out->type = CW_KEYT_ED448;
		out->bits = 448;
		return CW_OK;
	}
	return cw_err_set(err, CW_ERR_CONFIG, "template '%s' allows no key "
	    "type certward can generate (rsa, ec, ed25519, ed448)", t->name);
}

cw_rc
cw_template_sig_md(const cw_template *t, const cw_keyspec *key,
    const char **md, cw_err *err)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} order[] = {
		{CW_HASH_SHA256, "SHA256"}, {CW_HASH_SHA384, "SHA384"},
		{CW_HASH_SHA512, "SHA512"}, {CW_HASH_SHA3_256, "SHA3-256"},
		{CW_HASH_SHA3_384, "SHA3-384"}, {CW_HASH_SHA3_512, "SHA3-512"},
		{CW_HASH_SHA224, "SHA224"},
	};
	uint32_t want = CW_HASH_SHA256;
	size_t i;

	*md = NULL;
	if (key->type == CW_KEYT_ED25519 || key->type == CW_KEYT_ED448)
		return CW_OK;
	/* NIST SP 800-57: match the hash strength to the key */
	if (key->type == CW_KEYT_EC)
		want = key->bits >= 521 ? CW_HASH_SHA512 : key->bits >= 384 ?
		    CW_HASH_SHA384 : CW_HASH_SHA256;
	else if (key->bits >= 7680)
		want = CW_HASH_SHA384;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (order[i].bit == want && (t->sig_hashes & want)) {
			*md = order[i].name;
			return CW_OK;
		}
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (t->sig_hashes & order[i].bit) {
			*md = order[i].name;
			return CW_OK;
		}
	return cw_err_set(err, CW_ERR_CONFIG, "template '%s' allows no "
	    "signature hash", t->name);
}
