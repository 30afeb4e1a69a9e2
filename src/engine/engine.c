/*
 * engine.c - opening a data directory and what every engine operation
 * shares: the acting user, role checks, audit events, time.
 */
#include "engine_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "../common/fileio.h"
#include "../common/limits.h"
#include "../common/util.h"
#include "../x509/key_read.h"

void
cw_engine_path(const cw_engine *e, const char *rel, char *buf, size_t len)
{
	if (rel[0] == '/')
		snprintf(buf, len, "%s", rel);
	else
		snprintf(buf, len, "%s/%s", e->data_dir, rel);
}

static cw_rc
load_pem_cert(const char *path, X509 **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	uint8_t *buf = NULL;
	size_t len = 0;
	BIO *b = NULL;

	CW_TRY(cw_read_file(path, 256 * 1024, &buf, &len, err));
	b = BIO_new_mem_buf(buf, (int)len);
	CW_ENSURE_MEM(b);
	*out = PEM_read_bio_X509(b, NULL, NULL, NULL);
	CW_ENSURE(*out != NULL, CW_ERR_CONFIG, "%s: not a PEM certificate",
	    path);
out:
	BIO_free(b);
	free(buf);
	return rc;
}

/*
 * Private keys are read without OpenSSL 3.0's generic decoder where
 * possible (key_read.h): that decoder alone cost a millisecond of every
 * CLI command.
 */
static cw_rc
load_pem_key(const char *path, EVP_PKEY **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	uint8_t *buf = NULL;
	size_t len = 0;

	CW_TRY(cw_read_file(path, CW_MAX_KEY_FILE_BYTES, &buf, &len, err));
	rc = cw_key_read_pem(buf, len, out, err);
	/* a bad key in the data directory is a configuration error */
	if (rc == CW_ERR_INPUT) {
		rc = CW_ERR_CONFIG;
		if (err != NULL) {
			cw_err_prefix(err, "%s: ", path);
			err->rc = rc;
		}
	}
out:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	return rc;
}

/* What an engine is opened for (sign.h): the CLI holds everything; a
 * server process never reads the CA's private keys; the signer process
 * holds the keys and no database. */
typedef enum open_mode {
	OPEN_LOCAL,
	OPEN_REMOTE,
	OPEN_KEYS,
} open_mode;

static cw_rc
engine_open(const char *data_dir, open_mode mode, const cw_signer *s,
    cw_engine **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_engine *e = NULL;
	char path[1024];
	cw_policy_errors *perrs = NULL;
	EVP_PKEY *k;
	X509 *root;

	e = calloc(1, sizeof(*e));
	CW_ENSURE_MEM(e);
	e->data_dir = strdup(data_dir);
	CW_ENSURE_MEM(e->data_dir);
	cw_engine_path(e, "config.yaml", path, sizeof(path));
	rc = cw_config_load(path, &e->cfg, err);
	if (rc == CW_ERR_IO || rc == CW_ERR_NOT_FOUND) {
		rc = cw_err_set(err, CW_ERR_NOT_FOUND, "%s is not an initialised "
		    "certward data directory (no readable config.yaml); run "
		    "'certward init' or give --data DIR", data_dir);
		goto out;
	}
	CW_TRY(rc);
	perrs = calloc(1, sizeof(*perrs));
	CW_ENSURE_MEM(perrs);
	cw_engine_path(e, e->cfg.policy, path, sizeof(path));
	CW_TRY(cw_policy_load_file(path, &e->policy, perrs, err));
	cw_engine_path(e, "ca/issuing.crt", path, sizeof(path));
	CW_TRY(load_pem_cert(path, &e->issuing, err));
	if (mode == OPEN_REMOTE) {
		/* the key is never read here, so no copy of it can linger in
		 * this process's memory (sign.h) */
		e->signer = *s;
		e->has_signer = true;
	} else {
		cw_engine_path(e, "ca/issuing.key", path, sizeof(path));
		CW_TRY(load_pem_key(path, &e->issuing_key, err));
		CW_ENSURE(X509_check_private_key(e->issuing, e->issuing_key) ==
		    1, CW_ERR_CONFIG, "ca/issuing.key does not belong to "
		    "ca/issuing.crt");
	}
	X509_NAME_oneline(X509_get_subject_name(e->issuing), e->issuing_name,
	    sizeof(e->issuing_name));
	if (mode == OPEN_KEYS) {
		CW_TRY(cw_engine_audit_key(e, &k, err));
	} else {
		cw_engine_path(e, "certward.db", path, sizeof(path));
		CW_TRY(cw_store_open(path, false, &e->store, err));
	}
	if (mode == OPEN_REMOTE) {
		/* read now what is read on first use elsewhere: the process
		 * gives up its file access once open (docs/security.md) */
		CW_TRY(cw_engine_root(e, &root, err));
		CW_TRY(cw_engine_audit_pub(e, &k, err));
	}
	*out = e;
	e = NULL;
out:
	free(perrs);
	cw_engine_close(e);
	return rc;
}

cw_rc
cw_engine_open(const char *data_dir, cw_engine **out, cw_err *err)
{
	return engine_open(data_dir, OPEN_LOCAL, NULL, out, err);
}

cw_rc
cw_engine_open_remote(const char *data_dir, const cw_signer *s,
    cw_engine **out, cw_err *err)
{
	return engine_open(data_dir, OPEN_REMOTE, s, out, err);
}

cw_rc
cw_engine_open_keys(const char *data_dir, cw_engine **out, cw_err *err)
{
	return engine_open(data_dir, OPEN_KEYS, NULL, out, err);
}

void
cw_engine_close(cw_engine *e)
{
	if (e == NULL)
		return;
	cw_store_close(e->store);
	cw_policy_free(e->policy);
	X509_free(e->issuing);
	X509_free(e->root);
	EVP_PKEY_free(e->issuing_key);
	EVP_PKEY_free(e->audit_key);
	EVP_PKEY_free(e->audit_pub);
	free(e->data_dir);
	free(e);
}

const cw_policy *
cw_engine_policy(const cw_engine *e)
{
	return e->policy;
}

int64_t
cw_engine_now(const cw_engine *e)
{
	(void)e;
	return (int64_t)time(NULL);
}

cw_rc
cw_engine_root(cw_engine *e, X509 **root, cw_err *err)
{
	cw_rc rc = CW_OK;
	char path[1024];

	/* loaded on first use: decoding a certificate's key costs as much as
	 * a whole policy check, and most commands never need the root */
	if (e->root == NULL) {
		cw_engine_path(e, "ca/root.crt", path, sizeof(path));
		/* optional: an imported intermediate may come alone */
		if (access(path, F_OK) == 0)
			CW_TRY(load_pem_cert(path, &e->root, err));
	}
	*root = e->root;
out:
	return rc;
}

cw_rc
cw_engine_audit_key(cw_engine *e, EVP_PKEY **key, cw_err *err)
{
	cw_rc rc = CW_OK;
	char path[1024];

	if (e->audit_key == NULL) {
		cw_engine_path(e, "audit/audit.key", path, sizeof(path));
		CW_TRY(load_pem_key(path, &e->audit_key, err));
	}
	*key = e->audit_key;
out:
	return rc;
}

cw_rc
cw_engine_audit_pub(cw_engine *e, EVP_PKEY **pub, cw_err *err)
{
	cw_rc rc = CW_OK;
	char path[1024];
	uint8_t *buf = NULL;
	size_t len = 0;
	BIO *b = NULL;

	if (e->audit_pub == NULL) {
		cw_engine_path(e, "audit/audit.pub", path, sizeof(path));
		if (access(path, F_OK) != 0 && errno == ENOENT) {
			/* a data directory without audit.pub: the public
			 * half of the key */
			CW_TRY(cw_engine_audit_key(e, &e->audit_pub, err));
			CW_ENSURE_OSSL(EVP_PKEY_up_ref(e->audit_pub) == 1,
			    "reference");
		} else {
			CW_TRY(cw_read_file(path, CW_MAX_KEY_FILE_BYTES, &buf,
			    &len, err));
			b = BIO_new_mem_buf(buf, (int)len);
			CW_ENSURE_MEM(b);
			e->audit_pub = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
			CW_ENSURE(e->audit_pub != NULL, CW_ERR_CONFIG, "%s: not "
			    "a PEM public key", path);
		}
	}
	*pub = e->audit_pub;
out:
	BIO_free(b);
	free(buf);
	return rc;
}

char *
cw_json_canonical(const json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

void
cw_serial_hex(const uint8_t *b, size_t len, char out[48])
{
	char hex[2 * 20 + 1];
	size_t i = 0;

	if (len > 20)
		len = 20;
	cw_hex(b, len, hex);
	while (hex[i] == '0' && hex[i + 1] != '\0')
		i++;
	snprintf(out, 48, "%s", hex + i);
}

cw_rc
cw_engine_audit(cw_engine *e, const cw_actor *a, const char *action,
    const char *object, json_t *details, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_audit_event ev;
	char *text = NULL;

	memset(&ev, 0, sizeof(ev));
	text = details != NULL ? cw_json_canonical(details) : strdup("{}");
	CW_ENSURE_MEM(text);
	ev.time = cw_engine_now(e);
	ev.actor = a != NULL ? a->name : "system";
	ev.origin = a != NULL && a->origin != NULL ? a->origin : "system";
	ev.channel = a != NULL && a->channel != NULL ? a->channel : "system";
	ev.action = action;
	ev.object = object;
	ev.details = text;
	CW_TRY(cw_store_audit_append(e->store, &ev, err));
out:
	free(text);
	return rc;
}

bool
cw_user_has_role(const cw_user *u, const char *role)
{
	size_t i;

	for (i = 0; i < u->n_roles; i++)
		if (strcmp(u->roles[i], role) == 0)
			return true;
	return false;
}

cw_rc
cw_actor_check(cw_engine *e, const cw_actor *a, cw_user *u, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_user tmp;
	bool found;

	CW_ENSURE(a != NULL && a->name != NULL && a->name[0] != '\0',
	    CW_ERR_USAGE, "no acting user; give --as NAME");
	CW_TRY(cw_store_user_get(e->store, a->name, u != NULL ? u : &tmp,
	    &found, err));
	CW_ENSURE(found, CW_ERR_NOT_FOUND, "unknown user '%s'; a pki-admin "
	    "adds users with 'certward user add' (act as one with --as NAME)",
	    a->name);
out:
	return rc;
}

cw_rc
cw_require_role(const cw_user *u, const char *const *roles, size_t n,
    const char *what, cw_err *err)
{
	char list[256] = "";
	size_t i, off = 0;
	int k;

	for (i = 0; i < n; i++) {
		if (cw_user_has_role(u, roles[i]))
			return CW_OK;
		k = snprintf(list + off, sizeof(list) - off, "%s%s",
		    i ? ", " : "", roles[i]);
		if (k > 0 && (size_t)k < sizeof(list) - off)
			off += (size_t)k;
	}
	return cw_err_set(err, CW_ERR_NONCOMPLIANT, "%s may not %s: it needs "
	    "the role %s", u->name, what, list);
}

cw_rc
cw_engine_audit_event(cw_engine *e, const cw_actor *a, const char *action,
    const char *object, json_t *details, cw_err *err)
{
	cw_rc rc = CW_OK;

	CW_TRY(cw_store_begin(e->store, err));
	CW_TRY(cw_engine_audit(e, a, action, object, details, err));
	CW_TRY(cw_store_commit(e->store, err));
out:
	if (rc != CW_OK)
		cw_store_rollback(e->store);
	return rc;
}
