/*
 * test_name_match.c - the name-matching contract (DESIGN 6 and 6.1), one
 * table per behaviour.  Every row is checked and every failing row is printed
 * with its input (non-printables as \xNN), so a failure names the input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "testutil.h"
#include "x509/name_match.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
/* Length of a string literal including embedded NULs, without the last. */
#define LIT(s) (const uint8_t *)(s), (sizeof(s) - 1)

/* Printable rendering of test input for failure messages (rotating buffers). */
static const char *
esc(const void *v, size_t n)
{
	static char bufs[4][1200];
	static int k;
	const uint8_t *p = v;
	char *b = bufs[k++ % 4];
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < sizeof(bufs[0]); i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			b[o++] = (char)p[i];
		else
			o += (size_t)snprintf(b + o, sizeof(bufs[0]) - o,
			    "\\x%02x", p[i]);
	}
	b[o] = '\0';
	return b;
}

/* --- row types ------------------------------------------------------------ */

/* A requested name with an expected verdict and a reason fragment. */
struct name_row {
	const uint8_t *in;
	size_t len;
	bool wc;	/* allow_wildcard */
	bool ok;
	const char *why;	/* substring of the reason when !ok, or NULL */
};
#define NAME(s, wc, ok, why) { LIT(s), wc, ok, why }

/* A pattern (C string) with an expected verdict. */
struct pat_row {
	const char *pat;
	bool ok;
	const char *why;
};

/* A pattern against a requested name. */
struct match_row {
	const char *pat;
	const uint8_t *in;
	size_t len;
	bool match;
};
#define MATCH(p, s, m) { p, LIT(s), m }

typedef bool (*valid_fn)(const uint8_t *, size_t, char *, size_t);
typedef bool (*pat_fn)(const char *, char *, size_t);
typedef bool (*match_fn)(const char *, const uint8_t *, size_t);

/* Runs rows through a validator; prints and counts every mismatch. */
static void
run_names(const char *what, const struct name_row *rows, size_t n)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++) {
		char why[CW_WHY_MAX] = "";
		bool got = cw_dns_name_valid(rows[i].in, rows[i].len,
		    rows[i].wc, why, sizeof(why));

		if (got != rows[i].ok) {
			print_error("%s: '%s' (wildcards %s): got %s, want %s "
			    "(why: %s)\n", what, esc(rows[i].in, rows[i].len),
			    rows[i].wc ? "on" : "off",
			    got ? "valid" : "invalid",
			    rows[i].ok ? "valid" : "invalid", why);
			bad++;
		} else if (!got && rows[i].why != NULL &&
		    strstr(why, rows[i].why) == NULL) {
			print_error("%s: '%s': reason '%s' lacks '%s'\n", what,
			    esc(rows[i].in, rows[i].len), why, rows[i].why);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static void
run_valid(const char *what, valid_fn fn, const struct name_row *rows, size_t n)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++) {
		char why[CW_WHY_MAX] = "";
		bool got = fn(rows[i].in, rows[i].len, why, sizeof(why));

		if (got != rows[i].ok) {
			print_error("%s: '%s': got %s, want %s (why: %s)\n",
			    what, esc(rows[i].in, rows[i].len),
			    got ? "valid" : "invalid",
			    rows[i].ok ? "valid" : "invalid", why);
			bad++;
		} else if (!got && rows[i].why != NULL &&
		    strstr(why, rows[i].why) == NULL) {
			print_error("%s: '%s': reason '%s' lacks '%s'\n", what,
			    esc(rows[i].in, rows[i].len), why, rows[i].why);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static void
run_patterns(const char *what, pat_fn fn, const struct pat_row *rows, size_t n)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++) {
		char why[CW_WHY_MAX] = "";
		bool got = fn(rows[i].pat, why, sizeof(why));

		if (got != rows[i].ok) {
			print_error("%s: pattern '%s': got %s, want %s "
			    "(why: %s)\n", what, esc(rows[i].pat,
			    strlen(rows[i].pat)), got ? "valid" : "invalid",
			    rows[i].ok ? "valid" : "invalid", why);
			bad++;
		} else if (!got && rows[i].why != NULL &&
		    strstr(why, rows[i].why) == NULL) {
			print_error("%s: pattern '%s': reason '%s' lacks "
			    "'%s'\n", what, rows[i].pat, why, rows[i].why);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static void
run_matches(const char *what, match_fn fn, const struct match_row *rows,
    size_t n)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++) {
		bool got = fn(rows[i].pat, rows[i].in, rows[i].len);

		if (got != rows[i].match) {
			print_error("%s: pattern '%s' vs '%s': got %s, "
			    "want %s\n", what, rows[i].pat,
			    esc(rows[i].in, rows[i].len),
			    got ? "match" : "no match",
			    rows[i].match ? "match" : "no match");
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* Fills buf with `n` copies of c and returns buf. */
static char *
fill(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/* --- DNS names: validity -------------------------------------------------- */

/* Ordinary LDH names are valid, in any case. */
static void
test_dns_valid_plain(void **state)
{
	static const struct name_row rows[] = {
		NAME("example.com", false, true, NULL),
		NAME("api.example.com", false, true, NULL),
		NAME("API.Example.COM", false, true, NULL),
		NAME("localhost", false, true, NULL),
		NAME("a", false, true, NULL),
		NAME("a-b.c-d.example", false, true, NULL),
		NAME("a--b.example", false, true, NULL),
		NAME("x-n--a.example", false, true, NULL),
		NAME("123.example", false, true, NULL),
		NAME("0.example.com", false, true, NULL),
	};

	(void)state;
	run_names("dns valid", rows, NELEM(rows));
}

/* Dots, hyphens, bytes outside LDH, NUL and non-ASCII make a name invalid. */
static void
test_dns_invalid_syntax(void **state)
{
	static const struct name_row rows[] = {
		NAME("", false, false, "empty"),
		NAME("example.com.", false, false, "ends with a dot"),
		NAME(".example.com", false, false, "label 1 is empty"),
		NAME("a..example.com", false, false, "label 2 is empty"),
		NAME(".", false, false, NULL),
		NAME("a_b.example.com", false, false,
		    "label 'a_b' has a byte outside letters, digits and "
		    "hyphen"),
		NAME("a b.example.com", false, false, "outside letters"),
		NAME("a/b.example.com", false, false, "outside letters"),
		NAME("a\x01" "b.example.com", false, false, "'a\\x01b'"),
		NAME("-a.example.com", false, false, "starts with a hyphen"),
		NAME("a-.example.com", false, false, "ends with a hyphen"),
		NAME("example.com-", false, false, "ends with a hyphen"),
		NAME("b\xc3\xbc" "cher.de", false, false, "non-ASCII"),
		NAME("example.c\xc3\xb6m", false, false, "non-ASCII"),
		/* embedded NUL: the C string would stop at "api" */
		NAME("api\0.example.com", false, false, "NUL"),
		NAME("api.example.com\0", false, false, "NUL"),
		NAME("api.example.com\0evil.org", false, false, "NUL"),
		NAME("\0", false, false, "NUL"),
		/* RFC 5891 4.2.3.1: "??--" labels are reserved */
		NAME("ab--cd.example", false, false, "positions 3-4"),
		NAME("zz--x.example", false, false, "RFC 5891 4.2.3.1"),
	};

	(void)state;
	run_names("dns invalid", rows, NELEM(rows));
}

/* Labels are 1-63 octets and names at most 253: both limits exact. */
static void
test_dns_lengths(void **state)
{
	char l63[64], l64[65], l61[62], l62[63], l60[61], l59[60], name[400];
	char why[CW_WHY_MAX];

	(void)state;
	fill(l63, 'a', 63);
	fill(l64, 'b', 64);
	fill(l61, 'c', 61);
	fill(l62, 'd', 62);
	fill(l60, 'e', 60);
	fill(l59, 'f', 59);

	snprintf(name, sizeof(name), "%s.example.com", l63);
	assert_true(cw_dns_name_valid((uint8_t *)name, strlen(name), false,
	    why, sizeof(why)));

	snprintf(name, sizeof(name), "%s.example.com", l64);
	assert_false(cw_dns_name_valid((uint8_t *)name, strlen(name), false,
	    why, sizeof(why)));
	assert_string_equal(why, "label 1 is 64 octets; the limit is 63");

	snprintf(name, sizeof(name), "a.b.%s.com", l64);
	assert_false(cw_dns_name_valid((uint8_t *)name, strlen(name), false,
	    why, sizeof(why)));
	assert_string_equal(why, "label 3 is 64 octets; the limit is 63");

	/* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 */
	snprintf(name, sizeof(name), "%s.%s.%s.%s", l63, l63, l63, l61);
	assert_int_equal(strlen(name), 253);
	assert_true(cw_dns_name_valid((uint8_t *)name, strlen(name), false,
	    why, sizeof(why)));

	snprintf(name, sizeof(name), "%s.%s.%s.%s", l63, l63, l63, l62);
	assert_int_equal(strlen(name), 254);
	assert_false(cw_dns_name_valid((uint8_t *)name, strlen(name), false,
	    why, sizeof(why)));
	assert_string_equal(why, "the name is 254 octets; the limit is 253");

	/* a wildcard counts: "*." + 251 = 253 is fine, 254 is not */
	snprintf(name, sizeof(name), "*.%s.%s.%s.%s", l63, l63, l63, l59);
	assert_int_equal(strlen(name), 253);
	assert_true(cw_dns_name_valid((uint8_t *)name, strlen(name), true,
	    why, sizeof(why)));
	snprintf(name, sizeof(name), "*.%s.%s.%s.%s", l63, l63, l63, l60);
	assert_int_equal(strlen(name), 254);
	assert_false(cw_dns_name_valid((uint8_t *)name, strlen(name), true,
	    why, sizeof(why)));

	/* the 254-octet name never matches, even a pattern of its suffix */
	snprintf(name, sizeof(name), "%s.%s.%s.%s", l63, l63, l63, l62);
	assert_false(cw_dns_match("**.com", (uint8_t *)name, strlen(name)));
}

/* IDNA 2008: real A-labels pass, garbage and disallowed code points fail. */
static void
test_dns_idna(void **state)
{
	static const struct name_row rows[] = {
		NAME("xn--bcher-kva.de", false, true, NULL),	/* bücher */
		NAME("XN--BCHER-KVA.de", false, true, NULL),
		NAME("xn--mnchen-3ya.de", false, true, NULL),	/* münchen */
		NAME("www.xn--mnchen-3ya.de", false, true, NULL),
		NAME("xn--zca.de", false, true, NULL),	/* ß, PVALID in 2008 */
		NAME("xn--wgv71a.jp", false, true, NULL),	/* 日本 */
		NAME("xn--a-0fa.example", false, true, NULL),	/* aä */
		NAME("xn--.example", false, false, "ends with a hyphen"),
		NAME("xn--a.example", false, false, "IDNA 2008"),
		NAME("xn--zz-zzz!.example", false, false, "outside letters"),
		NAME("xn--zz-zzz.example", false, false, "IDNA 2008"),
		NAME("xn--n3h.example", false, false, NULL),	/* snowman */
		NAME("xn--ls8h.example", false, false, NULL),	/* emoji */
		NAME("xn--bcher-2pa.de", false, false, NULL),	/* upper Ü */
		NAME("xn--bucher-xyd.de", false, false, NULL),	/* not NFC */
		NAME("xn--ab-j1t.example", false, false, NULL),	/* ZWNJ */
		NAME("xn--1-lgb.example", false, false, NULL),	/* combining */
		NAME("xn--4db.example", false, true, NULL),	/* alef */
		NAME("xn--1-0hc.example", false, false, NULL),	/* bidi */
		NAME("xn--a-zhc.example", false, false, NULL),	/* bidi */
		NAME("xn--1.example", false, false, "punycode"),
		NAME("xn--abc-9999999999999.example", false, false, "punycode"),
		NAME("xn--ab-.example", false, false, "hyphen"),
		NAME("a.b.xn--n3h", false, false, NULL),
	};

	(void)state;
	run_names("dns idna", rows, NELEM(rows));
}

/* `*` only as the whole leftmost label, and only with allow_wildcard. */
static void
test_dns_requested_wildcard(void **state)
{
	static const struct name_row rows[] = {
		NAME("*.svc.example.internal", true, true, NULL),
		NAME("*.com", true, true, NULL),
		NAME("*.svc.example.internal", false, false, "not allowed"),
		NAME("*", true, false, "alone"),
		NAME("*.", true, false, "dot"),
		NAME("**.example.com", true, false, "'*' may only"),
		NAME("a.*.example.com", true, false, "leftmost"),
		NAME("a*.example.com", true, false, "leftmost"),
		NAME("*a.example.com", true, false, "leftmost"),
		NAME("*.*.example.com", true, false, "leftmost"),
		NAME("example.*", true, false, "leftmost"),
		NAME("*.xn--n3h.example", true, false, NULL),
	};

	(void)state;
	run_names("dns wildcard", rows, NELEM(rows));
}

/* Reasons are optional and never overrun a short buffer. */
static void
test_dns_why_optional(void **state)
{
	char tiny[8];

	(void)state;
	assert_false(cw_dns_name_valid(LIT("a_b.com"), false, NULL, 0));
	assert_true(cw_dns_name_valid(LIT("ab.com"), false, NULL, 0));
	memset(tiny, 'X', sizeof(tiny));
	assert_false(cw_dns_name_valid(LIT("a_b.com"), false, tiny,
	    sizeof(tiny)));
	assert_int_equal(tiny[sizeof(tiny) - 1], '\0');
	assert_false(cw_dns_name_valid(NULL, 0, false, NULL, 0));
}

/* --- DNS patterns --------------------------------------------------------- */

/* Pattern syntax: NAME, *.NAME, **.NAME and nothing else. */
static void
test_dns_pattern_valid(void **state)
{
	static const struct pat_row rows[] = {
		{"api.example.com", true, NULL},
		{"API.Example.COM", true, NULL},
		{"localhost", true, NULL},
		{"*.svc.example.internal", true, NULL},
		{"**.apps.example.internal", true, NULL},
		{"*.com", true, NULL},
		{"**.com", true, NULL},
		{"*.xn--mnchen-3ya.de", true, NULL},
		{"", false, "empty"},
		{"*", false, "alone"},
		{"**", false, "alone"},
		{"*.", false, "nothing follows"},
		{"**.", false, "nothing follows"},
		{"a.*.b", false, "leftmost"},
		{"***.x", false, "leftmost"},
		{"*a.x", false, "leftmost"},
		{"a*.x", false, "leftmost"},
		{"x.*", false, "leftmost"},
		{"*.*.x", false, "leftmost"},
		{"**.**.x", false, "leftmost"},
		{"**.*.x", false, "leftmost"},
		{"example.com.", false, "dot"},
		{"*.example.com.", false, "dot"},
		{".example.com", false, "empty"},
		{"a..b", false, "empty"},
		{"-a.x", false, "hyphen"},
		{"*.-a.x", false, "hyphen"},
		{"a_b.x", false, "outside"},
		{"xn--a.x", false, "IDNA"},
		{"*.xn--n3h.x", false, NULL},
		{"ab--cd.x", false, "positions 3-4"},
		{"b\xc3\xbc" "cher.de", false, "non-ASCII"},
		{"a b.com", false, "outside"},
	};

	(void)state;
	run_patterns("dns pattern", cw_dns_pattern_valid, rows, NELEM(rows));
	assert_false(cw_dns_pattern_valid(NULL, NULL, 0));
}

/* A wildcard pattern's domain leaves room for one more label (<= 251). */
static void
test_dns_pattern_lengths(void **state)
{
	char l63[64], l61[62], l62[63], pat[400];

	(void)state;
	fill(l63, 'a', 63);
	fill(l61, 'b', 61);
	fill(l62, 'c', 62);
	snprintf(pat, sizeof(pat), "*.%s.%s.%s.%s", l63, l63, l63, l61);
	assert_false(cw_dns_pattern_valid(pat, NULL, 0)); /* suffix 252 */
	snprintf(pat, sizeof(pat), "**.%s.%s.%s.%s", l63, l63, l61, l61);
	assert_true(cw_dns_pattern_valid(pat, NULL, 0)); /* suffix 251 */
	snprintf(pat, sizeof(pat), "%s.%s.%s.%s", l63, l63, l63, l61);
	assert_true(cw_dns_pattern_valid(pat, NULL, 0)); /* exact 253 */
	snprintf(pat, sizeof(pat), "%s.%s.%s.%s", l63, l63, l63, l62);
	assert_false(cw_dns_pattern_valid(pat, NULL, 0)); /* exact 254 */
}

/* --- DNS matching --------------------------------------------------------- */

/* An exact pattern matches that name only, case-insensitively. */
static void
test_dns_match_exact(void **state)
{
	static const struct match_row rows[] = {
		MATCH("api.example.com", "api.example.com", true),
		MATCH("api.example.com", "API.EXAMPLE.COM", true),
		MATCH("API.Example.Com", "api.example.com", true),
		MATCH("www.example.com", "www.example.com", true),
		MATCH("api.example.com", "x.api.example.com", false),
		MATCH("api.example.com", "example.com", false),
		MATCH("api.example.com", "api.example.co", false),
		MATCH("api.example.com", "api.example.com.evil", false),
		MATCH("api.example.com", "api-example.com", false),
		MATCH("api.example.com", "api.example.com.", false),
		MATCH("api.example.com", "api.example.com\0", false),
		MATCH("api.example.com", "api.example.com\0.evil", false),
		MATCH("api.example.com", "*.example.com", false),
		MATCH("a.b", "a.b", true),
		MATCH("a.b", "a_b", false),
	};

	(void)state;
	run_matches("dns exact", cw_dns_match, rows, NELEM(rows));
}

/* `*.S` matches exactly one extra leftmost label, on a label boundary. */
static void
test_dns_match_star(void **state)
{
	static const struct match_row rows[] = {
		MATCH("*.svc.example.internal", "a.svc.example.internal", true),
		MATCH("*.svc.example.internal", "A.SVC.Example.Internal", true),
		MATCH("*.svc.example.internal",
		    "xn--bcher-kva.svc.example.internal", true),
		MATCH("*.svc.example.internal", "a.b.svc.example.internal",
		    false),
		MATCH("*.svc.example.internal", "svc.example.internal", false),
		MATCH("*.svc.example.internal", "asvc.example.internal", false),
		MATCH("*.svc.example.internal", ".svc.example.internal", false),
		MATCH("*.svc.example.internal",
		    "a.svc.example.internal.evil", false),
		MATCH("*.svc.example.internal", "a_b.svc.example.internal",
		    false),
		MATCH("*.svc.example.internal", "a\0.svc.example.internal",
		    false),
		MATCH("*.example.com", "evilexample.com", false),
		MATCH("*.example.com", "example.com", false),
		MATCH("*.example.com", "a.evilexample.com", false),
		MATCH("*.com", "example.com", true),
		MATCH("*.com", "a.example.com", false),
	};

	(void)state;
	run_matches("dns *", cw_dns_match, rows, NELEM(rows));
}

/* `**.S` matches one or more extra labels, on a label boundary. */
static void
test_dns_match_double_star(void **state)
{
	static const struct match_row rows[] = {
		MATCH("**.apps.example.internal", "a.apps.example.internal",
		    true),
		MATCH("**.apps.example.internal",
		    "a.b.c.apps.example.internal", true),
		MATCH("**.apps.example.internal", "X.APPS.example.internal",
		    true),
		MATCH("**.apps.example.internal", "apps.example.internal",
		    false),
		MATCH("**.apps.example.internal", "evilapps.example.internal",
		    false),
		MATCH("**.apps.example.internal",
		    "a.evilapps.example.internal", false),
		MATCH("**.apps.example.internal", "apps.example.internal.a",
		    false),
		MATCH("**.example.com", "evilexample.com", false),
		MATCH("**.example.com", "example.com", false),
		MATCH("**.example.com", "a.b.example.com", true),
		MATCH("**.example.com", "a..example.com", false),
		MATCH("**.example.com", "a.example.com.", false),
	};

	(void)state;
	run_matches("dns **", cw_dns_match, rows, NELEM(rows));
}

/* A requested `*.S` is covered by `*.S`, or `**.T` with S = T or S = x.T. */
static void
test_dns_match_requested_wildcard(void **state)
{
	static const struct match_row rows[] = {
		MATCH("*.svc.example.internal", "*.svc.example.internal", true),
		MATCH("*.SVC.example.internal", "*.svc.EXAMPLE.internal", true),
		MATCH("**.svc.example.internal", "*.svc.example.internal",
		    true),
		MATCH("**.example.internal", "*.svc.example.internal", true),
		MATCH("**.internal", "*.a.b.svc.example.internal", true),
		MATCH("*.example.internal", "*.svc.example.internal", false),
		MATCH("*.svc.example.internal", "*.a.svc.example.internal",
		    false),
		MATCH("*.svc.example.internal", "*.example.internal", false),
		MATCH("svc.example.internal", "*.svc.example.internal", false),
		MATCH("a.svc.example.internal", "*.svc.example.internal",
		    false),
		MATCH("**.ample.com", "*.example.com", false),
		MATCH("**.example.com", "*.evilexample.com", false),
		MATCH("**.a.example.com", "*.example.com", false),
		MATCH("**.com", "*.com", true),
		MATCH("*.svc.example.internal", "**.svc.example.internal",
		    false),
		MATCH("**.svc.example.internal", "**.svc.example.internal",
		    false),
	};

	(void)state;
	run_matches("dns requested *", cw_dns_match, rows, NELEM(rows));
}

/* Malformed patterns never match anything (defence in depth). */
static void
test_dns_match_bad_pattern(void **state)
{
	static const struct match_row rows[] = {
		MATCH("*", "a", false),
		MATCH("*", "a.b", false),
		MATCH("**", "a.b", false),
		MATCH("", "", false),
		MATCH("a.*.com", "a.b.com", false),
		MATCH("*.", "a.", false),
		MATCH("example.com.", "example.com.", false),
		MATCH("a_b.com", "a_b.com", false),
	};

	(void)state;
	run_matches("dns bad pattern", cw_dns_match, rows, NELEM(rows));
	assert_false(cw_dns_match(NULL, LIT("a.com")));
	assert_false(cw_dns_match("a.com", NULL, 0));
}

/* --- CIDR blocks ---------------------------------------------------------- */

struct cidr_row {
	const char *text;
	bool ok;
	int family;
	int prefix;
	const char *why;
};

/* Well-formed blocks and single addresses parse to family/prefix. */
static void
test_cidr_parse_accepts(void **state)
{
	static const struct cidr_row rows[] = {
		{"10.0.0.0/8", true, 4, 8, NULL},
		{"fd00::/8", true, 6, 8, NULL},
		{"192.168.1.1", true, 4, 32, NULL},
		{"10.1.2.3/32", true, 4, 32, NULL},
		{"::1", true, 6, 128, NULL},
		{"2001:db8::1/128", true, 6, 128, NULL},
		{"0.0.0.0/0", true, 4, 0, NULL},
		{"::/0", true, 6, 0, NULL},
		{"2001:db8::/32", true, 6, 32, NULL},
		{"10.128.0.0/9", true, 4, 9, NULL},
		{"FD00::/8", true, 6, 8, NULL},
		{"64:ff9b::/96", true, 6, 96, NULL},
		{"::/80", true, 6, 80, NULL},
	};
	size_t i, bad = 0;

	(void)state;
	for (i = 0; i < NELEM(rows); i++) {
		cw_cidr c;
		char why[CW_WHY_MAX] = "";

		if (!cw_cidr_parse(rows[i].text, &c, why, sizeof(why)) ||
		    c.family != rows[i].family || c.prefix != rows[i].prefix) {
			print_error("cidr '%s': want family %d /%d (why: %s)\n",
			    rows[i].text, rows[i].family, rows[i].prefix, why);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* Host bits, bad prefixes, junk, spaces and mapped blocks are refused. */
static void
test_cidr_parse_rejects(void **state)
{
	static const struct cidr_row rows[] = {
		{"", false, 0, 0, "empty"},
		{"/8", false, 0, 0, NULL},
		{"10.0.0.0/", false, 0, 0, "prefix"},
		{"10.1.0.0/8", false, 0, 0, "the block is 10.0.0.0/8"},
		{"10.0.0.1/31", false, 0, 0, "host bits"},
		{"fd00::1/8", false, 0, 0, "the block is fd00::/8"},
		{"10.0.0.0/33", false, 0, 0, "beyond 32"},
		{"fd00::/129", false, 0, 0, "beyond 128"},
		{"10.0.0.0/1000", false, 0, 0, "prefix"},
		{"10.0.0.0/08", false, 0, 0, "prefix"},
		{"10.0.0.0/00", false, 0, 0, "prefix"},
		{"10.0.0.0/-1", false, 0, 0, "prefix"},
		{"10.0.0.0/+8", false, 0, 0, "prefix"},
		{"10.0.0.0/0x8", false, 0, 0, "prefix"},
		{"10.0.0.0/8/8", false, 0, 0, "prefix"},
		{"10.0.0.0 /8", false, 0, 0, NULL},
		{" 10.0.0.0/8", false, 0, 0, NULL},
		{"10.0.0.0/8 ", false, 0, 0, NULL},
		{"10.0.0.0/ 8", false, 0, 0, NULL},
		{"10.0.0/8", false, 0, 0, "IPv4"},
		{"010.0.0.0/8", false, 0, 0, "IPv4"},
		{"256.0.0.0/8", false, 0, 0, "IPv4"},
		{"abc", false, 0, 0, NULL},
		{"1::2::3/64", false, 0, 0, "IPv6"},
		{"fe80::1%eth0/128", false, 0, 0, "IPv6"},
		{"::ffff:10.0.0.0/104", false, 0, 0, "write 10.0.0.0/8"},
		{"::ffff:10.1.2.3", false, 0, 0, "write 10.1.2.3/32"},
		{"::ffff:0:0/96", false, 0, 0, "IPv4-mapped"},
	};
	size_t i, bad = 0;

	(void)state;
	for (i = 0; i < NELEM(rows); i++) {
		cw_cidr c;
		char why[CW_WHY_MAX] = "";

		if (cw_cidr_parse(rows[i].text, &c, why, sizeof(why))) {
			print_error("cidr '%s': accepted, want refused\n",
			    rows[i].text);
			bad++;
		} else if (rows[i].why != NULL &&
		    strstr(why, rows[i].why) == NULL) {
			print_error("cidr '%s': reason '%s' lacks '%s'\n",
			    rows[i].text, why, rows[i].why);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
	assert_false(cw_cidr_parse(NULL, NULL, NULL, 0));
}

/* The parsed address and the network are what the text says. */
static void
test_cidr_parse_bytes(void **state)
{
	static const uint8_t fd00[16] = {0xfd};
	static const uint8_t ten[4] = {10, 0, 0, 0};
	cw_cidr c;

	(void)state;
	assert_true(cw_cidr_parse("10.0.0.0/8", &c, NULL, 0));
	assert_memory_equal(c.addr, ten, 4);
	assert_true(cw_cidr_parse("fd00::/8", &c, NULL, 0));
	assert_memory_equal(c.addr, fd00, 16);
}

/* --- IP matching ---------------------------------------------------------- */

struct ip_row {
	const char *block;
	uint8_t ip[17];
	size_t len;
	bool match;
};

#define V4(a, b, c, d) {a, b, c, d}, 4
#define V4MAPPED(a, b, c, d) {0,0,0,0,0,0,0,0,0,0,0xff,0xff, a, b, c, d}, 16

/* Addresses inside/outside blocks; mapped IPv4 as IPv4; bad lengths never. */
static void
test_ip_match(void **state)
{
	static const struct ip_row rows[] = {
		{"10.0.0.0/8", V4(10, 1, 2, 3), true},
		{"10.0.0.0/8", V4(10, 255, 255, 255), true},
		{"10.0.0.0/8", V4(11, 0, 0, 1), false},
		{"10.0.0.0/8", V4(9, 255, 255, 255), false},
		{"10.128.0.0/9", V4(10, 200, 0, 1), true},
		{"10.128.0.0/9", V4(10, 127, 0, 1), false},
		{"192.168.1.1", V4(192, 168, 1, 1), true},
		{"192.168.1.1", V4(192, 168, 1, 2), false},
		{"0.0.0.0/0", V4(1, 2, 3, 4), true},
		/* IPv4-mapped: checked as the IPv4 address */
		{"10.0.0.0/8", V4MAPPED(10, 1, 2, 3), true},
		{"10.0.0.0/8", V4MAPPED(11, 1, 2, 3), false},
		{"0.0.0.0/0", V4MAPPED(1, 2, 3, 4), true},
		{"::/0", V4MAPPED(10, 1, 2, 3), false},
		{"::/80", V4MAPPED(10, 1, 2, 3), false},
		/* IPv4-compatible ::a.b.c.d is IPv6 as written */
		{"10.0.0.0/8", {[12] = 10, 1, 2, 3}, 16, false},
		{"::/96", {[12] = 10, 1, 2, 3}, 16, true},
		/* NAT64 64:ff9b::10.1.2.3 and 6to4 2002:0a01:0203:: */
		{"10.0.0.0/8", {0, 0x64, 0xff, 0x9b, [12] = 10, 1, 2, 3}, 16,
		    false},
		{"64:ff9b::/96", {0, 0x64, 0xff, 0x9b, [12] = 10, 1, 2, 3}, 16,
		    true},
		{"10.0.0.0/8", {0x20, 0x02, 10, 1, 2, 3}, 16, false},
		{"2002::/16", {0x20, 0x02, 10, 1, 2, 3}, 16, true},
		{"fd00::/8", {0xfd, 0x12, [15] = 1}, 16, true},
		{"fd00::/8", {0xfe, 0x80, [15] = 1}, 16, false},
		{"fd00::/8", {0xfc, [15] = 1}, 16, false},
		{"::/0", {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, 16, true},
		{"2001:db8::1", {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, 16, true},
		{"2001:db8::1", {0x20, 0x01, 0x0d, 0xb8, [15] = 2}, 16, false},
		/* family mismatch */
		{"fd00::/8", V4(253, 0, 0, 1), false},
		{"::/0", V4(1, 2, 3, 4), false},
		{"0.0.0.0/0", {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, 16, false},
		/* malformed lengths: address+mask (8), empty, odd sizes */
		{"10.0.0.0/8", {10, 1, 2, 3, 255, 0, 0, 0}, 8, false},
		{"0.0.0.0/0", {10, 1, 2, 3, 255, 0, 0, 0}, 8, false},
		{"::/0", {0}, 0, false},
		{"0.0.0.0/0", {1, 2, 3}, 3, false},
		{"0.0.0.0/0", {1, 2, 3, 4, 5}, 5, false},
		{"::/0", {0x20, 0x01}, 17, false},
		{"::/0", {0x20, 0x01}, 32, false},
	};
	size_t i, bad = 0;

	(void)state;
	for (i = 0; i < NELEM(rows); i++) {
		cw_cidr c;
		char shown[64];

		if (!cw_cidr_parse(rows[i].block, &c, NULL, 0)) {
			print_error("ip: block '%s' did not parse\n",
			    rows[i].block);
			bad++;
			continue;
		}
		if (cw_ip_match(&c, rows[i].ip, rows[i].len) != rows[i].match) {
			cw_ip_format(rows[i].ip, rows[i].len, shown,
			    sizeof(shown));
			print_error("ip: block '%s' vs %s: want %s\n",
			    rows[i].block, shown,
			    rows[i].match ? "match" : "no match");
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* A corrupt or missing block never matches. */
static void
test_ip_match_bad_block(void **state)
{
	static const uint8_t ip4[4] = {10, 1, 2, 3};
	cw_cidr c;

	(void)state;
	assert_false(cw_ip_match(NULL, ip4, 4));
	assert_true(cw_cidr_parse("10.0.0.0/8", &c, NULL, 0));
	assert_false(cw_ip_match(&c, NULL, 4));
	c.prefix = 33;
	assert_false(cw_ip_match(&c, ip4, 4));
	c.prefix = -1;
	assert_false(cw_ip_match(&c, ip4, 4));
	c.prefix = 8;
	c.family = 6;
	assert_false(cw_ip_match(&c, ip4, 4));
}

/* Canonical text for 4/16 octets, a placeholder otherwise, never overrun. */
static void
test_ip_format(void **state)
{
	static const uint8_t v4[4] = {10, 1, 2, 3};
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t mapped[16] = {[10] = 0xff, 0xff, 10, 1, 2, 3};
	static const uint8_t eight[8] = {10, 1, 2, 3, 255, 0, 0, 0};
	char buf[64], small[4];

	(void)state;
	cw_ip_format(v4, 4, buf, sizeof(buf));
	assert_string_equal(buf, "10.1.2.3");
	cw_ip_format(v6, 16, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::1");
	cw_ip_format(mapped, 16, buf, sizeof(buf));
	assert_string_equal(buf, "::ffff:10.1.2.3");
	cw_ip_format(eight, 8, buf, sizeof(buf));
	assert_string_equal(buf, "<8-octet address>");
	cw_ip_format(NULL, 0, buf, sizeof(buf));
	assert_string_equal(buf, "<0-octet address>");
	cw_ip_format(v4, 4, small, sizeof(small));
	assert_string_equal(small, "10.");
	cw_ip_format(v4, 4, NULL, 0);	/* must not crash */
}

/* --- URIs ----------------------------------------------------------------- */

#define SPIFFE "spiffe://example.internal/ns/*/sa/*"

/* The example SPIFFE pattern: one segment per `*`, exact everything else. */
static void
test_uri_match_spiffe(void **state)
{
	static const struct match_row rows[] = {
		MATCH(SPIFFE, "spiffe://example.internal/ns/prod/sa/web", true),
		MATCH(SPIFFE, "SPIFFE://EXAMPLE.internal/ns/a/sa/b", true),
		MATCH(SPIFFE, "spiffe://example.internal/ns/a.b/sa/c-d_e~f",
		    true),
		MATCH(SPIFFE, "spiffe://example.internal/ns/prod/sa/web/x",
		    false),
		MATCH(SPIFFE, "spiffe://example.internal/ns/prod/sa", false),
		MATCH(SPIFFE, "spiffe://example.internal/ns/../sa/web", false),
		MATCH(SPIFFE, "spiffe://example.internal/ns/./sa/web", false),
		MATCH(SPIFFE, "spiffe://example.internal/ns//sa/web", false),
		MATCH(SPIFFE, "spiffe://example.internal/ns/a/sa/web/", false),
		MATCH(SPIFFE, "spiffe://user@example.internal/ns/a/sa/b",
		    false),
		MATCH(SPIFFE, "spiffe://example.internal@evil/ns/a/sa/b",
		    false),
		MATCH(SPIFFE, "spiffe://example.internal:443/ns/a/sa/b", false),
		MATCH(SPIFFE, "spiffe://example.internal/ns/a/sa/b?q", false),
		MATCH(SPIFFE, "spiffe://example.internal/ns/a/sa/b#f", false),
		MATCH(SPIFFE, "spiffe://example.internal/NS/a/sa/b", false),
		MATCH(SPIFFE, "spiffe://example.internal/ns/a%2fb/sa/c", false),
		MATCH(SPIFFE, "spiffe://example.internal/ns/a%2Fsa/b", false),
		MATCH(SPIFFE, "spiffe://example.internal/ns/a+b/sa/c", false),
		MATCH(SPIFFE, "spiffe://example.internal/ns/a:b/sa/c", false),
		MATCH(SPIFFE, "spiffe://example.internal/ns/*/sa/b", false),
		MATCH(SPIFFE, "spiffe://example.internal/ns/a/sa/b\0", false),
		MATCH(SPIFFE, "spiffe://example.internal/ns/a\0/sa/b", false),
		MATCH(SPIFFE, "spiffe://example.internal/ns/a b/sa/c", false),
		MATCH(SPIFFE, "spiffe://example.internal/ns/a\tb/sa/c", false),
		MATCH(SPIFFE, "spiffe://example.internal/ns/\xc3\xa9/sa/c",
		    false),
		MATCH(SPIFFE, "spiffe://example.internal/ns/a\\b/sa/c", false),
		MATCH(SPIFFE, "https://example.internal/ns/a/sa/b", false),
		MATCH(SPIFFE, "spiffe://evil.internal/ns/a/sa/b", false),
		MATCH(SPIFFE, "spiffe://example.internal.evil/ns/a/sa/b",
		    false),
		MATCH(SPIFFE, "spiffe:/example.internal/ns/a/sa/b", false),
		MATCH(SPIFFE, "spiffe:example.internal/ns/a/sa/b", false),
		MATCH(SPIFFE, "", false),
	};

	(void)state;
	run_matches("uri spiffe", cw_uri_match, rows, NELEM(rows));
}

/* `*` host labels: one non-empty DNS-like label; IP hosts never. */
static void
test_uri_match_host(void **state)
{
	static const struct match_row rows[] = {
		MATCH("https://*.example.com/api", "https://a.example.com/api",
		    true),
		MATCH("https://*.example.com/api",
		    "https://A-1.EXAMPLE.com/api", true),
		MATCH("https://*.example.com/api", "https://example.com/api",
		    false),
		MATCH("https://*.example.com/api",
		    "https://a.b.example.com/api", false),
		MATCH("https://*.example.com/api", "https://.example.com/api",
		    false),
		MATCH("https://*.example.com/api",
		    "https://a.example.com/api/", false),
		MATCH("https://*.example.com/api", "https://a.example.com/API",
		    false),
		MATCH("https://*.example.com/api",
		    "https://a.example.com:8443/api", false),
		MATCH("https://*.example.com/api",
		    "https://a%41.example.com/api", false),
		MATCH("https://*.example.com/api",
		    "https://a~b.example.com/api", false),
		MATCH("https://*.*.*.*/x", "https://a.b.c.d/x", true),
		MATCH("https://*.*.*.*/x", "https://10.1.2.3/x", false),
		MATCH("https://*/x", "https://0x0a010203/x", false),
		MATCH("https://*/x", "https://[::1]/x", false),
		MATCH("https://[::1]/x", "https://[::1]/x", true),
		MATCH("https://10.1.2.3/x", "https://10.1.2.3/x", true),
		MATCH("https://*/x", "https://localhost/x", true),
	};

	(void)state;
	run_matches("uri host", cw_uri_match, rows, NELEM(rows));
}

/* Userinfo, port, query, fragment, %, dot segments: only literal matches. */
static void
test_uri_match_literal_parts(void **state)
{
	static const struct match_row rows[] = {
		MATCH("ftp://anon@files.example.com/pub",
		    "ftp://anon@files.example.com/pub", true),
		MATCH("ftp://anon@files.example.com/pub",
		    "ftp://files.example.com/pub", false),
		MATCH("ftp://anon@files.example.com/pub",
		    "ftp://ANON@files.example.com/pub", false),
		MATCH("ftp://files.example.com/pub",
		    "ftp://anon@files.example.com/pub", false),
		MATCH("https://api.example.com:8443/*",
		    "https://api.example.com:8443/v1", true),
		MATCH("https://api.example.com:8443/*",
		    "https://api.example.com/v1", false),
		MATCH("https://api.example.com:8443/*",
		    "https://api.example.com:443/v1", false),
		MATCH("https://api.example.com:8443/*",
		    "https://api.example.com:08443/v1", false),
		MATCH("https://x.example/a?b=c", "https://x.example/a?b=c",
		    true),
		MATCH("https://x.example/a?b=c", "https://x.example/a?b=d",
		    false),
		MATCH("https://x.example/a?b=c", "https://x.example/a", false),
		MATCH("https://x.example/a", "https://x.example/a?", false),
		MATCH("https://x.example/a#top", "https://x.example/a#top",
		    true),
		MATCH("https://x.example/a#top", "https://x.example/a#TOP",
		    false),
		MATCH("https://x.example/a/../b", "https://x.example/a/../b",
		    true),
		MATCH("https://x.example/a/../b", "https://x.example/b", false),
		MATCH("https://x.example/a%20b", "https://x.example/a%20b",
		    true),
		MATCH("https://x.example/a%20b", "https://x.example/a b",
		    false),
		MATCH("https://x.example/a/", "https://x.example/a/", true),
		MATCH("https://x.example/a/", "https://x.example/a", false),
		MATCH("https://x.example", "https://x.example/", false),
		MATCH("urn:uuid:*", "urn:uuid:1234", false),
		MATCH("urn:*", "urn:abc", true),
		MATCH("urn:*", "urn:a:b", false),
		MATCH("urn:*", "URN:abc", true),
		MATCH("mailto:a@example.com", "mailto:a@example.com", true),
	};

	(void)state;
	run_matches("uri literal", cw_uri_match, rows, NELEM(rows));
}

/* URI pattern syntax: `*` only as a whole host label or path segment. */
static void
test_uri_pattern_valid(void **state)
{
	static const struct pat_row rows[] = {
		{SPIFFE, true, NULL},
		{"https://*.example.com/api", true, NULL},
		{"https://api.example.com:8443/*", true, NULL},
		{"urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", true, NULL},
		{"https://[2001:db8::1]/x", true, NULL},
		{"https://x.example/a?b=c#d", true, NULL},
		{"mailto:a@example.com", true, NULL},
		{"urn:*", true, NULL},
		{"", false, "empty"},
		{"spiffe", false, "scheme"},
		{"://x", false, "scheme"},
		{"1http://x", false, "scheme"},
		{"*://x/y", false, "scheme"},
		{"spiffe://example.internal/ns/a*/sa/*", false, "segment"},
		{"spiffe://example.internal/ns/**/sa", false, "segment"},
		{"urn:uuid:*", false, "segment"},
		{"spiffe://ex*.internal/x", false, "host label"},
		{"spiffe://*@x/y", false, "'*'"},
		{"https://x:*/y", false, "port"},
		{"https://x/y?*", false, "'*'"},
		{"https://x/y#*", false, "'*'"},
		{"https://[*]/x", false, "IP-literal"},
		{"https://x/a b", false, "space"},
		{"https://x/%zz", false, "hex"},
		{"https://x/%4", false, "hex"},
		{"https://x/a\\b", false, "RFC 3986"},
		{"https://x/\x7f", false, "control"},
		{"https://x:port/", false, "port"},
		{"https://a@b@c/", false, "more than one '@'"},
		{"https://x/#a#b", false, "second '#'"},
		{"https://[::1/x", false, "'['"},
		{"https://x/[a]", false, "outside the host"},
		{"https://x]/", false, "bracket"},
		{"https://[::1]x/", false, "not a port"},
	};

	(void)state;
	run_patterns("uri pattern", cw_uri_pattern_valid, rows, NELEM(rows));
	assert_false(cw_uri_pattern_valid(NULL, NULL, 0));
}

/* Requested URI syntax: ASCII URI characters, a scheme, no `*`, no NUL. */
static void
test_uri_valid(void **state)
{
	static const struct name_row rows[] = {
		NAME("spiffe://example.internal/ns/a/sa/b", false, true, NULL),
		NAME("urn:x", false, true, NULL),
		NAME("https://u@h:1/p?q#f", false, true, NULL),
		NAME("https://[::1]:8443/", false, true, NULL),
		NAME("x:", false, true, NULL),
		NAME("", false, false, "empty"),
		NAME("nouri", false, false, "scheme"),
		NAME(":x", false, false, "scheme"),
		NAME("spiffe://example.internal/ns/*/sa/b", false, false,
		    "literal '*'"),
		NAME("spiffe://a/\0b", false, false, "NUL"),
		NAME("spiffe://a/b c", false, false, "space"),
		NAME("spiffe://a/b\x7f", false, false, "control"),
		NAME("spiffe://a/b\n", false, false, "control"),
		NAME("spiffe://a/\xc3\xa9", false, false, "non-ASCII"),
		NAME("spiffe://a/%4", false, false, "hex"),
		NAME("spiffe://a/%zz", false, false, "hex"),
		NAME("spiffe://a/\"x\"", false, false, "RFC 3986"),
		NAME("spiffe://a:b:c/", false, false, "port"),
	};

	(void)state;
	run_valid("uri valid", cw_uri_valid, rows, NELEM(rows));
}

/* --- e-mail --------------------------------------------------------------- */

/* Requested addresses: one '@', printable local part, valid DNS domain. */
static void
test_email_valid(void **state)
{
	char local[80], addr[120];
	static const struct name_row rows[] = {
		NAME("alice@example.com", false, true, NULL),
		NAME("a.b+tag@sub.example.com", false, true, NULL),
		NAME("A@EXAMPLE.COM", false, true, NULL),
		NAME("x@xn--bcher-kva.de", false, true, NULL),
		NAME("", false, false, "empty"),
		NAME("alice", false, false, "no '@'"),
		NAME("@example.com", false, false, "empty"),
		NAME("alice@", false, false, "domain"),
		NAME("a@b@example.com", false, false, "more than one"),
		NAME("al ice@example.com", false, false, "space"),
		NAME("alice\0@example.com", false, false, "NUL"),
		NAME("alice@exa\0mple.com", false, false, "NUL"),
		NAME("\xc3\xa9@example.com", false, false, "\\xc3"),
		NAME("alice@example.com.", false, false, "dot"),
		NAME("alice@*.example.com", false, false, "domain"),
		NAME("alice@ex_ample.com", false, false, "domain"),
		NAME("alice@xn--n3h.com", false, false, "domain"),
		NAME("alice@[10.0.0.1]", false, false, "domain"),
	};

	(void)state;
	run_valid("email valid", cw_email_valid, rows, NELEM(rows));
	snprintf(addr, sizeof(addr), "%s@example.com", fill(local, 'l', 64));
	assert_true(cw_email_valid((uint8_t *)addr, strlen(addr), NULL, 0));
	snprintf(addr, sizeof(addr), "%s@example.com", fill(local, 'l', 65));
	assert_false(cw_email_valid((uint8_t *)addr, strlen(addr), NULL, 0));
}

/* Email patterns: LOCAL exact or `*`, DOMAIN a DNS pattern. */
static void
test_email_pattern_valid(void **state)
{
	static const struct pat_row rows[] = {
		{"*@example.com", true, NULL},
		{"*@*.example.com", true, NULL},
		{"*@**.example.com", true, NULL},
		{"alice@example.com", true, NULL},
		{"", false, "empty"},
		{"example.com", false, "no '@'"},
		{"a*@example.com", false, "'*'"},
		{"*a@example.com", false, "'*'"},
		{"alice@", false, "domain"},
		{"@example.com", false, "empty"},
		{"a@b@c", false, "more than one"},
		{"*@*", false, "domain"},
		{"*@a.*.b", false, "domain"},
		{"a b@x.com", false, "space"},
		{"*@example.com.", false, "domain"},
	};

	(void)state;
	run_patterns("email pattern", cw_email_pattern_valid, rows,
	    NELEM(rows));
}

/* Local part exact and case-sensitive (or `*`), domain per DNS rules. */
static void
test_email_match(void **state)
{
	static const struct match_row rows[] = {
		MATCH("*@*.example.com", "alice@mail.example.com", true),
		MATCH("*@*.example.com", "alice@MAIL.EXAMPLE.COM", true),
		MATCH("*@*.example.com", "alice@example.com", false),
		MATCH("*@*.example.com", "alice@a.b.example.com", false),
		MATCH("*@**.example.com", "x@a.b.example.com", true),
		MATCH("*@**.example.com", "x@evilexample.com", false),
		MATCH("alice@example.com", "alice@example.com", true),
		MATCH("alice@example.com", "alice@EXAMPLE.com", true),
		MATCH("alice@example.com", "Alice@example.com", false),
		MATCH("alice@example.com", "bob@example.com", false),
		MATCH("alice@example.com", "xalice@example.com", false),
		MATCH("alice@example.com", "alic@example.com", false),
		MATCH("alice@example.com", "alice@example.com.evil", false),
		MATCH("alice@example.com", "alice@a.example.com", false),
		MATCH("*@example.com", "@example.com", false),
		MATCH("*@example.com", "a@@example.com", false),
		MATCH("*@example.com", "a@example.com\0", false),
		MATCH("*@example.com", "a\0b@example.com", false),
		MATCH("*@example.com", "a b@example.com", false),
		MATCH("*@example.com", "*@example.com", true),
		MATCH("alice@example.com", "*@example.com", false),
		MATCH("*@example.com", "a@*.example.com", false),
	};

	(void)state;
	run_matches("email match", cw_email_match, rows, NELEM(rows));
}

/* --- subject globs -------------------------------------------------------- */

/* `*` matches any run of bytes (even none); the rest is byte-equal. */
static void
test_glob_match(void **state)
{
	static const struct match_row rows[] = {
		MATCH("* Release Signing", "Foo Release Signing", true),
		MATCH("* Release Signing", " Release Signing", true),
		MATCH("* Release Signing", "A B Release Signing", true),
		MATCH("* Release Signing", "Release Signing", false),
		MATCH("* Release Signing", "Foo Release signing", false),
		MATCH("* Release Signing", "Foo Release Signing ", false),
		MATCH("* Release Signing", "Foo Release Signing\0", false),
		MATCH("*", "", true),
		MATCH("*", "anything", true),
		MATCH("**", "x", true),
		MATCH("", "", true),
		MATCH("", "a", false),
		MATCH("abc", "abc", true),
		MATCH("abc", "ABC", false),
		MATCH("abc", "ab", false),
		MATCH("abc", "abc\0", false),
		MATCH("a*b*c", "abc", true),
		MATCH("a*b*c", "aXbYc", true),
		MATCH("a*b*c", "abcbc", true),
		MATCH("a*b*c", "aXbY", false),
		MATCH("a*b*c", "acb", false),
		MATCH("a*", "a\0b", true),
		MATCH("a?c", "abc", false),
		MATCH("a?c", "a?c", true),
		MATCH("*.example.com", "www.example.com", true),
		MATCH("*.example.com", "www.example.org", false),
	};

	(void)state;
	run_matches("glob", cw_glob_match, rows, NELEM(rows));
	assert_false(cw_glob_match(NULL, LIT("a")));
	assert_true(cw_glob_match("*", NULL, 0));
}

/* A pathological glob finishes quickly (no exponential backtracking). */
static void
test_glob_not_exponential(void **state)
{
	static uint8_t text[20000];
	clock_t t0;

	(void)state;
	memset(text, 'a', sizeof(text));
	t0 = clock();
	assert_false(cw_glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*b", text,
	    sizeof(text)));
	assert_true(cw_glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*", text,
	    sizeof(text)));
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_valid_plain),
		cmocka_unit_test(test_dns_invalid_syntax),
		cmocka_unit_test(test_dns_lengths),
		cmocka_unit_test(test_dns_idna),
		cmocka_unit_test(test_dns_requested_wildcard),
		cmocka_unit_test(test_dns_why_optional),
		cmocka_unit_test(test_dns_pattern_valid),
		cmocka_unit_test(test_dns_pattern_lengths),
		cmocka_unit_test(test_dns_match_exact),
		cmocka_unit_test(test_dns_match_star),
		cmocka_unit_test(test_dns_match_double_star),
		cmocka_unit_test(test_dns_match_requested_wildcard),
		cmocka_unit_test(test_dns_match_bad_pattern),
		cmocka_unit_test(test_cidr_parse_accepts),
		cmocka_unit_test(test_cidr_parse_rejects),
		cmocka_unit_test(test_cidr_parse_bytes),
		cmocka_unit_test(test_ip_match),
		cmocka_unit_test(test_ip_match_bad_block),
		cmocka_unit_test(test_ip_format),
		cmocka_unit_test(test_uri_match_spiffe),
		cmocka_unit_test(test_uri_match_host),
		cmocka_unit_test(test_uri_match_literal_parts),
		cmocka_unit_test(test_uri_pattern_valid),
		cmocka_unit_test(test_uri_valid),
		cmocka_unit_test(test_email_valid),
		cmocka_unit_test(test_email_pattern_valid),
		cmocka_unit_test(test_email_match),
		cmocka_unit_test(test_glob_match),
		cmocka_unit_test(test_glob_not_exponential),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
