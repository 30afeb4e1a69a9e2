/*
 * name_match.c - validation and matching of requested names against policy
 * patterns (DESIGN 6 and 6.1, a contract).
 *
 * Requested names are hostile byte ranges.  Every function here is pure: the
 * only state is the caller's arguments and const tables; libidn2 allocates
 * internally while an A-label is checked and frees before returning.  Where a
 * check cannot be completed (libidn2 out of memory) the answer is "invalid":
 * a name matching policy is never the result of an error.
 */
#include "name_match.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../common/err.h"

#define DNS_MAX_NAME  253 /* RFC 1035 2.3.4, as text without the root dot */
#define DNS_MAX_LABEL 63  /* RFC 1035 2.3.4 */
#define EMAIL_MAX_LOCAL 64 /* RFC 5321 4.5.3.1.1 */
#define SHOW_MAX_BYTES 32  /* untrusted bytes quoted in a reason */

/* --- helpers -------------------------------------------------------------- */

static void why_set(char *, size_t, const char *, ...) CW_PRINTF(3, 4);

static void
why_set(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || why_len == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
}

/*
 * Renders untrusted bytes for a reason: printable ASCII as is, everything
 * else (and the quote and backslash) as \xNN, at most SHOW_MAX_BYTES input
 * bytes followed by "..." when longer.  dst always ends up NUL-terminated.
 */
static void
show(char *dst, size_t cap, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (cap == 0)
		return;
	for (i = 0; i < n && i < SHOW_MAX_BYTES; i++) {
		uint8_t c = p[i];

		if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
			if (o + 1 >= cap)
				break;
			dst[o++] = (char)c;
		} else {
			if (o + 4 >= cap)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 0x0f];
		}
	}
	if (i < n && o + 3 < cap) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

static uint8_t
lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c - 'A' + 'a') : c;
}

static bool
is_alpha(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool
is_hex(uint8_t c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* ASCII case-insensitive equality of two ranges. */
static bool
ci_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

static bool
bytes_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static const uint8_t *
find_byte(const uint8_t *p, size_t n, uint8_t c)
{
	return n == 0 ? NULL : memchr(p, c, n);
}

/* --- DNS names ------------------------------------------------------------ */

/*
 * Is the `xn--` label (any case; it is lower-cased here, as DNS compares
 * case-insensitively and punycode's case annotations carry no meaning for
 * IDNA 2008) a valid IDNA 2008 A-label?  RFC 5891 5.4, RFC 5890 2.3.2.1:
 * it must decode as punycode to a U-label whose every code point is PVALID
 * (or passes its CONTEXTJ/CONTEXTO rule), which is in NFC, obeys the bidi
 * rule (RFC 5893), and whose encoding gives back exactly this label.
 * libidn2 does the decoding (idn2_to_unicode_8z8z) and the IDNA 2008 checks
 * (idn2_lookup_u8 with IDN2_NO_TR46: no UTS #46 mapping, so nothing is
 * silently rewritten); the round trip catches non-canonical encodings and
 * labels that decode to ASCII.
 */
static bool
alabel_valid(const uint8_t *label, size_t n, char *why, size_t why_len)
{
	char lc[DNS_MAX_LABEL + 1];
	char shown[SHOW_MAX_BYTES * 4 + 4];
	char *ulabel = NULL;
	uint8_t *back = NULL;
	bool ok = false;
	size_t i;
	int r;

	show(shown, sizeof(shown), label, n);
	if (n > DNS_MAX_LABEL)
		goto out;	/* the caller checked; belt and braces */
	for (i = 0; i < n; i++)
		lc[i] = (char)lower(label[i]);
	lc[n] = '\0';
	r = idn2_to_unicode_8z8z(lc, &ulabel, 0);
	if (r != IDN2_OK) {
		why_set(why, why_len, "label '%s' is not valid punycode (%s)",
		    shown, idn2_strerror(r));
		goto out;
	}
	/* Punycode only inserts code points >= 0x80, but never trust that. */
	if (ulabel[0] == '\0' || strchr(ulabel, '.') != NULL) {
		why_set(why, why_len, "label '%s' does not decode to a U-label",
		    shown);
		goto out;
	}
	r = idn2_lookup_u8((const uint8_t *)ulabel, &back, IDN2_NO_TR46);
	if (r != IDN2_OK) {
		why_set(why, why_len,
		    "label '%s' is not a valid IDNA 2008 A-label (%s)", shown,
		    idn2_strerror(r));
		goto out;
	}
	if (strcmp((const char *)back, lc) != 0) {
		why_set(why, why_len,
		    "label '%s' is not the canonical A-label of what it "
		    "encodes", shown);
		goto out;
	}
	ok = true;
out:
	idn2_free(ulabel);
	idn2_free(back);
	return ok;
}

/*
 * Checks one label (not `*`; the caller handles wildcards).  num is the
 * 1-based position used in reasons.  With idna false the A-label check is
 * skipped (see cw_dns_match).
 */
static bool
label_valid(const uint8_t *l, size_t n, size_t num, bool idna, char *why,
    size_t why_len)
{
	char shown[SHOW_MAX_BYTES * 4 + 4];
	size_t i;

	if (n == 0) {
		why_set(why, why_len, "label %zu is empty", num);
		return false;
	}
	if (n > DNS_MAX_LABEL) {
		why_set(why, why_len,
		    "label %zu is %zu octets; the limit is %d", num, n,
		    DNS_MAX_LABEL);
		return false;
	}
	show(shown, sizeof(shown), l, n);
	for (i = 0; i < n; i++) {
		uint8_t c = l[i];

		if (is_alpha(c) || is_digit(c) || c == '-')
			continue;
		if (c == '\0')
			why_set(why, why_len, "label %zu contains a NUL byte",
			    num);
		else if (c == '*')
			why_set(why, why_len,
			    "label '%s': '*' may only be the whole leftmost "
			    "label", shown);
		else if (c >= 0x80)
			why_set(why, why_len,
			    "label '%s' has a non-ASCII byte; "
			    "internationalised names must be written as "
			    "A-labels (xn--)", shown);
		else
			why_set(why, why_len,
			    "label '%s' has a byte outside letters, digits and "
			    "hyphen", shown);
		return false;
	}
	/* RFC 952, RFC 1123 2.1: LDH labels neither start nor end with '-'. */
	if (l[0] == '-' || l[n - 1] == '-') {
		why_set(why, why_len, "label '%s' %s with a hyphen", shown,
		    l[0] == '-' ? "starts" : "ends");
		return false;
	}
	/*
	 * RFC 5891 4.2.3.1 and RFC 5890 2.3.1: labels with "--" in the third
	 * and fourth positions ("??--") are reserved; only "xn--" is in use,
	 * and such a label must be a real A-label.  Any other "??--" label is
	 * refused: a future prefix must not be accepted blindly today.
	 */
	if (n >= 4 && l[2] == '-' && l[3] == '-') {
		if (lower(l[0]) != 'x' || lower(l[1]) != 'n') {
			why_set(why, why_len,
			    "label '%s' has '--' in positions 3-4, which IDNA "
			    "2008 reserves (RFC 5891 4.2.3.1)", shown);
			return false;
		}
		if (idna && !alabel_valid(l, n, why, why_len))
			return false;
	}
	return true;
}

/*
 * The shared DNS name check.  first_num numbers the first label in reasons
 * (a pattern's suffix starts at label 2).  allow_wildcard admits `*` as the
 * whole leftmost label of a name of at least two labels.
 */
static bool
dns_check(const uint8_t *name, size_t len, bool allow_wildcard, bool idna,
    size_t first_num, char *why, size_t why_len)
{
	size_t start = 0, num = first_num;

	if (name == NULL || len == 0) {
		why_set(why, why_len, "the name is empty");
		return false;
	}
	/* RFC 1035 2.3.4: 255 octets on the wire is 253 characters of text. */
	if (len > DNS_MAX_NAME) {
		why_set(why, why_len, "the name is %zu octets; the limit is %d",
		    len, DNS_MAX_NAME);
		return false;
	}
	/* DESIGN 6: a trailing dot makes the name invalid (no FQDN form). */
	if (name[len - 1] == '.') {
		why_set(why, why_len, "the name ends with a dot");
		return false;
	}
	while (start <= len) {
		const uint8_t *dot = find_byte(name + start, len - start, '.');
		size_t end = dot != NULL ? (size_t)(dot - name) : len;
		size_t n = end - start;

		if (n == 1 && name[start] == '*') {
			/* RFC 6125 6.4.3: only the complete leftmost label. */
			if (start != 0 || first_num != 1) {
				why_set(why, why_len,
				    "'*' may only be the whole leftmost label");
				return false;
			}
			if (!allow_wildcard) {
				why_set(why, why_len,
				    "a wildcard name is not allowed here");
				return false;
			}
			if (dot == NULL) {
				why_set(why, why_len,
				    "'*' alone is not a name; a wildcard needs "
				    "a domain after it");
				return false;
			}
		} else if (!label_valid(name + start, n, num, idna, why,
		    why_len))
			return false;
		if (dot == NULL)
			break;
		start = end + 1;
		num++;
	}
	return true;
}

/*
 * cw_dns_name_valid: see name_match.h.  True when name[0..len) is a valid
 * requested DNS name; otherwise false with the reason in why.
 */
bool
cw_dns_name_valid(const uint8_t *name, size_t len, bool allow_wildcard,
    char *why, size_t why_len)
{
	return dns_check(name, len, allow_wildcard, true, 1, why, why_len);
}

/*
 * Splits a DNS pattern into its kind (0 exact, 1 `*.`, 2 `**.`) and the
 * suffix that must be a plain name.  A pattern that is only `*` or `**` (or
 * starts with them and has no dot after) is reported through kind 0 and
 * fails later as an exact name containing `*`.
 */
static int
dns_pattern_kind(const char *p, size_t plen, size_t *skip)
{
	if (plen >= 3 && memcmp(p, "**.", 3) == 0) {
		*skip = 3;
		return 2;
	}
	if (plen >= 2 && memcmp(p, "*.", 2) == 0) {
		*skip = 2;
		return 1;
	}
	*skip = 0;
	return 0;
}

/*
 * Pattern check with or without the (costly) A-label check.  A wildcard
 * pattern's suffix is limited to 251 octets so that at least one name
 * (`x.SUFFIX`, 253 octets) can match it.
 */
static bool
dns_pattern_check(const char *pattern, size_t plen, bool idna, char *why,
    size_t why_len)
{
	size_t skip;
	int kind;

	if (pattern == NULL || plen == 0) {
		why_set(why, why_len, "the pattern is empty");
		return false;
	}
	if (plen == 1 && pattern[0] == '*') {
		why_set(why, why_len, "'*' alone is not a pattern; write "
		    "'*.DOMAIN' or '**.DOMAIN'");
		return false;
	}
	if (plen == 2 && memcmp(pattern, "**", 2) == 0) {
		why_set(why, why_len, "'**' alone is not a pattern; write "
		    "'**.DOMAIN'");
		return false;
	}
	kind = dns_pattern_kind(pattern, plen, &skip);
	if (kind == 0)
		return dns_check((const uint8_t *)pattern, plen, false, idna, 1,
		    why, why_len);
	if (plen == skip) {
		why_set(why, why_len, "nothing follows '%s'",
		    kind == 2 ? "**." : "*.");
		return false;
	}
	if (plen - skip > DNS_MAX_NAME - 2) {
		why_set(why, why_len,
		    "the domain after '%s' is %zu octets; the limit is %d",
		    kind == 2 ? "**." : "*.", plen - skip, DNS_MAX_NAME - 2);
		return false;
	}
	return dns_check((const uint8_t *)pattern + skip, plen - skip, false,
	    idna, 2, why, why_len);
}

/*
 * cw_dns_pattern_valid: see name_match.h.  Accepts NAME, `*.NAME` and
 * `**.NAME` where NAME is a valid DNS name (A-labels checked) of at least
 * one label; `*` anywhere else, a trailing dot, `*`/`**` alone are refused.
 */
bool
cw_dns_pattern_valid(const char *pattern, char *why, size_t why_len)
{
	if (pattern == NULL) {
		why_set(why, why_len, "the pattern is empty");
		return false;
	}
	return dns_pattern_check(pattern, strlen(pattern), true, why, why_len);
}

/* Does name end with "." followed by suffix (case-insensitively)? */
static bool
ends_with_label_suffix(const uint8_t *name, size_t len, const uint8_t *suf,
    size_t slen)
{
	if (len < slen + 2)
		return false;
	return name[len - slen - 1] == '.' &&
	    ci_equal(name + len - slen, slen, suf, slen);
}

/* The matching rules over a pattern given as a range (see cw_dns_match). */
static bool
dns_match_range(const char *pattern, size_t plen, const uint8_t *name,
    size_t len)
{
	const uint8_t *suf;
	size_t skip, slen;
	int kind;

	/*
	 * Both sides get the structural check again (cheap: no libidn2) so
	 * that a caller that forgot to validate cannot make a hostile name
	 * match; the A-label check stays with cw_dns_name_valid so that
	 * matching many names against many patterns stays cheap.
	 */
	if (!dns_pattern_check(pattern, plen, false, NULL, 0))
		return false;
	if (!dns_check(name, len, true, false, 1, NULL, 0))
		return false;
	kind = dns_pattern_kind(pattern, plen, &skip);
	suf = (const uint8_t *)pattern + skip;
	slen = plen - skip;

	if (len >= 2 && name[0] == '*') {
		/* Requested wildcard `*.S` (DESIGN 6.1). */
		const uint8_t *s = name + 2;
		size_t n = len - 2;

		if (kind == 1)
			return ci_equal(s, n, suf, slen);
		if (kind == 2)
			return ci_equal(s, n, suf, slen) ||
			    ends_with_label_suffix(s, n, suf, slen);
		return false;	/* never by an exact pattern */
	}
	switch (kind) {
	case 0:
		return ci_equal(name, len, suf, slen);
	case 1:
		/* Exactly one extra leftmost label: no dot before it. */
		return ends_with_label_suffix(name, len, suf, slen) &&
		    find_byte(name, len - slen - 1, '.') == NULL;
	default:
		return ends_with_label_suffix(name, len, suf, slen);
	}
}

/*
 * cw_dns_match: see name_match.h.  The requested name is re-checked
 * structurally (LDH, lengths, wildcard position) but its A-labels are not
 * decoded again; callers validate with cw_dns_name_valid first.
 */
bool
cw_dns_match(const char *pattern, const uint8_t *name, size_t len)
{
	if (pattern == NULL || name == NULL)
		return false;
	return dns_match_range(pattern, strlen(pattern), name, len);
}

/* --- IP addresses --------------------------------------------------------- */

static const uint8_t v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
};

/* Do the first `bits` bits of a and b agree? */
static bool
prefix_equal(const uint8_t *a, const uint8_t *b, int bits)
{
	int full = bits / 8, rest = bits % 8;

	if (full > 0 && memcmp(a, b, (size_t)full) != 0)
		return false;
	if (rest != 0) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		if ((a[full] & mask) != (b[full] & mask))
			return false;
	}
	return true;
}

/*
 * cw_cidr_parse: see name_match.h.  Grammar: ADDRESS [ "/" PREFIX ], where
 * ADDRESS is what inet_pton(3) accepts (dotted quad with no leading zeros, or
 * RFC 4291 2.2 text without a zone) and PREFIX is a decimal without leading
 * zeros in 0..32 / 0..128.  Also refused: a block inside ::ffff:0:0/96.
 * IPv4-mapped SANs are checked as IPv4 only (DESIGN 6.1), so such a block
 * could never match anything; the reason says to write the IPv4 block.
 * On success fills *out; on failure leaves *out unspecified.
 */
bool
cw_cidr_parse(const char *text, cw_cidr *out, char *why, size_t why_len)
{
	char addr[INET6_ADDRSTRLEN];
	char shown[SHOW_MAX_BYTES * 4 + 4];
	const char *slash;
	size_t tlen, alen;
	int maxp, prefix;
	uint8_t masked[16];

	if (text == NULL || out == NULL || text[0] == '\0') {
		why_set(why, why_len, "the address block is empty");
		return false;
	}
	tlen = strlen(text);
	show(shown, sizeof(shown), (const uint8_t *)text, tlen);
	slash = strchr(text, '/');
	alen = slash != NULL ? (size_t)(slash - text) : tlen;
	if (alen == 0 || alen >= sizeof(addr)) {
		why_set(why, why_len, "'%s' is not an IP address or CIDR block",
		    shown);
		return false;
	}
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	memset(out, 0, sizeof(*out));
	if (memchr(addr, ':', alen) != NULL) {
		out->family = 6;
		maxp = 128;
		if (inet_pton(AF_INET6, addr, out->addr) != 1) {
			why_set(why, why_len, "'%s' is not an IPv6 address",
			    shown);
			return false;
		}
	} else {
		out->family = 4;
		maxp = 32;
		if (inet_pton(AF_INET, addr, out->addr) != 1) {
			why_set(why, why_len, "'%s' is not an IPv4 address "
			    "(a.b.c.d, no leading zeros)", shown);
			return false;
		}
	}
	prefix = maxp;
	if (slash != NULL) {
		const char *p = slash + 1;
		size_t i, plen = strlen(p);

		/* Decimal, 1-3 digits, no sign, no leading zero but "0". */
		if (plen == 0 || plen > 3 || (plen > 1 && p[0] == '0')) {
			why_set(why, why_len, "'%s' has a malformed prefix "
			    "length", shown);
			return false;
		}
		prefix = 0;
		for (i = 0; i < plen; i++) {
			if (!is_digit((uint8_t)p[i])) {
				why_set(why, why_len, "'%s' has a malformed "
				    "prefix length", shown);
				return false;
			}
			prefix = prefix * 10 + (p[i] - '0');
		}
		if (prefix > maxp) {
			why_set(why, why_len, "'%s': the prefix length %d is "
			    "beyond %d", shown, prefix, maxp);
			return false;
		}
	}
	out->prefix = prefix;
	/* Host bits set ("10.1.0.0/8") usually mean a typo: refuse. */
	memset(masked, 0, sizeof(masked));
	memcpy(masked, out->addr, (size_t)prefix / 8);
	if (prefix % 8 != 0)
		masked[prefix / 8] = (uint8_t)(out->addr[prefix / 8] &
		    (0xff << (8 - prefix % 8)));
	if (memcmp(masked, out->addr, (size_t)maxp / 8) != 0) {
		char net[INET6_ADDRSTRLEN];

		if (inet_ntop(out->family == 4 ? AF_INET : AF_INET6, masked,
		    net, sizeof(net)) == NULL)
			net[0] = '\0';
		why_set(why, why_len,
		    "'%s' has host bits set beyond the prefix (the block is "
		    "%s/%d)", shown, net, prefix);
		return false;
	}
	if (out->family == 6 && prefix >= 96 &&
	    memcmp(out->addr, v4mapped_prefix, sizeof(v4mapped_prefix)) == 0) {
		char v4[INET_ADDRSTRLEN];

		if (inet_ntop(AF_INET, out->addr + 12, v4, sizeof(v4)) == NULL)
			v4[0] = '\0';
		why_set(why, why_len,
		    "'%s' is an IPv4-mapped block, and mapped addresses are "
		    "checked as IPv4: write %s/%d", shown, v4, prefix - 96);
		return false;
	}
	return true;
}

/*
 * cw_ip_match: see name_match.h.  A 16-octet ::ffff:a.b.c.d is compared as
 * the 4-octet a.b.c.d, so it matches IPv4 blocks only (never an IPv6 block,
 * not even ::/0).  Every other 16-octet address (IPv4-compatible ::a.b.c.d,
 * 6to4 2002::/16, NAT64 64:ff9b::/96, ...) is compared as written against
 * IPv6 blocks.  Any other length never matches.
 */
bool
cw_ip_match(const cw_cidr *block, const uint8_t *ip, size_t len)
{
	const uint8_t *a;
	int family;

	if (block == NULL || ip == NULL)
		return false;
	if (len == 4) {
		family = 4;
		a = ip;
	} else if (len == 16) {
		if (memcmp(ip, v4mapped_prefix, sizeof(v4mapped_prefix)) == 0) {
			family = 4;
			a = ip + 12;
		} else {
			family = 6;
			a = ip;
		}
	} else
		return false;	/* RFC 5280 4.2.1.6: 4 or 16 octets in a SAN */
	if (block->family != family || block->prefix < 0 ||
	    block->prefix > (family == 4 ? 32 : 128))
		return false;
	return prefix_equal(block->addr, a, block->prefix);
}

/*
 * cw_ip_format: see name_match.h.  Writes inet_ntop(3)'s canonical text
 * (RFC 5952 for IPv6), truncated to buf_len; buf may be NULL if buf_len is 0.
 */
void
cw_ip_format(const uint8_t *ip, size_t len, char *buf, size_t buf_len)
{
	char tmp[INET6_ADDRSTRLEN];
	const char *s = NULL;

	if (buf == NULL || buf_len == 0)
		return;
	if (ip != NULL && len == 4)
		s = inet_ntop(AF_INET, ip, tmp, sizeof(tmp));
	else if (ip != NULL && len == 16)
		s = inet_ntop(AF_INET6, ip, tmp, sizeof(tmp));
	if (s != NULL)
		(void)snprintf(buf, buf_len, "%s", s);
	else
		(void)snprintf(buf, buf_len, "<%zu-octet address>", len);
}

/* --- URIs ----------------------------------------------------------------- */

/*
 * A URI cut into its RFC 3986 3 components.  Ranges point into the input;
 * has_* tell an absent component from an empty one ("x://h/?" has an empty
 * query, "x://h/" none).
 */
struct uri_parts {
	const uint8_t *scheme;
	size_t scheme_len;
	bool has_auth;
	bool has_userinfo;
	const uint8_t *userinfo;
	size_t userinfo_len;
	const uint8_t *host;
	size_t host_len;
	bool has_port;
	const uint8_t *port;
	size_t port_len;
	const uint8_t *path;
	size_t path_len;
	bool has_query;
	const uint8_t *query;
	size_t query_len;
	bool has_frag;
	const uint8_t *frag;
	size_t frag_len;
};

/* RFC 3986 2.3 unreserved. */
static bool
is_unreserved(uint8_t c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* RFC 3986 2: the characters a URI may contain (pct-encoding aside). */
static bool
is_uri_char(uint8_t c)
{
	return is_unreserved(c) || (c != '\0' && strchr(":/?#[]@!$&'()*+,;=%",
	    c) != NULL);
}

/*
 * Byte-level check shared by requested URIs and patterns: only URI
 * characters, `%` followed by two hex digits, and `*` only when star_ok.
 */
static bool
uri_chars_valid(const uint8_t *u, size_t len, bool star_ok, char *why,
    size_t why_len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t c = u[i];

		if (c == '\0') {
			why_set(why, why_len, "the URI contains a NUL byte");
			return false;
		}
		if (c < 0x20 || c == 0x7f) {
			why_set(why, why_len, "the URI contains a control byte "
			    "(\\x%02x) at offset %zu", c, i);
			return false;
		}
		if (c == ' ') {
			why_set(why, why_len, "the URI contains a space at "
			    "offset %zu", i);
			return false;
		}
		if (c >= 0x80) {
			why_set(why, why_len, "the URI contains a non-ASCII "
			    "byte (\\x%02x) at offset %zu", c, i);
			return false;
		}
		if (c == '*' && !star_ok) {
			why_set(why, why_len, "the URI contains a literal '*'");
			return false;
		}
		if (!is_uri_char(c)) {
			why_set(why, why_len, "the URI contains '%c', which "
			    "RFC 3986 2 does not allow", (char)c);
			return false;
		}
		/* RFC 3986 2.1: pct-encoded = "%" HEXDIG HEXDIG */
		if (c == '%' && (len - i < 3 || !is_hex(u[i + 1]) ||
		    !is_hex(u[i + 2]))) {
			why_set(why, why_len, "the URI has a '%%' not followed "
			    "by two hex digits at offset %zu", i);
			return false;
		}
	}
	return true;
}

/*
 * Splits an already character-checked URI.  RFC 3986 3:
 * scheme ":" ["//" authority] path ["?" query] ["#" fragment], with
 * authority = [userinfo "@"] host [":" port].
 */
static bool
uri_split(const uint8_t *u, size_t len, struct uri_parts *p, char *why,
    size_t why_len)
{
	size_t i, n, pos, end;

	memset(p, 0, sizeof(*p));
	/* RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
	for (i = 0; i < len && u[i] != ':'; i++) {
		if (!(is_alpha(u[i]) || (i > 0 && (is_digit(u[i]) ||
		    u[i] == '+' || u[i] == '-' || u[i] == '.')))) {
			why_set(why, why_len, "the URI does not start with a "
			    "scheme");
			return false;
		}
	}
	if (i == 0 || i == len) {
		why_set(why, why_len, "the URI does not start with a scheme");
		return false;
	}
	p->scheme = u;
	p->scheme_len = i;
	pos = i + 1;

	if (len - pos >= 2 && u[pos] == '/' && u[pos + 1] == '/') {
		const uint8_t *a, *at, *hp;
		size_t alen, hplen;

		pos += 2;
		for (end = pos; end < len; end++)
			if (u[end] == '/' || u[end] == '?' || u[end] == '#')
				break;
		a = u + pos;
		alen = end - pos;
		p->has_auth = true;
		at = find_byte(a, alen, '@');
		if (at != NULL) {
			/* RFC 3986 3.2.1: userinfo never holds a raw '@'. */
			if (find_byte(at + 1, alen - (size_t)(at - a) - 1,
			    '@') != NULL) {
				why_set(why, why_len,
				    "the URI authority has more than one '@'");
				return false;
			}
			p->has_userinfo = true;
			p->userinfo = a;
			p->userinfo_len = (size_t)(at - a);
			hp = at + 1;
		} else
			hp = a;
		hplen = alen - (size_t)(hp - a);
		if (hplen > 0 && hp[0] == '[') {
			/* RFC 3986 3.2.2: IP-literal = "[" ... "]" */
			const uint8_t *rb = find_byte(hp, hplen, ']');

			if (rb == NULL) {
				why_set(why, why_len,
				    "the URI host has '[' without ']'");
				return false;
			}
			p->host = hp;
			p->host_len = (size_t)(rb - hp) + 1;
			if (find_byte(hp + 1, p->host_len - 1, '[') != NULL) {
				why_set(why, why_len,
				    "the URI host has a stray '['");
				return false;
			}
		} else {
			const uint8_t *colon = find_byte(hp, hplen, ':');

			p->host = hp;
			p->host_len = colon != NULL ? (size_t)(colon - hp) :
			    hplen;
			if (find_byte(hp, p->host_len, '[') != NULL ||
			    find_byte(hp, p->host_len, ']') != NULL) {
				why_set(why, why_len,
				    "the URI host has a stray bracket");
				return false;
			}
		}
		if (p->host_len < hplen) {
			size_t k;

			if (hp[p->host_len] != ':') {
				why_set(why, why_len, "the URI authority has "
				    "text after the host that is not a port");
				return false;
			}
			p->has_port = true;
			p->port = hp + p->host_len + 1;
			p->port_len = hplen - p->host_len - 1;
			/* RFC 3986 3.2.3: port = *DIGIT */
			for (k = 0; k < p->port_len; k++) {
				if (!is_digit(p->port[k])) {
					why_set(why, why_len,
					    "the URI port is not a number");
					return false;
				}
			}
		}
		pos = end;
	}
	for (end = pos; end < len; end++)
		if (u[end] == '?' || u[end] == '#')
			break;
	p->path = u + pos;
	p->path_len = end - pos;
	pos = end;
	if (pos < len && u[pos] == '?') {
		for (end = pos + 1; end < len && u[end] != '#'; end++)
			;
		p->has_query = true;
		p->query = u + pos + 1;
		p->query_len = end - pos - 1;
		pos = end;
	}
	if (pos < len) {	/* u[pos] == '#' */
		p->has_frag = true;
		p->frag = u + pos + 1;
		p->frag_len = len - pos - 1;
		if (find_byte(p->frag, p->frag_len, '#') != NULL) {
			why_set(why, why_len, "the URI has a second '#'");
			return false;
		}
	}
	/* RFC 3986 3.3-3.5: '[' and ']' only appear in the host. */
	n = len - (size_t)(p->path - u);
	if (find_byte(p->path, n, '[') != NULL ||
	    find_byte(p->path, n, ']') != NULL) {
		why_set(why, why_len,
		    "the URI has '[' or ']' outside the host");
		return false;
	}
	return true;
}

/*
 * cw_uri_valid: see name_match.h.  True when uri[0..len) is printable ASCII
 * made of RFC 3986 characters with well-formed %XX, has no `*`, and splits
 * into scheme ":" ["//" authority] path ["?" query] ["#" fragment] with a
 * numeric port and at most one '@'.  Userinfo, ports, queries and the like
 * are syntactically fine here; they only fail to match (cw_uri_match).
 */
bool
cw_uri_valid(const uint8_t *uri, size_t len, char *why, size_t why_len)
{
	struct uri_parts p;

	if (uri == NULL || len == 0) {
		why_set(why, why_len, "the URI is empty");
		return false;
	}
	if (!uri_chars_valid(uri, len, false, why, why_len))
		return false;
	return uri_split(uri, len, &p, why, why_len);
}

/*
 * Walks the parts of a range separated by sep ("/" for path segments, "."
 * for host labels).  *pos starts at 0; each call hands back the next part
 * (possibly empty) and returns false once the range is used up.  An empty
 * range has one empty part; "a/" has two parts, "a" and "".
 */
static bool
next_part(const uint8_t *s, size_t len, uint8_t sep, size_t *pos,
    const uint8_t **part, size_t *part_len)
{
	const uint8_t *hit;

	if (*pos > len)
		return false;
	/* an absent part (s == NULL, len 0) stays NULL: NULL + 0 is UB */
	*part = s != NULL ? s + *pos : s;
	hit = *part != NULL ? find_byte(*part, len - *pos, sep) : NULL;
	*part_len = hit != NULL ? (size_t)(hit - *part) : len - *pos;
	*pos += *part_len + 1;
	return true;
}

/*
 * cw_uri_pattern_valid: see name_match.h.  The pattern must pass the same
 * syntax as a requested URI, except that `*` may appear as a whole label of
 * a registered-name host or as a whole path segment, and nowhere else (not
 * in the scheme, userinfo, port, an IP-literal, the query or fragment).
 */
bool
cw_uri_pattern_valid(const char *pattern, char *why, size_t why_len)
{
	const uint8_t *u = (const uint8_t *)pattern;
	struct uri_parts p;
	const uint8_t *seg;
	size_t len, pos, n;

	if (pattern == NULL || pattern[0] == '\0') {
		why_set(why, why_len, "the URI pattern is empty");
		return false;
	}
	len = strlen(pattern);
	if (!uri_chars_valid(u, len, true, why, why_len) ||
	    !uri_split(u, len, &p, why, why_len))
		return false;
	if (find_byte(p.userinfo, p.userinfo_len, '*') != NULL ||
	    find_byte(p.port, p.port_len, '*') != NULL ||
	    find_byte(p.query, p.query_len, '*') != NULL ||
	    find_byte(p.frag, p.frag_len, '*') != NULL) {
		why_set(why, why_len, "'*' may only be a whole host label or a "
		    "whole path segment");
		return false;
	}
	if (p.host_len > 0 && p.host[0] == '[' &&
	    find_byte(p.host, p.host_len, '*') != NULL) {
		why_set(why, why_len,
		    "'*' is not allowed in an IP-literal host");
		return false;
	}
	pos = 0;
	while (next_part(p.host, p.host_len, '.', &pos, &seg, &n)) {
		if (n != 1 && find_byte(seg, n, '*') != NULL) {
			why_set(why, why_len, "'*' must be a whole host label");
			return false;
		}
	}
	pos = 0;
	while (next_part(p.path, p.path_len, '/', &pos, &seg, &n)) {
		if (n != 1 && find_byte(seg, n, '*') != NULL) {
			why_set(why, why_len,
			    "'*' must be a whole path segment");
			return false;
		}
	}
	return true;
}

/*
 * What a `*` host label may stand for: one or more letters, digits, '-' or
 * '_' (DNS-style labels; '_' for SPIFFE trust domains and service labels).
 */
static bool
host_label_wild_ok(const uint8_t *l, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!(is_alpha(l[i]) || is_digit(l[i]) || l[i] == '-' ||
		    l[i] == '_'))
			return false;
	return true;
}

/*
 * What a `*` path segment may stand for: one or more RFC 3986 unreserved
 * characters, and not the dot segments "." and ".." (RFC 3986 3.3, 5.2.4:
 * they would be collapsed by a normalising relying party).  No '%' (an
 * encoded '/' would hide a segment boundary) and no sub-delims.
 */
static bool
path_segment_wild_ok(const uint8_t *s, size_t n)
{
	size_t i;

	if (n == 0 || (n == 1 && s[0] == '.') ||
	    (n == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (i = 0; i < n; i++)
		if (!is_unreserved(s[i]))
			return false;
	return true;
}

/*
 * Does the host "end in a number" (WHATWG URL host parsing: a last label of
 * digits, or 0x-hex, makes the host an IPv4 address)?  Such hosts are never
 * matched by `*` labels: an IP host must be written out in the pattern.
 */
static bool
host_ends_in_number(const uint8_t *h, size_t n)
{
	const uint8_t *last = h;
	size_t i, llen;

	for (i = 0; i < n; i++)
		if (h[i] == '.')
			last = h + i + 1;
	llen = n - (size_t)(last - h);
	if (llen == 0)
		return false;
	if (llen >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) {
		for (i = 2; i < llen; i++)
			if (!is_hex(last[i]))
				return false;
		return true;
	}
	for (i = 0; i < llen; i++)
		if (!is_digit(last[i]))
			return false;
	return true;
}

/* Host comparison: case-insensitive (RFC 3986 3.2.2), `*` labels. */
static bool
uri_host_match(const struct uri_parts *pat, const struct uri_parts *req)
{
	size_t pp = 0, rp = 0;

	if (find_byte(pat->host, pat->host_len, '*') == NULL)
		return ci_equal(pat->host, pat->host_len, req->host,
		    req->host_len);
	if ((req->host_len > 0 && req->host[0] == '[') ||
	    host_ends_in_number(req->host, req->host_len))
		return false;
	for (;;) {
		const uint8_t *pl = NULL, *rl = NULL;
		size_t pn = 0, rn = 0;
		bool pmore = next_part(pat->host, pat->host_len, '.', &pp, &pl,
		    &pn);
		bool rmore = next_part(req->host, req->host_len, '.', &rp, &rl,
		    &rn);

		if (pmore != rmore)
			return false;	/* label counts differ */
		if (!pmore)
			return true;
		if (pn == 1 && pl[0] == '*') {
			if (!host_label_wild_ok(rl, rn))
				return false;
		} else if (!ci_equal(pl, pn, rl, rn))
			return false;
	}
}

/* Path comparison: case-sensitive (RFC 3986 6.2.2.1), `*` segments. */
static bool
uri_path_match(const struct uri_parts *pat, const struct uri_parts *req)
{
	size_t pp = 0, rp = 0;

	for (;;) {
		const uint8_t *ps, *rs;
		size_t pn, rn;
		bool pmore = next_part(pat->path, pat->path_len, '/', &pp, &ps,
		    &pn);
		bool rmore = next_part(req->path, req->path_len, '/', &rp, &rs,
		    &rn);

		if (pmore != rmore)
			return false;	/* segment counts differ */
		if (!pmore)
			return true;
		if (pn == 1 && ps[0] == '*') {
			if (!path_segment_wild_ok(rs, rn))
				return false;
		} else if (!bytes_equal(ps, pn, rs, rn))
			return false;
	}
}

/*
 * cw_uri_match: see name_match.h.  The requested URI must pass
 * cw_uri_valid; the pattern is split the same way (a malformed pattern never
 * matches).  Then, component by component: scheme case-insensitive; an
 * authority present on both or neither; userinfo and port present on both or
 * neither and byte-equal; host case-insensitive with `*` labels; path
 * segment by segment, case-sensitive, with `*` segments; query and fragment
 * present on both or neither and byte-equal.
 */
bool
cw_uri_match(const char *pattern, const uint8_t *uri, size_t len)
{
	struct uri_parts pat, req;
	size_t plen;

	if (pattern == NULL || !cw_uri_valid(uri, len, NULL, 0))
		return false;
	plen = strlen(pattern);
	if (!uri_chars_valid((const uint8_t *)pattern, plen, true, NULL, 0) ||
	    !uri_split((const uint8_t *)pattern, plen, &pat, NULL, 0) ||
	    !uri_split(uri, len, &req, NULL, 0))
		return false;
	/* RFC 3986 3.1: schemes are case-insensitive. */
	if (!ci_equal(pat.scheme, pat.scheme_len, req.scheme, req.scheme_len))
		return false;
	if (pat.has_auth != req.has_auth ||
	    pat.has_userinfo != req.has_userinfo ||
	    !bytes_equal(pat.userinfo, pat.userinfo_len, req.userinfo,
	    req.userinfo_len) ||
	    pat.has_port != req.has_port ||
	    !bytes_equal(pat.port, pat.port_len, req.port, req.port_len))
		return false;
	if (pat.has_auth && !uri_host_match(&pat, &req))
		return false;
	if (!uri_path_match(&pat, &req))
		return false;
	if (pat.has_query != req.has_query ||
	    !bytes_equal(pat.query, pat.query_len, req.query, req.query_len) ||
	    pat.has_frag != req.has_frag ||
	    !bytes_equal(pat.frag, pat.frag_len, req.frag, req.frag_len))
		return false;
	return true;
}

/* --- e-mail addresses ----------------------------------------------------- */

/*
 * Checks a local part: 1-64 octets (RFC 5321 4.5.3.1.1) of printable ASCII
 * other than space and '@'.  Quoted strings and comments are not special:
 * they are compared as bytes.
 */
static bool
local_part_valid(const uint8_t *l, size_t n, char *why, size_t why_len)
{
	size_t i;

	if (n == 0) {
		why_set(why, why_len, "the local part before '@' is empty");
		return false;
	}
	if (n > EMAIL_MAX_LOCAL) {
		why_set(why, why_len, "the local part is %zu octets; the limit "
		    "is %d", n, EMAIL_MAX_LOCAL);
		return false;
	}
	for (i = 0; i < n; i++) {
		if (l[i] <= 0x20 || l[i] >= 0x7f) {
			if (l[i] == '\0')
				why_set(why, why_len,
				    "the local part contains a NUL byte");
			else if (l[i] == ' ')
				why_set(why, why_len,
				    "the local part contains a space");
			else
				why_set(why, why_len, "the local part contains "
				    "\\x%02x, which is not printable ASCII",
				    l[i]);
			return false;
		}
	}
	return true;
}

/* Splits at the one '@'; false (with a reason) unless there is exactly one. */
static bool
email_split(const uint8_t *a, size_t len, size_t *at, char *why,
    size_t why_len)
{
	const uint8_t *p = find_byte(a, len, '@');

	if (p == NULL) {
		why_set(why, why_len, "the address has no '@'");
		return false;
	}
	if (find_byte(p + 1, len - (size_t)(p - a) - 1, '@') != NULL) {
		why_set(why, why_len, "the address has more than one '@'");
		return false;
	}
	*at = (size_t)(p - a);
	return true;
}

static bool
email_check(const uint8_t *addr, size_t len, bool idna, char *why,
    size_t why_len)
{
	char sub[CW_WHY_MAX];
	size_t at;

	if (addr == NULL || len == 0) {
		why_set(why, why_len, "the address is empty");
		return false;
	}
	if (!email_split(addr, len, &at, why, why_len) ||
	    !local_part_valid(addr, at, why, why_len))
		return false;
	if (!dns_check(addr + at + 1, len - at - 1, false, idna, 1, sub,
	    sizeof(sub))) {
		why_set(why, why_len, "domain: %s", sub);
		return false;
	}
	return true;
}

/*
 * cw_email_valid: see name_match.h.  Exactly one '@'; local part 1-64
 * octets of printable ASCII without space ('@' excluded by the split);
 * domain a valid DNS name (A-labels checked) without wildcard.
 */
bool
cw_email_valid(const uint8_t *addr, size_t len, char *why, size_t why_len)
{
	return email_check(addr, len, true, why, why_len);
}

/*
 * cw_email_pattern_valid: see name_match.h.  LOCAL is `*` or a valid local
 * part without `*`; DOMAIN is anything cw_dns_pattern_valid accepts.
 */
bool
cw_email_pattern_valid(const char *pattern, char *why, size_t why_len)
{
	char sub[CW_WHY_MAX];
	size_t len, at;

	if (pattern == NULL || pattern[0] == '\0') {
		why_set(why, why_len, "the pattern is empty");
		return false;
	}
	len = strlen(pattern);
	if (!email_split((const uint8_t *)pattern, len, &at, why, why_len))
		return false;
	if (!(at == 1 && pattern[0] == '*')) {
		if (!local_part_valid((const uint8_t *)pattern, at, why,
		    why_len))
			return false;
		if (memchr(pattern, '*', at) != NULL) {
			why_set(why, why_len, "the local part is either '*' or "
			    "written out; '*' cannot be part of it");
			return false;
		}
	}
	if (!cw_dns_pattern_valid(pattern + at + 1, sub, sizeof(sub))) {
		why_set(why, why_len, "domain: %s", sub);
		return false;
	}
	return true;
}

/*
 * cw_email_match: see name_match.h.  The address is re-checked structurally
 * (its A-labels are cw_email_valid's business); the local part compares
 * byte for byte (RFC 5321 2.4: it is case-sensitive) unless the pattern's
 * is `*`; the domain matches as cw_dns_match does.
 */
bool
cw_email_match(const char *pattern, const uint8_t *addr, size_t len)
{
	size_t plen, pat, at;

	if (pattern == NULL || !email_check(addr, len, false, NULL, 0))
		return false;
	plen = strlen(pattern);
	if (!email_split((const uint8_t *)pattern, plen, &pat, NULL, 0) ||
	    !email_split(addr, len, &at, NULL, 0))
		return false;
	if (!(pat == 1 && pattern[0] == '*') &&
	    !bytes_equal((const uint8_t *)pattern, pat, addr, at))
		return false;
	return dns_match_range(pattern + pat + 1, plen - pat - 1,
	    addr + at + 1, len - at - 1);
}

/* --- subject value globs -------------------------------------------------- */

/*
 * cw_glob_match: see name_match.h.  Iterative matching that remembers only
 * the last `*` (a later star makes earlier backtracking unnecessary), so the
 * cost is O(len(pattern) * len(text)) at worst, never exponential.
 */
bool
cw_glob_match(const char *pattern, const uint8_t *text, size_t len)
{
	size_t p = 0, t = 0, plen, star_p = 0, star_t = 0;
	bool have_star = false;

	if (pattern == NULL || (text == NULL && len > 0))
		return false;
	plen = strlen(pattern);
	while (t < len) {
		if (p < plen && pattern[p] == '*') {
			have_star = true;
			star_p = p++;
			star_t = t;
		} else if (p < plen && (uint8_t)pattern[p] == text[t]) {
			p++;
			t++;
		} else if (have_star) {
			p = star_p + 1;
			t = ++star_t;
		} else
			return false;
	}
	while (p < plen && pattern[p] == '*')
		p++;
	return p == plen;
}
