/* config.c - see config.h.  A flat YAML mapping read with libyaml. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "../common/fileio.h"
#include "../common/util.h"

#define CONFIG_MAX_BYTES (64 * 1024)

static cw_rc
set_key(cw_config *c, const char *path, const yaml_event_t *k,
    const yaml_event_t *v, bool *seen, cw_err *err)
{
	const char *key = (const char *)k->data.scalar.value;
	const char *val = (const char *)v->data.scalar.value;
	int line = (int)v->start_mark.line + 1, col = (int)v->start_mark.column + 1;
	int64_t d;

	if (strcmp(key, "version") == 0) {
		if (strcmp(val, "1") != 0)
			return cw_err_set(err, CW_ERR_CONFIG, "%s:%d:%d: version "
			    "must be 1", path, line, col);
		seen[0] = true;
	} else if (strcmp(key, "base_url") == 0) {
		if (strncmp(val, "http://", 7) != 0 &&
		    strncmp(val, "https://", 8) != 0)
			return cw_err_set(err, CW_ERR_CONFIG, "%s:%d:%d: base_url "
			    "must start with http:// or https://", path, line,
			    col);
		if (strlen(val) >= sizeof(c->base_url) - 64 ||
		    strpbrk(val, " \t\"<>\\") != NULL)
			return cw_err_set(err, CW_ERR_CONFIG, "%s:%d:%d: base_url "
			    "is too long or has characters a URL may not hold",
			    path, line, col);
		snprintf(c->base_url, sizeof(c->base_url), "%s", val);
		/* URLs are joined with "/path": no trailing slash */
		while (strlen(c->base_url) > 8 &&
		    c->base_url[strlen(c->base_url) - 1] == '/')
			c->base_url[strlen(c->base_url) - 1] = '\0';
		seen[1] = true;
	} else if (strcmp(key, "policy") == 0) {
		if (val[0] == '\0' || strlen(val) >= sizeof(c->policy))
			return cw_err_set(err, CW_ERR_CONFIG, "%s:%d:%d: policy "
			    "must name a file", path, line, col);
		snprintf(c->policy, sizeof(c->policy), "%s", val);
		seen[2] = true;
	} else if (strcmp(key, "crl_next_update") == 0 ||
	    strcmp(key, "max_validity") == 0) {
		if (!cw_parse_duration(val, &d) || d > 3650LL * 86400)
			return cw_err_set(err, CW_ERR_CONFIG, "%s:%d:%d: %s: "
			    "expected a duration such as 7d or 12h, got '%.40s'",
			    path, line, col, key, val);
		if (key[0] == 'c')
			c->crl_next_update = d;
		else
			c->max_validity = d;
	} else if (strcmp(key, "server_cert_lifetime") == 0) {
		/* renewed at 2/3 of it: under two minutes the server would
		 * spend its time restarting workers */
		if (!cw_parse_duration(val, &d) ||
		    d < CW_SERVER_CERT_LIFE_MIN || d > 397LL * 86400)
			return cw_err_set(err, CW_ERR_CONFIG, "%s:%d:%d: %s: "
			    "expected a duration from 2m to 397d, got '%.40s'",
			    path, line, col, key, val);
		c->server_cert_lifetime = d;
	} else {
		return cw_err_set(err, CW_ERR_CONFIG, "%s:%d:%d: unknown key "
		    "'%.40s'; expected one of: version, base_url, policy, "
		    "crl_next_update, max_validity, server_cert_lifetime", path,
		    (int)k->start_mark.line + 1, (int)k->start_mark.column + 1,
		    key);
	}
	return CW_OK;
}

cw_rc
cw_config_load(const char *path, cw_config *c, cw_err *err)
{
	cw_rc rc = CW_OK;
	uint8_t *buf = NULL;
	size_t len = 0;
	yaml_parser_t p;
	yaml_event_t ev, key;
	bool parser = false, have_key = false, done = false;
	bool seen[3] = {false, false, false};
	int depth = 0;

	memset(c, 0, sizeof(*c));
	c->crl_next_update = 7 * 86400;
	c->max_validity = 397 * 86400;
	c->server_cert_lifetime = CW_SERVER_CERT_LIFE_DEFAULT;
	memset(&key, 0, sizeof(key));
	CW_TRY(cw_read_file(path, CONFIG_MAX_BYTES, &buf, &len, err));
	CW_ENSURE(memchr(buf, '\0', len) == NULL, CW_ERR_CONFIG,
	    "%s: contains a NUL byte", path);
	CW_ENSURE(yaml_parser_initialize(&p), CW_ERR_NOMEM, "out of memory");
	parser = true;
	yaml_parser_set_input_string(&p, buf, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = cw_err_set(err, CW_ERR_CONFIG, "%s:%d:%d: %s", path,
			    (int)p.problem_mark.line + 1,
			    (int)p.problem_mark.column + 1,
			    p.problem ? p.problem : "YAML syntax error");
			goto out;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			if (++depth > 1 || ev.type != YAML_MAPPING_START_EVENT) {
				rc = cw_err_set(err, CW_ERR_CONFIG, "%s:%d:%d: "
				    "expected a flat mapping of settings", path,
				    (int)ev.start_mark.line + 1,
				    (int)ev.start_mark.column + 1);
				yaml_event_delete(&ev);
				goto out;
			}
			break;
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_ALIAS_EVENT:
			rc = cw_err_set(err, CW_ERR_CONFIG, "%s:%d:%d: aliases are "
			    "not allowed", path, (int)ev.start_mark.line + 1,
			    (int)ev.start_mark.column + 1);
			yaml_event_delete(&ev);
			goto out;
		case YAML_SCALAR_EVENT:
			if (depth != 1) {
				rc = cw_err_set(err, CW_ERR_CONFIG, "%s:%d:%d: "
				    "expected a mapping of settings", path,
				    (int)ev.start_mark.line + 1,
				    (int)ev.start_mark.column + 1);
				yaml_event_delete(&ev);
				goto out;
			}
			if (!have_key) {
				key = ev;
				have_key = true;
				continue; /* keep the key event alive */
			}
			rc = set_key(c, path, &key, &ev, seen, err);
			yaml_event_delete(&key);
			have_key = false;
			yaml_event_delete(&ev);
			if (rc != CW_OK)
				goto out;
			continue;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	CW_ENSURE(seen[0] && seen[1] && seen[2], CW_ERR_CONFIG,
	    "%s: version, base_url and policy are required", path);
out:
	if (have_key)
		yaml_event_delete(&key);
	if (parser)
		yaml_parser_delete(&p);
	free(buf);
	return rc;
}

cw_rc
cw_config_write(const char *path, const cw_config *c, cw_err *err)
{
	char text[2048], a[32], b[32];
	int n;

	cw_format_duration(c->crl_next_update, a, sizeof(a));
	cw_format_duration(c->max_validity, b, sizeof(b));
	n = snprintf(text, sizeof(text),
	    "# certward configuration (see docs/config.md).\n"
	    "# Unknown keys are errors.\n"
	    "version: 1\n"
	    "# base of the public PKI URLs written into certificates:\n"
	    "#   CRL  BASE/crl/issuing.crl   OCSP  BASE/ocsp\n"
	    "#   CA   BASE/ca/issuing.crt\n"
	    "base_url: \"%s\"\n"
	    "# the policy in force, relative to this directory\n"
	    "policy: \"%s\"\n"
	    "# how long a CRL is valid before the next one is due\n"
	    "crl_next_update: %s\n"
	    "# no certificate is valid longer than this, whatever a template "
	    "says\n"
	    "max_validity: %s\n", c->base_url, c->policy, a, b);
	if (n < 0 || (size_t)n >= sizeof(text))
		return cw_err_set(err, CW_ERR_INTERNAL, "config too long");
	return cw_write_file(path, text, (size_t)n, 0644, false, err);
}
