/*
 * name_match.h - validation and pattern matching of requested names
 * (DESIGN 6 and 6.1, a contract).  Pure: no I/O, no allocation visible to the
 * caller, no globals.
 *
 * Requested names come from a CSR and are hostile: they are given as byte
 * ranges (never C strings) and may contain NULs or any byte.  Patterns come
 * from the policy file; the loader validates each with the *_pattern_valid
 * function before it is ever used for matching.
 *
 * `why` buffers, where given, receive a short human reason ("label 2 is 64
 * octets, the limit is 63"); they may be NULL.
 */
#ifndef CW_NAME_MATCH_H
#define CW_NAME_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CW_WHY_MAX 160

/* --- DNS names ------------------------------------------------------------ */

/*
 * Checks a requested DNS name: LDH labels of 1-63 octets, total <= 253, no
 * hyphen at either end of a label, no trailing dot, no empty label, no NUL,
 * no byte outside [A-Za-z0-9-*]; `xn--` labels must be valid IDNA 2008
 * A-labels (libidn2); any other label with "--" in positions 3-4 is refused
 * (RFC 5891 4.2.3.1 reserves them).  `*` may only be the whole leftmost label
 * of a name of two or more labels, and only when allow_wildcard is true.
 * Returns true when valid.
 */
bool cw_dns_name_valid(const uint8_t *name, size_t len, bool allow_wildcard,
    char *why, size_t why_len);

/*
 * Checks a DNS pattern from the policy: an exact name, `*.SUFFIX` (one extra
 * leftmost label) or `**.SUFFIX` (one or more).  SUFFIX must be a valid name
 * of at least one label and at most 251 octets (so that a name can match).
 */
bool cw_dns_pattern_valid(const char *pattern, char *why, size_t why_len);

/*
 * Does the (already validated) requested name match the (validated) pattern?
 * Case-insensitive.  A requested wildcard `*.S` is covered only by the pattern
 * `*.S` or by `**.T` where S is T or ends with `.T`.  Both sides are checked
 * structurally again (a malformed one never matches), but A-labels are not
 * decoded again: validate names with cw_dns_name_valid first.
 */
bool cw_dns_match(const char *pattern, const uint8_t *name, size_t len);

/* --- IP addresses --------------------------------------------------------- */

typedef struct cw_cidr {
	int family; /* 4 or 6 */
	uint8_t addr[16];
	int prefix; /* 0..32 or 0..128 */
} cw_cidr;

/*
 * Parses "10.0.0.0/8", "fd00::/8" or a single address (a /32 or /128).
 * Host bits set beyond the prefix are an error ("10.1.0.0/8"), as are a
 * prefix with leading zeros or out of range, spaces, and an IPv6 block inside
 * ::ffff:0:0/96 (mapped addresses are matched as IPv4, so it could never
 * match; the reason names the IPv4 block to write instead).
 */
bool cw_cidr_parse(const char *text, cw_cidr *out, char *why, size_t why_len);

/*
 * Matches a requested IP SAN (4 or 16 octets, anything else is invalid and
 * never matches) against a block.  An IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is checked as the IPv4 address it maps, and only as that:
 * it matches IPv4 blocks, never IPv6 ones (not even ::/0).  Other IPv6 forms
 * (::a.b.c.d, 6to4, NAT64) are checked as written, against IPv6 blocks.
 */
bool cw_ip_match(const cw_cidr *block, const uint8_t *ip, size_t len);

/* Formats a requested IP (4 or 16 octets) as text; "<N-octet address>" else. */
void cw_ip_format(const uint8_t *ip, size_t len, char *buf, size_t buf_len);

/* --- URIs ----------------------------------------------------------------- */

/*
 * Checks a URI pattern from the policy: scheme ":" rest, printable ASCII,
 * `*` only as a whole host label or a whole path segment.
 */
bool cw_uri_pattern_valid(const char *pattern, char *why, size_t why_len);

/*
 * Matches a requested URI (hostile bytes) against a pattern.  Scheme and host
 * compare case-insensitively, the path case-sensitively.  `*` matches exactly
 * one non-empty host label (letters, digits, `-`, `_`) or one path segment
 * (RFC 3986 unreserved characters, not `.` or `..`), never `/` or `%`.  `%`,
 * `.`/`..` segments, empty segments, a trailing `/`, userinfo, a port, an IP
 * host (IP-literal, or a host ending in a number), a query or a fragment only
 * match where the pattern contains exactly that text.  A literal `*`, a NUL,
 * a control byte, a space or non-ASCII in the requested URI never matches.
 */
bool cw_uri_match(const char *pattern, const uint8_t *uri, size_t len);

/* Cheap syntactic check of a requested URI (scheme, ASCII, no `*`, no NUL). */
bool cw_uri_valid(const uint8_t *uri, size_t len, char *why, size_t why_len);

/* --- e-mail addresses ----------------------------------------------------- */

/* Pattern `LOCAL@DOMAIN`: LOCAL exact or `*`, DOMAIN a DNS pattern. */
bool cw_email_pattern_valid(const char *pattern, char *why, size_t why_len);

/* Requested address: one `@`, printable ASCII local part, valid DNS domain. */
bool cw_email_valid(const uint8_t *addr, size_t len, char *why, size_t why_len);

/* Local part compared exactly (or `*`), domain by cw_dns_match. */
bool cw_email_match(const char *pattern, const uint8_t *addr, size_t len);

/* --- subject value globs -------------------------------------------------- */

/* `*` matches any text including none; everything else byte-equal. */
bool cw_glob_match(const char *pattern, const uint8_t *text, size_t len);

#endif
