/* keygen.c - see keygen.h. */
#include "keygen.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include "../common/fileio.h"
#include "../common/limits.h"
#include "../common/util.h"

cw_rc
cw_keyspec_parse(const char *text, cw_keyspec *spec, cw_err *err)
{
	cw_rc rc = CW_OK;
	int64_t bits;

	memset(spec, 0, sizeof(*spec));
	if (strncmp(text, "rsa:", 4) == 0) {
		CW_ENSURE(cw_parse_int64(text + 4, 2048, CW_MAX_RSA_BITS, &bits)
		    && bits % 8 == 0, CW_ERR_USAGE, "key algorithm '%s': RSA "
		    "size must be a multiple of 8 from 2048 to %d bits", text,
		    CW_MAX_RSA_BITS);
		spec->type = CW_KEYT_RSA;
		spec->bits = (int)bits;
	} else if (strcmp(text, "ec:P-256") == 0 ||
	    strcmp(text, "ec:P-384") == 0 || strcmp(text, "ec:P-521") == 0) {
		spec->type = CW_KEYT_EC;
		spec->curve_nid = text[5] == '2' ? NID_X9_62_prime256v1 :
		    text[5] == '3' ? NID_secp384r1 : NID_secp521r1;
		spec->bits = text[5] == '2' ? 256 : text[5] == '3' ? 384 : 521;
	} else if (strcmp(text, "ed25519") == 0) {
		spec->type = CW_KEYT_ED25519;
		spec->bits = 255;
	} else if (strcmp(text, "ed448") == 0) {
		spec->type = CW_KEYT_ED448;
		spec->bits = 448;
	} else {
		rc = cw_err_set(err, CW_ERR_USAGE, "unknown key algorithm '%s'; "
		    "use rsa:BITS, ec:P-256, ec:P-384, ec:P-521, ed25519 or "
		    "ed448", text);
	}
out:
	return rc;
}

void
cw_keyspec_format(const cw_keyspec *spec, char *buf, size_t len)
{
	switch (spec->type) {
	case CW_KEYT_RSA:
		snprintf(buf, len, "rsa:%d", spec->bits);
		break;
	case CW_KEYT_EC:
		snprintf(buf, len, "ec:%s", cw_curve_name(spec->curve_nid));
		break;
	default:
		snprintf(buf, len, "%s", cw_key_type_name(spec->type));
		break;
	}
}

cw_rc
cw_keygen(const cw_keyspec *spec, EVP_PKEY **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	EVP_PKEY *pkey = NULL;

	switch (spec->type) {
	case CW_KEYT_RSA:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)spec->bits);
		break;
	case CW_KEYT_EC:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
		    cw_curve_name(spec->curve_nid));
		break;
	case CW_KEYT_ED25519:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case CW_KEYT_ED448:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
		break;
	default:
		rc = cw_err_set(err, CW_ERR_USAGE,
		    "cannot generate keys of this type");
		goto out;
	}
	CW_ENSURE_OSSL(pkey != NULL, "key generation failed");
	*out = pkey;
	pkey = NULL;
out:
	EVP_PKEY_free(pkey);
	return rc;
}

cw_rc
cw_key_write(EVP_PKEY *pkey, const char *path, const char *pass,
    bool overwrite, cw_err *err)
{
	cw_rc rc = CW_OK;
	BIO *mem = NULL;
	char *data;
	long len;
	int ok;

	mem = BIO_new(BIO_s_secmem());
	CW_ENSURE_MEM(mem);
	if (pass != NULL)
		ok = PEM_write_bio_PKCS8PrivateKey(mem, pkey,
		    EVP_aes_256_cbc(), NULL, 0, NULL, (void *)pass);
	else
		ok = PEM_write_bio_PrivateKey(mem, pkey, NULL, NULL, 0, NULL,
		    NULL);
	CW_ENSURE_OSSL(ok == 1, "cannot encode the private key");
	len = BIO_get_mem_data(mem, &data);
	CW_ENSURE_OSSL(len > 0, "cannot encode the private key");
	CW_TRY(cw_write_file(path, data, (size_t)len, 0600, overwrite, err));
out:
	BIO_free(mem); /* secure heap BIO: cleansed on free */
	return rc;
}
