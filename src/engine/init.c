/*
 * init.c - `certward init`: a new data directory with its config, policy,
 * database, root and issuing CA, and the audit signing key.  Nothing that
 * exists is ever replaced: a second init refuses and changes nothing.
 */
#include "engine_int.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "../common/fileio.h"
#include "../common/limits.h"
#include "../common/util.h"
#include "../x509/cert_build.h"
#include "../x509/keygen.h"
#include "example_policy.h"

#define ROOT_LIFETIME (10LL * 365 * 86400)
#define ISSUING_LIFETIME (5LL * 365 * 86400)

static cw_rc
mkdir_p(const char *path, mode_t mode, cw_err *err)
{
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return CW_OK;
	return cw_err_set(err, CW_ERR_IO, "cannot create %s: %s", path,
	    strerror(errno));
}

static cw_rc
write_pem_cert(const char *path, X509 *c, cw_err *err)
{
	cw_rc rc = CW_OK;
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;

	CW_ENSURE_MEM(b);
	CW_ENSURE_OSSL(PEM_write_bio_X509(b, c) == 1, "cannot encode %s", path);
	n = BIO_get_mem_data(b, &data);
	CW_TRY(cw_write_file(path, data, (size_t)n, 0644, false, err));
out:
	BIO_free(b);
	return rc;
}

static cw_rc
write_pub(const char *path, EVP_PKEY *k, cw_err *err)
{
	cw_rc rc = CW_OK;
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;

	CW_ENSURE_MEM(b);
	CW_ENSURE_OSSL(PEM_write_bio_PUBKEY(b, k) == 1, "cannot encode %s",
	    path);
	n = BIO_get_mem_data(b, &data);
	CW_TRY(cw_write_file(path, data, (size_t)n, 0644, false, err));
out:
	BIO_free(b);
	return rc;
}

/* Reads CERT (PEM, the issuing certificate first, optionally followed by
 * its chain up to the root) and KEY for --import-ca. */
static cw_rc
import_ca(const char *cert_path, const char *key_path, X509 **issuing,
    X509 **root, EVP_PKEY **key, cw_err *err)
{
	cw_rc rc = CW_OK;
	uint8_t *buf = NULL, *kbuf = NULL;
	size_t len = 0, klen = 0;
	BIO *b = NULL;
	X509 *c;
	BASIC_CONSTRAINTS *bc = NULL;

	CW_TRY(cw_read_file(cert_path, 256 * 1024, &buf, &len, err));
	b = BIO_new_mem_buf(buf, (int)len);
	CW_ENSURE_MEM(b);
	*issuing = PEM_read_bio_X509(b, NULL, NULL, NULL);
	CW_ENSURE(*issuing != NULL, CW_ERR_INPUT, "%s: no PEM certificate",
	    cert_path);
	while ((c = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		X509_free(*root);
		*root = c;
	}
	ERR_clear_error();
	/* a self-signed CA is its own root; an intermediate given alone
	 * leaves the root unknown to certward (relying parties have it) */
	if (*root == NULL && X509_check_issued(*issuing, *issuing) ==
	    X509_V_OK) {
		CW_ENSURE_OSSL(X509_up_ref(*issuing), "reference");
		*root = *issuing;
	}
	bc = X509_get_ext_d2i(*issuing, NID_basic_constraints, NULL, NULL);
	CW_ENSURE(bc != NULL && bc->ca, CW_ERR_INPUT, "%s: not a CA "
	    "certificate (basicConstraints CA:TRUE is missing)", cert_path);
	BIO_free(b);
	CW_TRY(cw_read_file(key_path, CW_MAX_KEY_FILE_BYTES, &kbuf, &klen,
	    err));
	b = BIO_new_mem_buf(kbuf, (int)klen);
	CW_ENSURE_MEM(b);
	*key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	CW_ENSURE(*key != NULL, CW_ERR_INPUT, "%s: not an unencrypted PEM "
	    "private key", key_path);
	CW_ENSURE(X509_check_private_key(*issuing, *key) == 1, CW_ERR_INPUT,
	    "%s does not belong to %s", key_path, cert_path);
out:
	BASIC_CONSTRAINTS_free(bc);
	BIO_free(b);
	free(buf);
	if (kbuf != NULL) {
		OPENSSL_cleanse(kbuf, klen);
		free(kbuf);
	}
	ERR_clear_error();
	return rc;
}

static void
fingerprint(X509 *c, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;

	X509_digest(c, EVP_sha256(), md, &n);
	cw_hex(md, 32, out);
}

cw_rc
cw_engine_init(const cw_init_opts *o, json_t **summary, cw_err *err)
{
	cw_rc rc = CW_OK;
	char path[1024], fp[65], name[256];
	struct stat st;
	cw_keyspec spec;
	EVP_PKEY *root_key = NULL, *iss_key = NULL, *audit_key = NULL;
	X509 *root = NULL, *iss = NULL;
	cw_config cfg;
	cw_policy *pol = NULL;
	cw_policy_errors *perrs = NULL;
	cw_store *store = NULL;
	uint8_t *pbuf = NULL;
	size_t plen = 0;
	int64_t now = (int64_t)time(NULL);
	cw_user admin;
	const char *admin_name = o->admin;
	struct passwd *pw;
	json_t *sum = NULL, *det = NULL;
	cw_audit_event ev;
	char *text = NULL;
	unsigned char psha[32];
	const char *org = o->org != NULL ? o->org : "certward";

	snprintf(path, sizeof(path), "%s/config.yaml", o->data_dir);
	CW_ENSURE(stat(path, &st) != 0, CW_ERR_EXISTS, "%s is already "
	    "initialised (config.yaml exists); nothing was changed",
	    o->data_dir);
	if (admin_name == NULL) {
		pw = getpwuid(getuid());
		admin_name = pw != NULL ? pw->pw_name : getenv("USER");
	}
	CW_ENSURE(admin_name != NULL && admin_name[0] != '\0' &&
	    strlen(admin_name) < CW_NAME_MAX, CW_ERR_USAGE,
	    "cannot tell the first administrator's name; give --admin NAME");

	/* the policy must be valid before anything is written */
	if (o->policy_path != NULL) {
		CW_TRY(cw_read_file(o->policy_path, CW_MAX_POLICY_BYTES, &pbuf,
		    &plen, err));
	} else {
		pbuf = malloc(CW_EXAMPLE_POLICY_LEN);
		CW_ENSURE_MEM(pbuf);
		memcpy(pbuf, cw_example_policy, CW_EXAMPLE_POLICY_LEN);
		plen = CW_EXAMPLE_POLICY_LEN;
	}
	perrs = calloc(1, sizeof(*perrs));
	CW_ENSURE_MEM(perrs);
	CW_TRY(cw_policy_load_mem(o->policy_path ? o->policy_path :
	    "example policy", (const char *)pbuf, plen, &pol, perrs, err));

	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.base_url, sizeof(cfg.base_url), "%s", o->base_url ?
	    o->base_url : "http://localhost:8080");
	CW_ENSURE(strncmp(cfg.base_url, "http://", 7) == 0 ||
	    strncmp(cfg.base_url, "https://", 8) == 0, CW_ERR_USAGE,
	    "--base-url must start with http:// or https://");
	while (strlen(cfg.base_url) > 8 &&
	    cfg.base_url[strlen(cfg.base_url) - 1] == '/')
		cfg.base_url[strlen(cfg.base_url) - 1] = '\0';
	snprintf(cfg.policy, sizeof(cfg.policy), "policy.yaml");
	cfg.crl_next_update = 7 * 86400;
	cfg.max_validity = 397 * 86400;

	/* keys and CA certificates */
	if (o->import_cert != NULL) {
		CW_TRY(import_ca(o->import_cert, o->import_key, &iss, &root,
		    &iss_key, err));
	} else {
		CW_TRY(cw_keyspec_parse(o->ca_alg ? o->ca_alg : "ec:P-256",
		    &spec, err));
		CW_TRY(cw_keygen(&spec, &root_key, err));
		CW_TRY(cw_keygen(&spec, &iss_key, err));
		snprintf(name, sizeof(name), "%s Root CA", org);
		CW_TRY(cw_ca_cert_make(root_key, name, org, now - 60,
		    now + ROOT_LIFETIME, NULL, NULL, &root, err));
		snprintf(name, sizeof(name), "%s Issuing CA", org);
		CW_TRY(cw_ca_cert_make(iss_key, name, org, now - 60,
		    now + ISSUING_LIFETIME, root, root_key, &iss, err));
	}
	audit_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	CW_ENSURE_OSSL(audit_key != NULL, "cannot generate the audit key");

	/* files: directories first, config.yaml last (it marks the
	 * directory as initialised) */
	CW_TRY(mkdir_p(o->data_dir, 0755, err));
	snprintf(path, sizeof(path), "%s/ca", o->data_dir);
	CW_TRY(mkdir_p(path, 0700, err));
	snprintf(path, sizeof(path), "%s/audit", o->data_dir);
	CW_TRY(mkdir_p(path, 0700, err));
	snprintf(path, sizeof(path), "%s/policy.yaml", o->data_dir);
	CW_TRY(cw_write_file(path, pbuf, plen, 0644, false, err));
	if (root != NULL) {
		snprintf(path, sizeof(path), "%s/ca/root.crt", o->data_dir);
		CW_TRY(write_pem_cert(path, root, err));
	}
	snprintf(path, sizeof(path), "%s/ca/issuing.crt", o->data_dir);
	CW_TRY(write_pem_cert(path, iss, err));
	snprintf(path, sizeof(path), "%s/ca/issuing.key", o->data_dir);
	CW_TRY(cw_key_write(iss_key, path, NULL, false, err));
	if (root_key != NULL) {
		if (o->root_key_out != NULL)
			snprintf(path, sizeof(path), "%s", o->root_key_out);
		else
			snprintf(path, sizeof(path), "%s/ca/root.key",
			    o->data_dir);
		CW_TRY(cw_key_write(root_key, path, NULL, false, err));
	}
	snprintf(path, sizeof(path), "%s/audit/audit.key", o->data_dir);
	CW_TRY(cw_key_write(audit_key, path, NULL, false, err));
	snprintf(path, sizeof(path), "%s/audit/audit.pub", o->data_dir);
	CW_TRY(write_pub(path, audit_key, err));

	snprintf(path, sizeof(path), "%s/certward.db", o->data_dir);
	CW_TRY(cw_store_open(path, true, &store, err));
	CW_TRY(cw_store_begin(store, err));
	memset(&admin, 0, sizeof(admin));
	snprintf(admin.name, sizeof(admin.name), "%s", admin_name);
	snprintf(admin.roles[0], sizeof(admin.roles[0]), "pki-admin");
	admin.n_roles = 1;
	admin.created_at = now;
	CW_TRY(cw_store_user_put(store, &admin, err));
	SHA256(pbuf, plen, psha);
	cw_hex(psha, 32, fp);
	det = json_pack("{s:s, s:s, s:s}", "policy_sha256", fp, "base_url",
	    cfg.base_url, "admin", admin_name);
	fingerprint(iss, fp);
	json_object_set_new(det, "issuing_ca_sha256", json_string(fp));
	if (root != NULL) {
		fingerprint(root, fp);
		json_object_set_new(det, "root_ca_sha256", json_string(fp));
	}
	json_object_set_new(det, "ca_imported", json_boolean(o->import_cert !=
	    NULL));
	text = cw_json_canonical(det);
	CW_ENSURE_MEM(text);
	memset(&ev, 0, sizeof(ev));
	ev.time = now;
	ev.actor = admin_name;
	ev.origin = "human";
	ev.channel = "cli";
	ev.action = "init";
	ev.object = "certward";
	ev.details = text;
	CW_TRY(cw_store_audit_append(store, &ev, err));
	CW_TRY(cw_store_meta_set(store, "crl_number", "0", err));
	CW_TRY(cw_store_commit(store, err));

	snprintf(path, sizeof(path), "%s/config.yaml", o->data_dir);
	CW_TRY(cw_config_write(path, &cfg, err));

	sum = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O}", "data_dir",
	    o->data_dir, "policy", "policy.yaml", "base_url", cfg.base_url,
	    "admin", admin_name, "root_key", root_key == NULL ? "(imported CA: "
	    "none)" : o->root_key_out ? o->root_key_out : "ca/root.key",
	    "audit", det);
	X509_NAME_oneline(X509_get_subject_name(iss), name, sizeof(name));
	json_object_set_new(sum, "issuing_ca", json_string(name));
	if (root != NULL)
		X509_NAME_oneline(X509_get_subject_name(root), name,
		    sizeof(name));
	else
		snprintf(name, sizeof(name), "(not given: append the chain to "
		    "the --import-ca file to record it)");
	json_object_set_new(sum, "root_ca", json_string(name));
	*summary = sum;
	sum = NULL;
out:
	free(text);
	json_decref(det);
	json_decref(sum);
	cw_store_close(store);
	cw_policy_free(pol);
	free(perrs);
	free(pbuf);
	X509_free(root);
	X509_free(iss);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(iss_key);
	EVP_PKEY_free(audit_key);
	return rc;
}
