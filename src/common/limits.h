/*
 * limits.h - every size bound certward applies to outside input, in one place.
 */
#ifndef CW_LIMITS_H
#define CW_LIMITS_H

#define CW_MAX_CSR_BYTES (64 * 1024)      /* DESIGN 6.1: PEM or DER input */
#define CW_MAX_POLICY_BYTES (1024 * 1024) /* policy YAML file */
#define CW_MAX_YAML_DEPTH 32              /* nesting of the policy document */
#define CW_MAX_YAML_NODES 100000          /* nodes in one policy document */
#define CW_MAX_TEMPLATES 1000             /* templates in one policy */
#define CW_MAX_PATTERNS 1000              /* patterns in one SAN list */
#define CW_MAX_SANS 1000                  /* names in one CSR's SAN extension */
#define CW_MAX_SUBJECT_ATTRS 64           /* attributes in one subject */
#define CW_MAX_ATTRIBUTES 32              /* attributes in one CSR */
#define CW_MAX_EXTENSIONS 64              /* requested extensions in one CSR */
#define CW_MAX_VIOLATIONS 256             /* violations kept per verdict */
#define CW_MAX_NAME_BYTES 1024            /* one subject value or SAN */
#define CW_MAX_RSA_BITS 16384             /* largest modulus we decode */
#define CW_MAX_PASSPHRASE_BYTES 1024      /* key encryption passphrase */
#define CW_MAX_KEY_FILE_BYTES (256 * 1024) /* a private key file */
#define CW_MAX_CERT_BYTES (64 * 1024)      /* a client certificate (mTLS) */

#endif
