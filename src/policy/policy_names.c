/*
 * policy_names.c - the policy's names for hashes, key usages, extended key
 * usages, curves and subject attributes (DESIGN 6).  One table per kind: the
 * loader reads names through them and printers write names from them, so a
 * spelling exists in exactly one place.
 */
#include "policy.h"

#include <limits.h>
#include <string.h>

#include <openssl/obj_mac.h>

/* Signature hashes; sha1 and md5 are deliberately absent (collision-broken). */
const cw_name_entry cw_hash_names[] = {
	{"sha256", CW_HASH_SHA256, false},
	{"sha384", CW_HASH_SHA384, false},
	{"sha512", CW_HASH_SHA512, false},
	{"sha224", CW_HASH_SHA224, false},
	{"sha3-256", CW_HASH_SHA3_256, false},
	{"sha3-384", CW_HASH_SHA3_384, false},
	{"sha3-512", CW_HASH_SHA3_512, false},
	{NULL, 0, false},
};

/* RFC 5280 4.2.1.3 names; X.509 (2005) renamed nonRepudiation. */
const cw_name_entry cw_ku_names[] = {
	{"digitalSignature", CW_KU_DIGITAL_SIGNATURE, false},
	{"nonRepudiation", CW_KU_NON_REPUDIATION, false},
	{"contentCommitment", CW_KU_NON_REPUDIATION, true},
	{"keyEncipherment", CW_KU_KEY_ENCIPHERMENT, false},
	{"dataEncipherment", CW_KU_DATA_ENCIPHERMENT, false},
	{"keyAgreement", CW_KU_KEY_AGREEMENT, false},
	{"keyCertSign", CW_KU_KEY_CERT_SIGN, false},
	{"cRLSign", CW_KU_CRL_SIGN, false},
	{"encipherOnly", CW_KU_ENCIPHER_ONLY, false},
	{"decipherOnly", CW_KU_DECIPHER_ONLY, false},
	{NULL, 0, false},
};

/* RFC 5280 4.2.1.12 key purposes. */
const cw_name_entry cw_eku_names[] = {
	{"serverAuth", NID_server_auth, false},
	{"clientAuth", NID_client_auth, false},
	{"codeSigning", NID_code_sign, false},
	{"emailProtection", NID_email_protect, false},
	{"timeStamping", NID_time_stamp, false},
	{"OCSPSigning", NID_OCSP_sign, false},
	{NULL, 0, false},
};

/* NIST names first (printed); the SEC 2 and X9.62 names are aliases. */
const cw_name_entry cw_curve_names[] = {
	{"P-256", NID_X9_62_prime256v1, false},
	{"P-384", NID_secp384r1, false},
	{"P-521", NID_secp521r1, false},
	{"prime256v1", NID_X9_62_prime256v1, true},
	{"secp256r1", NID_X9_62_prime256v1, true},
	{"secp384r1", NID_secp384r1, true},
	{"secp521r1", NID_secp521r1, true},
	{NULL, 0, false},
};

/* Keys under `subject:` and the attribute each one governs. */
const cw_name_entry cw_subject_names[] = {
	{"common_name", NID_commonName, false},
	{"organization", NID_organizationName, false},
	{"organizational_unit", NID_organizationalUnitName, false},
	{"country", NID_countryName, false},
	{"state", NID_stateOrProvinceName, false},
	{"locality", NID_localityName, false},
	{"email_address", NID_pkcs9_emailAddress, false},
	{"serial_number", NID_serialNumber, false},
	{"street_address", NID_streetAddress, false},
	{"postal_code", NID_postalCode, false},
	{"given_name", NID_givenName, false},
	{"surname", NID_surname, false},
	{"title", NID_title, false},
	{"domain_component", NID_domainComponent, false},
	{NULL, 0, false},
};

/*
 * Finds the row spelled exactly `name` in a NULL-terminated table.  Names are
 * case-sensitive, as written in the policy.  Returns a pointer into the
 * static table, or NULL.
 */
const cw_name_entry *
cw_name_lookup(const cw_name_entry *table, const char *name)
{
	size_t i;

	if (table == NULL || name == NULL)
		return NULL;
	for (i = 0; table[i].name != NULL; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

/*
 * Returns the printed name of `value` (the first row with that value that
 * is not an alias), a static string, or NULL when the table has none.
 */
const char *
cw_name_of(const cw_name_entry *table, int value)
{
	size_t i;

	if (table == NULL)
		return NULL;
	for (i = 0; table[i].name != NULL; i++)
		if (!table[i].alias && table[i].value == value)
			return table[i].name;
	return NULL;
}

/* Name of one CW_HASH_* bit ("sha256"), or NULL for anything else. */
const char *
cw_hash_name(uint32_t bit)
{
	if (bit == 0 || bit > INT_MAX)
		return NULL;
	return cw_name_of(cw_hash_names, (int)bit);
}

/* Name of one CW_KU_* bit ("digitalSignature"), or NULL for anything else. */
const char *
cw_ku_name(uint32_t bit)
{
	if (bit == 0 || bit > INT_MAX)
		return NULL;
	return cw_name_of(cw_ku_names, (int)bit);
}

/* The `subject:` key for an attribute NID ("common_name"), or NULL. */
const char *
cw_subject_key_for_nid(int nid)
{
	if (nid == NID_undef)
		return NULL;
	return cw_name_of(cw_subject_names, nid);
}

/* The policy's name for an EKU NID ("serverAuth"), or NULL. */
const char *
cw_eku_name(int nid)
{
	if (nid == NID_undef)
		return NULL;
	return cw_name_of(cw_eku_names, nid);
}
