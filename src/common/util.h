/*
 * util.h - small bounded helpers shared by every layer: printable escaping of
 * untrusted bytes, hex, bounded number and duration parsing.
 */
#ifndef CW_UTIL_H
#define CW_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define CW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Copies untrusted bytes into buf as printable ASCII: bytes outside 0x20-0x7e
 * and the backslash become \xNN.  Truncates with "..." when buf is short.
 * Always NUL-terminates (buf_len > 0).  Returns buf.
 */
char *cw_escape(const uint8_t *in, size_t len, char *buf, size_t buf_len);

/*
 * Valid UTF-8 (no overlong forms, surrogates, code points beyond U+10FFFF)
 * without C1 control characters.
 */
bool cw_utf8_valid(const uint8_t *s, size_t len);

/*
 * Like cw_escape, but valid non-control UTF-8 sequences are kept as they
 * are (for display of names in other scripts).
 */
char *cw_escape_utf8(const uint8_t *in, size_t len, char *buf, size_t buf_len);

/* First occurrence of needle in hay (portable memmem), or NULL. */
const void *cw_memfind(const void *hay, size_t hlen, const void *needle,
    size_t nlen);

/* Lower-case hex of in into buf (needs 2*len+1 bytes). */
void cw_hex(const uint8_t *in, size_t len, char *buf);

/*
 * Parses a whole decimal integer in [min, max]; no sign unless min < 0, no
 * leading whitespace, no trailing text.  Returns false on any deviation.
 */
bool cw_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);

/*
 * Parses a duration "N" followed by s, m, h or d ("90d", "24h") into seconds.
 * N is a positive decimal integer; overflow-checked.
 */
bool cw_parse_duration(const char *s, int64_t *seconds);

/*
 * Parses a point in time: a duration from now ("30d"), a date
 * ("2027-01-31", midnight UTC) or an RFC 3339 UTC time
 * ("2027-01-31T12:00:00Z").  Refuses dates that do not exist.
 */
bool cw_parse_time(const char *s, int64_t now, int64_t *out);

/* RFC 3339 UTC text of a Unix time ("2026-11-22T05:27:00Z"). */
void cw_time_text(int64_t t, char *buf, size_t len);

/* Formats seconds as the largest exact unit ("90d", "36h", "45s"). */
void cw_format_duration(int64_t seconds, char *buf, size_t buf_len);

/* Constant-time comparison of two equal-length byte strings. */
bool cw_ct_equal(const void *a, const void *b, size_t len);

/* ASCII case-insensitive equality of two byte ranges. */
bool cw_ascii_caseeq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

#endif
