/*
 * config.h - the data directory's config.yaml: where the public PKI URLs
 * point, which policy file is in force and the CRL schedule.  Unknown keys
 * are errors naming file:line:column, as in the policy.
 */
#ifndef CW_CONFIG_H
#define CW_CONFIG_H

#include <stdint.h>

#include "../common/err.h"

/* serve's self-issued TLS certificate: default and shortest lifetime */
#define CW_SERVER_CERT_LIFE_DEFAULT (7 * 86400)
#define CW_SERVER_CERT_LIFE_MIN 120

typedef struct cw_config {
	char base_url[512];   /* e.g. http://pki.example.internal:8080 */
	char policy[512];     /* path, relative to the data directory */
	int64_t crl_next_update;  /* seconds; default 7d */
	int64_t max_validity;     /* cap over every template; default 397d */
	int64_t server_cert_lifetime; /* serve's own TLS certificate; 7d */
} cw_config;

/* Loads path; CW_ERR_CONFIG with "path:line:col: message" on problems. */
cw_rc cw_config_load(const char *path, cw_config *c, cw_err *err)
    CW_MUST_USE;

/* Writes a commented config file (mode 0644, atomic, never overwrites). */
cw_rc cw_config_write(const char *path, const cw_config *c, cw_err *err)
    CW_MUST_USE;

#endif
