/*
 * policy_load.c - reads a policy file (DESIGN 6 and 6.1, a contract) into a
 * cw_policy, or into a list of problems that each name line and column.
 *
 * The YAML is read with libyaml's event parser into a small tree of our own
 * in which every node keeps its 1-based line:column.  Building the tree
 * refuses what a policy never needs and an attacker likes: anchors, aliases
 * (alias bombs), explicit tags, %TAG directives, more than one document,
 * NUL bytes, more than CW_MAX_POLICY_BYTES, CW_MAX_YAML_DEPTH or
 * CW_MAX_YAML_NODES.  The tree is then walked against the schema below and
 * every problem is collected (up to CW_POLICY_MAX_ERRORS), so one run shows
 * the author all of them.
 *
 * Scalars.  The schema decides a value's type, never the look of a plain
 * scalar: booleans are exactly plain `true` or `false`; integers are plain
 * decimal (optional `-`, no `+`, no leading zeros, which YAML 1.1 reads as
 * octal) and range-checked; where a string is expected any scalar except an
 * empty one or null/~ is taken as its text (so `country: {value: NO}` is
 * the string NO, not false).  A quoted "123" where an integer is expected is
 * an error.  Keys may be plain or quoted; `<<` merge keys are refused.
 *
 * Schema (decisions where the contract is silent are marked DECISION):
 *
 *   version: 1                              required, must be 1
 *   templates: [ TEMPLATE, ... ]            required, 1..CW_MAX_TEMPLATES
 *
 *   TEMPLATE
 *   name                required; [a-z0-9][a-z0-9._-]{0,63}; unique
 *   description         optional string (tab and newline are the only
 *                       control characters allowed)
 *   key                 required (deny by default, DESIGN 6.1): at least one
 *                       of rsa, rsa_pss (maps {min_bits 2048, max_bits 8192,
 *                       exponent 65537}), ec {curves: [...]} (curves
 *                       required, non-empty), ed25519/ed448: true|false.
 *                       min_bits >= 1024, max_bits <= CW_MAX_RSA_BITS,
 *                       min_bits <= max_bits, exponent odd and >= 3.
 *   signature_hashes    DECISION: required when the template allows rsa,
 *                       rsa_pss or ec keys (DESIGN 6.1: it governs RSA and
 *                       ECDSA signatures); optional, and then empty, for
 *                       a template that allows only ed25519/ed448.  Never
 *                       empty when given; sha1 and md5 are refused.
 *   subject             optional; absent means no subject attribute is
 *                       allowed (DESIGN 6.1).  other_fields default deny.
 *   san                 optional; absent means no SAN is allowed.  required
 *                       default false, max default -1 (no limit beyond
 *                       CW_MAX_SANS; at most CW_MAX_SANS when given),
 *                       wildcards default false.  An absent list means no
 *                       names of that type.  required: true with max: 0, or
 *                       with no pattern at all, could never be met: error.
 *                       Duplicate patterns are errors (likely typos); DNS
 *                       patterns compare case-insensitively for this.
 *   key_usage           optional; absent or [] means no key usage.
 *                       keyCertSign and cRLSign are refused (end-entity
 *                       certificates only).
 *   extended_key_usage  optional; absent or [] means no EKU.
 *   validity            required: {default, max}, both required, default
 *                       <= max.  DURATION is a positive whole number and a
 *                       unit s, m, h or d ("90d"), at most 36500d
 *                       (DECISION: 100 years, so that now + duration can
 *                       never overflow a time_t).
 *   renew_at            DECISION: optional, default 66%; "NN%", 1..99.
 *   approval            optional, default {required: 0}.  required > 0
 *                       needs a non-empty roles list; role names
 *                       [a-z][a-z0-9-]{0,63}; roles with required 0 allowed.
 *   owner               DECISION: required (a template that silently
 *                       skipped ownership would be a weaker default than
 *                       anything else here).  required default true;
 *                       max_age required when required is true; max_age
 *                       with required false is accepted and kept.
 *   key_reuse           optional, deny|allow, default deny.
 *
 * Every list is at most CW_MAX_PATTERNS long.  Whole-file problems (too
 * large, empty) are reported at 1:1.
 */
#include "policy.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/obj_mac.h>
#include <yaml.h>

#include "../common/limits.h"

/* 100 years: see the DECISION on durations above. */
#define CW_POLICY_MAX_DURATION ((int64_t)36500 * 86400)

#define CW_RSA_MIN_BITS_FLOOR 1024
#define PATH_LEN 256
#define SHOW_LEN 128
#define FOUND_LEN 160

/* --- the YAML tree ------------------------------------------------------- */

enum yn_kind {
	YN_SCALAR,
	YN_SEQ,
	YN_MAP,
};

struct yn {
	enum yn_kind kind;
	cw_mark mark;
	char *str;     /* scalar text, NUL-terminated; may hold NULs */
	size_t len;
	bool quoted;   /* any scalar style but plain */
	struct yn **kids; /* SEQ: items; MAP: key, value, key, value, ... */
	size_t n;
	size_t cap;
};

/* One load: where problems go. */
struct ld {
	cw_policy_errors *errs;
	size_t nodes;
};

static void perr(struct ld *, cw_mark, const char *, ...) CW_PRINTF(3, 4);

static void
yn_free(struct yn *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++)
		yn_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

/* Appends one problem; beyond CW_POLICY_MAX_ERRORS only notes truncation. */
static void
perr(struct ld *ld, cw_mark m, const char *fmt, ...)
{
	cw_policy_error *e;
	va_list ap;

	if (ld->errs->n >= CW_POLICY_MAX_ERRORS) {
		ld->errs->truncated = true;
		return;
	}
	e = &ld->errs->items[ld->errs->n++];
	e->mark = m;
	va_start(ap, fmt);
	if (vsnprintf(e->msg, sizeof(e->msg), fmt, ap) < 0)
		e->msg[0] = '\0';
	va_end(ap);
}

static cw_mark
mark_of(yaml_mark_t ym)
{
	cw_mark m;

	m.line = ym.line >= (size_t)INT_MAX ? INT_MAX : (int)ym.line + 1;
	m.column = ym.column >= (size_t)INT_MAX ? INT_MAX : (int)ym.column + 1;
	return m;
}

/* Line and column (1-based, in bytes) of a byte offset in the text. */
static cw_mark
mark_at(const char *text, size_t len, size_t off)
{
	cw_mark m = {1, 1};
	size_t i;

	for (i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			if (m.line < INT_MAX)
				m.line++;
			m.column = 1;
		} else if (m.column < INT_MAX)
			m.column++;
	}
	return m;
}

static const char *
where(const char *path)
{
	return path[0] != '\0' ? path : "the top level";
}

/*
 * A scalar for a message: quoted, non-printable and non-ASCII bytes as \xNN,
 * cut after a few dozen bytes.  The policy may come from anywhere.
 */
static const char *
show(const struct yn *n, char *buf, size_t sz)
{
	size_t i, o = 0;
	unsigned char c;

	buf[o++] = '\'';
	for (i = 0; i < n->len; i++) {
		c = (unsigned char)n->str[i];
		if (i >= 48 || o + 4 + 5 > sz) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'')
			buf[o++] = (char)c;
		else {
			snprintf(buf + o, sz - o, "\\x%02x", c);
			o += 4;
		}
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

static bool
is_null(const struct yn *n)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	size_t i;

	if (n->kind != YN_SCALAR || n->quoted)
		return false;
	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (n->len == strlen(nulls[i]) &&
		    memcmp(n->str, nulls[i], n->len) == 0)
			return true;
	return false;
}

/* What a node is, for "expected X, found Y". */
static const char *
found(const struct yn *n, char *buf, size_t sz)
{
	char v[SHOW_LEN];

	if (n->kind == YN_MAP)
		return "a mapping";
	if (n->kind == YN_SEQ)
		return "a list";
	if (!n->quoted && n->len == 0)
		return "an empty value";
	if (is_null(n))
		return "null";
	snprintf(buf, sz, "%s%s", n->quoted ? "a quoted string " : "",
	    show(n, v, sizeof(v)));
	return buf;
}

static bool
scalar_is(const struct yn *n, const char *s)
{
	return n->kind == YN_SCALAR && n->len == strlen(s) &&
	    memcmp(n->str, s, n->len) == 0;
}

/* --- building the tree from libyaml events ------------------------------- */

static cw_rc
yn_new(struct ld *ld, enum yn_kind kind, yaml_mark_t ym, struct yn **out,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	struct yn *n = NULL;

	n = calloc(1, sizeof(*n));
	CW_ENSURE_MEM(n);
	n->kind = kind;
	n->mark = mark_of(ym);
	ld->nodes++;
	*out = n;
	n = NULL;
out:
	free(n);
	return rc;
}

static cw_rc
yn_add(struct yn *parent, struct yn *kid, cw_err *err)
{
	cw_rc rc = CW_OK;
	struct yn **kids;
	size_t cap, bytes;

	if (parent->n == parent->cap) {
		cap = 8;
		CW_ENSURE(parent->cap == 0 ||
		    !__builtin_mul_overflow(parent->cap, (size_t)2, &cap),
		    CW_ERR_NOMEM, "out of memory");
		CW_ENSURE(!__builtin_mul_overflow(cap, sizeof(*kids), &bytes),
		    CW_ERR_NOMEM, "out of memory");
		kids = realloc(parent->kids, bytes);
		CW_ENSURE_MEM(kids);
		parent->kids = kids;
		parent->cap = cap;
	}
	parent->kids[parent->n++] = kid;
out:
	return rc;
}

/* Records libyaml's complaint, with its position, as a policy problem. */
static cw_rc
yaml_problem(struct ld *ld, const yaml_parser_t *ps, const char *text,
    size_t len, cw_err *err)
{
	cw_mark cm;
	const char *problem = ps->problem != NULL ? ps->problem : "error";

	switch (ps->error) {
	case YAML_MEMORY_ERROR:
		return cw_err_set(err, CW_ERR_NOMEM, "out of memory");
	case YAML_READER_ERROR:
		perr(ld, mark_at(text, len, ps->problem_offset),
		    "not a valid UTF-8 YAML text: %s", problem);
		break;
	default:
		if (ps->context != NULL) {
			cm = mark_of(ps->context_mark);
			perr(ld, mark_of(ps->problem_mark),
			    "YAML syntax error: %s (%s at line %d, column %d)",
			    problem, ps->context, cm.line, cm.column);
		} else
			perr(ld, mark_of(ps->problem_mark),
			    "YAML syntax error: %s", problem);
		break;
	}
	return CW_OK;
}

/* Refuses anchors and explicit tags on a node (see the top of the file). */
static bool
plain_node(struct ld *ld, const yaml_event_t *ev, const yaml_char_t *anchor,
    const yaml_char_t *tag)
{
	if (anchor != NULL) {
		perr(ld, mark_of(ev->start_mark),
		    "YAML anchors (&%.40s) are not allowed in a policy; write "
		    "each value out", (const char *)anchor);
		return false;
	}
	if (tag != NULL) {
		perr(ld, mark_of(ev->start_mark),
		    "explicit YAML tags (%.40s) are not allowed in a policy",
		    (const char *)tag);
		return false;
	}
	return true;
}

/*
 * Parses text into a tree.  Problems are recorded in ld and leave *out NULL;
 * only running out of memory is an error return.
 */
static cw_rc
yaml_build(struct ld *ld, const char *text, size_t len, struct yn **out,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	yaml_parser_t ps;
	yaml_event_t ev;
	struct yn *stack[CW_MAX_YAML_DEPTH];
	struct yn *root = NULL, *node = NULL;
	size_t depth = 0;
	int docs = 0;
	bool have_ps = false, have_ev = false, done = false, ok = true;
	const yaml_char_t *anchor, *tag;
	enum yn_kind kind;

	*out = NULL;
	CW_ENSURE(yaml_parser_initialize(&ps), CW_ERR_NOMEM, "out of memory");
	have_ps = true;
	yaml_parser_set_input_string(&ps, (const unsigned char *)text, len);
	/* No UTF-16/32 guessing: a policy is UTF-8. */
	yaml_parser_set_encoding(&ps, YAML_UTF8_ENCODING);

	while (!done && ok) {
		if (!yaml_parser_parse(&ps, &ev)) {
			CW_TRY(yaml_problem(ld, &ps, text, len, err));
			ok = false;
			break;
		}
		have_ev = true;
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
		case YAML_NO_EVENT:
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				perr(ld, mark_of(ev.start_mark),
				    "a policy is one YAML document; found a "
				    "second one");
				ok = false;
			} else if (ev.data.document_start.tag_directives.start
			    != ev.data.document_start.tag_directives.end) {
				perr(ld, mark_of(ev.start_mark),
				    "%%TAG directives are not allowed in a "
				    "policy");
				ok = false;
			}
			break;
		case YAML_ALIAS_EVENT:
			perr(ld, mark_of(ev.start_mark),
			    "YAML aliases (*%.40s) are not allowed in a "
			    "policy; write each value out",
			    (const char *)ev.data.alias.anchor);
			ok = false;
			break;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (ev.type == YAML_SCALAR_EVENT) {
				kind = YN_SCALAR;
				anchor = ev.data.scalar.anchor;
				tag = ev.data.scalar.tag;
			} else if (ev.type == YAML_SEQUENCE_START_EVENT) {
				kind = YN_SEQ;
				anchor = ev.data.sequence_start.anchor;
				tag = ev.data.sequence_start.tag;
			} else {
				kind = YN_MAP;
				anchor = ev.data.mapping_start.anchor;
				tag = ev.data.mapping_start.tag;
			}
			if (!plain_node(ld, &ev, anchor, tag)) {
				ok = false;
				break;
			}
			if (ld->nodes >= CW_MAX_YAML_NODES) {
				perr(ld, mark_of(ev.start_mark),
				    "the policy has more than %d YAML nodes",
				    CW_MAX_YAML_NODES);
				ok = false;
				break;
			}
			if (kind != YN_SCALAR && depth >= CW_MAX_YAML_DEPTH) {
				perr(ld, mark_of(ev.start_mark),
				    "the policy nests deeper than %d levels",
				    CW_MAX_YAML_DEPTH);
				ok = false;
				break;
			}
			CW_TRY(yn_new(ld, kind, ev.start_mark, &node, err));
			if (kind == YN_SCALAR) {
				node->len = ev.data.scalar.length;
				node->quoted = ev.data.scalar.style !=
				    YAML_PLAIN_SCALAR_STYLE;
				node->str = malloc(node->len + 1);
				CW_ENSURE_MEM(node->str);
				if (node->len > 0)
					memcpy(node->str, ev.data.scalar.value,
					    node->len);
				node->str[node->len] = '\0';
			}
			if (depth > 0)
				CW_TRY(yn_add(stack[depth - 1], node, err));
			else if (root == NULL)
				root = node;
			else {
				/* libyaml gives one root per document. */
				yn_free(node);
				node = NULL;
				CW_ENSURE(0, CW_ERR_INTERNAL,
				    "YAML parser gave two roots");
			}
			if (kind != YN_SCALAR)
				stack[depth++] = node;
			node = NULL;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			CW_ENSURE(depth > 0, CW_ERR_INTERNAL,
			    "YAML parser closed an unopened collection");
			depth--;
			break;
		}
		yaml_event_delete(&ev);
		have_ev = false;
	}
	if (ok && docs == 0)
		perr(ld, (cw_mark){1, 1}, "the policy is empty");
	if (ok && ld->errs->n == 0) {
		*out = root;
		root = NULL;
	}
out:
	if (have_ev)
		yaml_event_delete(&ev);
	if (have_ps)
		yaml_parser_delete(&ps);
	/* A node not yet attached (allocation failure) is freed here. */
	yn_free(node);
	yn_free(root);
	return rc;
}

/* --- schema helpers ------------------------------------------------------- */

/*
 * Paths in messages ("templates[web].san.dns[2]").  Template names are at
 * most 64 bytes and keys are ours, so PATH_LEN is never reached; were it
 * reached, a cut path in a message is harmless.
 */
static const char *
pjoin(char *buf, size_t sz, const char *parent, const char *key)
{
	int w;

	w = snprintf(buf, sz, "%s%s%s", parent, parent[0] != '\0' ? "." : "",
	    key);
	if (w < 0)
		buf[0] = '\0';
	return buf;
}

static const char *
pindex(char *buf, size_t sz, const char *parent, size_t i)
{
	int w;

	w = snprintf(buf, sz, "%s[%zu]", parent, i);
	if (w < 0)
		buf[0] = '\0';
	return buf;
}

static bool
want(struct ld *ld, const struct yn *n, enum yn_kind kind, const char *path)
{
	char f[FOUND_LEN];

	if (n->kind == kind)
		return true;
	perr(ld, n->mark, "%s: expected %s, found %s", where(path),
	    kind == YN_MAP ? "a mapping" : "a list", found(n, f, sizeof(f)));
	return false;
}

/* Lists are capped; an over-long list is reported and not read further. */
static bool
want_list(struct ld *ld, const struct yn *n, const char *path)
{
	if (!want(ld, n, YN_SEQ, path))
		return false;
	if (n->n > CW_MAX_PATTERNS) {
		perr(ld, n->mark, "%s: %zu items; the limit is %d", path, n->n,
		    CW_MAX_PATTERNS);
		return false;
	}
	return true;
}

static bool
in_list(const char *const *keys, const struct yn *k)
{
	size_t i;

	for (i = 0; keys != NULL && keys[i] != NULL; i++)
		if (scalar_is(k, keys[i]))
			return true;
	return false;
}

static bool
in_table(const cw_name_entry *t, const struct yn *k)
{
	size_t i;

	for (i = 0; t != NULL && t[i].name != NULL; i++)
		if (scalar_is(k, t[i].name))
			return true;
	return false;
}

/* "a, b, c": the printed names of a table, then of a key list. */
static const char *
names_text(char *buf, size_t sz, const cw_name_entry *t,
    const char *const *keys)
{
	size_t i, o = 0;
	const char *s;
	int w;

	buf[0] = '\0';
	for (i = 0; t != NULL && t[i].name != NULL; i++) {
		if (t[i].alias)
			continue;
		s = t[i].name;
		w = snprintf(buf + o, sz - o, "%s%s", o > 0 ? ", " : "", s);
		if (w < 0 || (size_t)w >= sz - o)
			return buf;
		o += (size_t)w;
	}
	for (i = 0; keys != NULL && keys[i] != NULL; i++) {
		w = snprintf(buf + o, sz - o, "%s%s", o > 0 ? ", " : "",
		    keys[i]);
		if (w < 0 || (size_t)w >= sz - o)
			return buf;
		o += (size_t)w;
	}
	return buf;
}

/*
 * Checks every key of a mapping: a scalar, known (in `keys` or the name
 * table `extra`), not a merge key, not repeated.  The values are read
 * afterwards with map_get.
 */
static void
check_map(struct ld *ld, const struct yn *m, const char *path,
    const char *const *keys, const cw_name_entry *extra)
{
	char v[SHOW_LEN], f[FOUND_LEN], list[400];
	const struct yn *k;
	size_t i, j;

	for (i = 0; i + 1 < m->n; i += 2) {
		k = m->kids[i];
		if (k->kind != YN_SCALAR) {
			perr(ld, k->mark, "%s: keys must be strings, found %s",
			    where(path), found(k, f, sizeof(f)));
			continue;
		}
		if (!k->quoted && scalar_is(k, "<<")) {
			perr(ld, k->mark, "%s: YAML merge keys ('<<') are not "
			    "allowed in a policy", where(path));
			continue;
		}
		if (!in_list(keys, k) && !in_table(extra, k)) {
			perr(ld, k->mark,
			    "unknown key %s in %s; expected one of: %s",
			    show(k, v, sizeof(v)), where(path),
			    names_text(list, sizeof(list), extra, keys));
			continue;
		}
		for (j = 0; j < i; j += 2) {
			if (m->kids[j]->kind == YN_SCALAR &&
			    m->kids[j]->len == k->len &&
			    memcmp(m->kids[j]->str, k->str, k->len) == 0) {
				perr(ld, k->mark, "%s: duplicate key %s (first "
				    "at line %d, column %d)", where(path),
				    show(k, v, sizeof(v)),
				    m->kids[j]->mark.line,
				    m->kids[j]->mark.column);
				break;
			}
		}
	}
}

/* The value of the first `key` in a mapping, or NULL. */
static const struct yn *
map_get(const struct yn *m, const char *key)
{
	size_t i;

	for (i = 0; i + 1 < m->n; i += 2)
		if (scalar_is(m->kids[i], key))
			return m->kids[i + 1];
	return NULL;
}

static void
missing(struct ld *ld, const struct yn *m, const char *path, const char *key)
{
	perr(ld, m->mark, "%s: missing required key '%s'", where(path), key);
}

static bool
get_bool(struct ld *ld, const struct yn *n, const char *path, bool *out)
{
	char f[FOUND_LEN];

	if (n->kind == YN_SCALAR && !n->quoted) {
		if (scalar_is(n, "true")) {
			*out = true;
			return true;
		}
		if (scalar_is(n, "false")) {
			*out = false;
			return true;
		}
	}
	perr(ld, n->mark, "%s: expected true or false, found %s", path,
	    found(n, f, sizeof(f)));
	return false;
}

/* Plain decimal integer in [lo, hi] (see the top of the file). */
static bool
get_int(struct ld *ld, const struct yn *n, const char *path, long long lo,
    long long hi, long long *out)
{
	char f[FOUND_LEN], v[SHOW_LEN];
	const char *s = n->str;
	char *end;
	size_t i, start;
	long long x;

	if (n->kind != YN_SCALAR || n->quoted || n->len == 0)
		goto type;
	start = s[0] == '-' ? 1 : 0;
	if (start == n->len)
		goto type;
	for (i = start; i < n->len; i++)
		if (s[i] < '0' || s[i] > '9')
			goto type;
	if (s[start] == '0' && n->len - start > 1) {
		perr(ld, n->mark, "%s: %s has a leading zero; write plain "
		    "decimal", path, show(n, v, sizeof(v)));
		return false;
	}
	errno = 0;
	x = strtoll(s, &end, 10);
	if (errno != 0 || end != s + n->len || x < lo || x > hi) {
		perr(ld, n->mark, "%s: %s is out of range; expected %lld to "
		    "%lld", path, show(n, v, sizeof(v)), lo, hi);
		return false;
	}
	*out = x;
	return true;
type:
	perr(ld, n->mark, "%s: expected an integer, found %s", path,
	    found(n, f, sizeof(f)));
	return false;
}

/* Any non-empty, non-null scalar without NUL bytes, borrowed. */
static bool
get_str(struct ld *ld, const struct yn *n, const char *path, const char **out)
{
	char f[FOUND_LEN];

	if (n->kind != YN_SCALAR || is_null(n)) {
		perr(ld, n->mark, "%s: expected a string, found %s", path,
		    found(n, f, sizeof(f)));
		return false;
	}
	if (n->len == 0) {
		perr(ld, n->mark, "%s: the string is empty", path);
		return false;
	}
	if (memchr(n->str, '\0', n->len) != NULL) {
		perr(ld, n->mark, "%s: the string contains a NUL byte", path);
		return false;
	}
	*out = n->str;
	return true;
}

/* `deny` or `allow`; *allow is set only on success. */
static void
get_choice(struct ld *ld, const struct yn *n, const char *path, bool *allow)
{
	char f[FOUND_LEN];

	if (n->kind == YN_SCALAR && scalar_is(n, "deny"))
		*allow = false;
	else if (n->kind == YN_SCALAR && scalar_is(n, "allow"))
		*allow = true;
	else
		perr(ld, n->mark, "%s: expected deny or allow, found %s", path,
		    found(n, f, sizeof(f)));
}

/* DURATION: [1-9][0-9]* then s, m, h or d; checked for overflow. */
static bool
get_duration(struct ld *ld, const struct yn *n, const char *path,
    int64_t *out)
{
	char f[FOUND_LEN], v[SHOW_LEN];
	const char *s;
	int64_t num = 0, unit, secs;
	size_t i;

	if (n->kind != YN_SCALAR || n->len < 2 || n->str[0] < '1' ||
	    n->str[0] > '9')
		goto bad;
	s = n->str;
	for (i = 0; i + 1 < n->len; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		if (__builtin_mul_overflow(num, 10, &num) ||
		    __builtin_add_overflow(num, s[i] - '0', &num))
			goto big;
	}
	switch (s[n->len - 1]) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		goto bad;
	}
	if (__builtin_mul_overflow(num, unit, &secs) ||
	    secs > CW_POLICY_MAX_DURATION)
		goto big;
	*out = secs;
	return true;
bad:
	perr(ld, n->mark, "%s: expected a duration such as 90d or 24h (a "
	    "positive whole number followed by s, m, h or d), found %s", path,
	    found(n, f, sizeof(f)));
	return false;
big:
	perr(ld, n->mark, "%s: %s is longer than the limit of 36500d "
	    "(100 years)", path, show(n, v, sizeof(v)));
	return false;
}

/* --- key ------------------------------------------------------------------ */

static const char *const rsa_keys[] = {"min_bits", "max_bits", "exponent",
    NULL};

static void
parse_rsa(struct ld *ld, const struct yn *m, const char *path,
    cw_rsa_rule *r)
{
	char p[PATH_LEN];
	const struct yn *vmin, *vmax, *vexp;
	long long x;
	bool min_ok = true, max_ok = true;

	r->allowed = true; /* named, so allowed; errors fail the load anyway */
	r->min_bits = 2048;
	r->max_bits = 8192;
	r->exponent = 65537;
	if (!want(ld, m, YN_MAP, path))
		return;
	check_map(ld, m, path, rsa_keys, NULL);
	if ((vmin = map_get(m, "min_bits")) != NULL) {
		pjoin(p, sizeof(p), path, "min_bits");
		if ((min_ok = get_int(ld, vmin, p, INT_MIN, INT_MAX, &x))) {
			r->min_bits = (int)x;
			if (x < CW_RSA_MIN_BITS_FLOOR) {
				perr(ld, vmin->mark, "%s: %lld bits is below "
				    "%d; RSA keys that small are never "
				    "accepted", p, x, CW_RSA_MIN_BITS_FLOOR);
				min_ok = false;
			} else if (x > CW_MAX_RSA_BITS) {
				perr(ld, vmin->mark, "%s: %lld bits exceeds "
				    "the largest RSA key certward reads (%d)",
				    p, x, CW_MAX_RSA_BITS);
				min_ok = false;
			}
		}
	}
	if ((vmax = map_get(m, "max_bits")) != NULL) {
		pjoin(p, sizeof(p), path, "max_bits");
		if ((max_ok = get_int(ld, vmax, p, INT_MIN, INT_MAX, &x))) {
			r->max_bits = (int)x;
			if (x > CW_MAX_RSA_BITS) {
				perr(ld, vmax->mark, "%s: %lld bits exceeds "
				    "the largest RSA key certward reads (%d)",
				    p, x, CW_MAX_RSA_BITS);
				max_ok = false;
			} else if (x < CW_RSA_MIN_BITS_FLOOR) {
				perr(ld, vmax->mark, "%s: %lld bits is below "
				    "%d; RSA keys that small are never "
				    "accepted", p, x, CW_RSA_MIN_BITS_FLOOR);
				max_ok = false;
			}
		}
	}
	if (min_ok && max_ok && r->min_bits > r->max_bits)
		perr(ld, vmin != NULL ? vmin->mark :
		    (vmax != NULL ? vmax->mark : m->mark),
		    "%s: min_bits %d%s exceeds max_bits %d%s", path,
		    r->min_bits, vmin != NULL ? "" : " (the default)",
		    r->max_bits, vmax != NULL ? "" : " (the default)");
	if ((vexp = map_get(m, "exponent")) != NULL) {
		pjoin(p, sizeof(p), path, "exponent");
		if (get_int(ld, vexp, p, LLONG_MIN, LLONG_MAX, &x)) {
			/* RFC 8017 3.1: 3 <= e, and e is odd. */
			if (x < 3 || x % 2 == 0)
				perr(ld, vexp->mark, "%s: %lld is not a valid "
				    "RSA public exponent; it must be odd and "
				    "at least 3 (65537 is usual)", p, x);
			else
				r->exponent = (unsigned long)x;
		}
	}
}

/* Reasons some names are refused outright, with their explanation. */
struct refusal {
	const char *name;
	const char *why;
};

static const struct refusal hash_refusals[] = {
	{"sha1", "sha1 is collision-broken (SHAttered, 2017) and never "
	    "accepted; use sha256 or stronger"},
	{"md5", "md5 is collision-broken and never accepted; use sha256 or "
	    "stronger"},
	{NULL, NULL},
};

static const struct refusal ku_refusals[] = {
	{"keyCertSign", "certward issues end-entity certificates; "
	    "keyCertSign/cRLSign belong to CA certificates"},
	{"cRLSign", "certward issues end-entity certificates; "
	    "keyCertSign/cRLSign belong to CA certificates"},
	{NULL, NULL},
};

/*
 * Reads a list of names from `table` into vals (distinct values, at most
 * max).  `what` names one item in messages ("curve").  Returns false when
 * anything was wrong (already reported).
 */
static bool
parse_names(struct ld *ld, const struct yn *n, const char *path,
    const cw_name_entry *table, const struct refusal *refused,
    const char *what, bool allow_empty, int *vals, size_t max, size_t *nvals)
{
	char p[PATH_LEN], v[SHOW_LEN], list[400];
	const cw_name_entry *e;
	const struct yn *it;
	const char *s;
	size_t i, j, k;
	bool ok = true, refuse;

	*nvals = 0;
	if (!want_list(ld, n, path))
		return false;
	if (n->n == 0 && !allow_empty) {
		perr(ld, n->mark, "%s: the list is empty; name at least one "
		    "%s", path, what);
		return false;
	}
	for (i = 0; i < n->n; i++) {
		it = n->kids[i];
		pindex(p, sizeof(p), path, i);
		if (!get_str(ld, it, p, &s)) {
			ok = false;
			continue;
		}
		refuse = false;
		for (k = 0; refused != NULL && refused[k].name != NULL; k++)
			if (strcmp(refused[k].name, s) == 0) {
				perr(ld, it->mark, "%s: %s", p, refused[k].why);
				refuse = true;
			}
		if (refuse) {
			ok = false;
			continue;
		}
		if ((e = cw_name_lookup(table, s)) == NULL) {
			perr(ld, it->mark, "%s: unknown %s %s; expected one of "
			    "%s", p, what, show(it, v, sizeof(v)),
			    names_text(list, sizeof(list), table, NULL));
			ok = false;
			continue;
		}
		for (j = 0; j < *nvals; j++)
			if (vals[j] == e->value)
				break;
		if (j < *nvals) {
			perr(ld, it->mark, "%s: %s %s is listed twice", p,
			    what, cw_name_of(table, e->value));
			ok = false;
			continue;
		}
		if (*nvals >= max) {
			perr(ld, it->mark, "%s: more than %zu %ss", p, max,
			    what);
			ok = false;
			continue;
		}
		vals[(*nvals)++] = e->value;
	}
	return ok;
}

static const char *const ec_keys[] = {"curves", NULL};

static void
parse_ec(struct ld *ld, const struct yn *m, const char *path, cw_ec_rule *r)
{
	char p[PATH_LEN];
	const struct yn *v;

	r->allowed = true;
	if (!want(ld, m, YN_MAP, path))
		return;
	check_map(ld, m, path, ec_keys, NULL);
	if ((v = map_get(m, "curves")) == NULL) {
		missing(ld, m, path, "curves");
		return;
	}
	(void)parse_names(ld, v, pjoin(p, sizeof(p), path, "curves"),
	    cw_curve_names, NULL, "curve", false, r->curves, CW_MAX_CURVES,
	    &r->n_curves);
}

static const char *const key_keys[] = {"rsa", "rsa_pss", "ec", "ed25519",
    "ed448", NULL};

static void
parse_key(struct ld *ld, const struct yn *m, const char *path, cw_template *t)
{
	char p[PATH_LEN];
	const struct yn *v;
	size_t before = ld->errs->n;

	if (!want(ld, m, YN_MAP, path))
		return;
	check_map(ld, m, path, key_keys, NULL);
	if ((v = map_get(m, "rsa")) != NULL)
		parse_rsa(ld, v, pjoin(p, sizeof(p), path, "rsa"), &t->rsa);
	if ((v = map_get(m, "rsa_pss")) != NULL)
		parse_rsa(ld, v, pjoin(p, sizeof(p), path, "rsa_pss"),
		    &t->rsa_pss);
	if ((v = map_get(m, "ec")) != NULL)
		parse_ec(ld, v, pjoin(p, sizeof(p), path, "ec"), &t->ec);
	if ((v = map_get(m, "ed25519")) != NULL)
		(void)get_bool(ld, v, pjoin(p, sizeof(p), path, "ed25519"),
		    &t->ed25519);
	if ((v = map_get(m, "ed448")) != NULL)
		(void)get_bool(ld, v, pjoin(p, sizeof(p), path, "ed448"),
		    &t->ed448);
	/* DESIGN 6.1: deny by default; a template must allow something. */
	if (ld->errs->n == before && !t->rsa.allowed && !t->rsa_pss.allowed &&
	    !t->ec.allowed && !t->ed25519 && !t->ed448)
		perr(ld, m->mark, "%s: no key type is allowed; name at least "
		    "one of rsa, rsa_pss, ec, ed25519: true, ed448: true",
		    path);
}

/* --- subject -------------------------------------------------------------- */

static const char *const subject_keys[] = {"other_fields", NULL};
static const char *const rule_keys[] = {"required", "value", "pattern",
    "in_san", NULL};

/*
 * A subject value or pattern must be something a request could carry:
 * DESIGN 6.1 refuses requested values with control characters or leading or
 * trailing whitespace, so a rule with one could never match.
 */
static bool
subject_text_ok(struct ld *ld, const struct yn *n, const char *path, int nid,
    bool is_value)
{
	const unsigned char *s = (const unsigned char *)n->str;
	size_t i;

	if (n->len > CW_MAX_NAME_BYTES) {
		perr(ld, n->mark, "%s: %zu bytes; the limit is %d", path,
		    n->len, CW_MAX_NAME_BYTES);
		return false;
	}
	for (i = 0; i < n->len; i++) {
		/* C0, DEL, and C1 (U+0080..U+009F is C2 80..C2 9F). */
		if (s[i] < 0x20 || s[i] == 0x7f ||
		    (s[i] == 0xc2 && i + 1 < n->len && s[i + 1] >= 0x80 &&
		    s[i + 1] <= 0x9f)) {
			perr(ld, n->mark, "%s: contains a control character; "
			    "a request carrying it is always refused, so "
			    "this rule could never match", path);
			return false;
		}
	}
	if (s[0] == ' ' || s[n->len - 1] == ' ') {
		perr(ld, n->mark, "%s: has leading or trailing whitespace; a "
		    "request carrying it is always refused, so this rule "
		    "could never match", path);
		return false;
	}
	if (nid == NID_pkcs9_emailAddress) {
		/* DESIGN 6.1: emailAddress is IA5String, ASCII only. */
		for (i = 0; i < n->len; i++)
			if (s[i] >= 0x80) {
				perr(ld, n->mark, "%s: email_address is ASCII "
				    "(IA5String); this could never match",
				    path);
				return false;
			}
	}
	if (nid == NID_countryName && is_value &&
	    (n->len != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' ||
	    s[1] > 'Z')) {
		/* X.520 / RFC 5280 A.1: ISO 3166 two-letter code. */
		perr(ld, n->mark, "%s: a country is two uppercase letters "
		    "(ISO 3166), such as DE or US", path);
		return false;
	}
	return true;
}

static cw_rc
parse_subject_rule(struct ld *ld, const struct yn *k, const struct yn *m,
    const char *path, const cw_name_entry *e, cw_subject_rule *r,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	char p[PATH_LEN];
	const struct yn *v, *vv, *vp;
	const char *s;

	r->nid = e->value;
	r->key = e->name;
	r->mark = k->mark;
	if (!want(ld, m, YN_MAP, path))
		goto out;
	check_map(ld, m, path, rule_keys, NULL);
	if ((v = map_get(m, "required")) != NULL)
		(void)get_bool(ld, v, pjoin(p, sizeof(p), path, "required"),
		    &r->required);
	if ((v = map_get(m, "in_san")) != NULL) {
		pjoin(p, sizeof(p), path, "in_san");
		if (get_bool(ld, v, p, &r->in_san) &&
		    r->nid != NID_commonName)
			perr(ld, v->mark, "%s: in_san applies only to "
			    "common_name", p);
	}
	vv = map_get(m, "value");
	vp = map_get(m, "pattern");
	if (vv != NULL && vp != NULL)
		perr(ld, vp->mark, "%s: value and pattern are mutually "
		    "exclusive; give one of them", path);
	if (vv != NULL) {
		pjoin(p, sizeof(p), path, "value");
		if (get_str(ld, vv, p, &s) &&
		    subject_text_ok(ld, vv, p, r->nid, true)) {
			r->value = strdup(s);
			CW_ENSURE_MEM(r->value);
		}
	}
	if (vp != NULL) {
		pjoin(p, sizeof(p), path, "pattern");
		if (get_str(ld, vp, p, &s) &&
		    subject_text_ok(ld, vp, p, r->nid, false)) {
			r->pattern = strdup(s);
			CW_ENSURE_MEM(r->pattern);
		}
	}
out:
	return rc;
}

static cw_rc
parse_subject(struct ld *ld, const struct yn *m, const char *path,
    cw_template *t, cw_err *err)
{
	cw_rc rc = CW_OK;
	char p[PATH_LEN];
	const cw_name_entry *e;
	const struct yn *k;
	size_t i;

	if (!want(ld, m, YN_MAP, path))
		goto out;
	check_map(ld, m, path, subject_keys, cw_subject_names);
	if (m->n > 0) {
		t->subject = calloc(m->n / 2, sizeof(*t->subject));
		CW_ENSURE_MEM(t->subject);
	}
	for (i = 0; i + 1 < m->n; i += 2) {
		k = m->kids[i];
		/* Non-scalar, unknown and repeated keys: already reported. */
		if (k->kind != YN_SCALAR ||
		    memchr(k->str, '\0', k->len) != NULL ||
		    map_get(m, k->str) != m->kids[i + 1])
			continue;
		pjoin(p, sizeof(p), path, k->str);
		if (scalar_is(k, "other_fields")) {
			get_choice(ld, m->kids[i + 1], p,
			    &t->other_fields_allow);
			continue;
		}
		if ((e = cw_name_lookup(cw_subject_names, k->str)) == NULL)
			continue;
		CW_TRY(parse_subject_rule(ld, k, m->kids[i + 1], p, e,
		    &t->subject[t->n_subject++], err));
	}
out:
	return rc;
}

/* --- san ------------------------------------------------------------------ */

static const char *const san_keys[] = {"required", "max", "wildcards",
    "dns", "ip", "uri", "email", NULL};

typedef bool (*pattern_check)(const char *, char *, size_t);

static cw_rc
parse_patterns(struct ld *ld, const struct yn *n, const char *path,
    pattern_check check, const char *what, bool icase, cw_pattern_list *out,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	char p[PATH_LEN], v[SHOW_LEN], why[CW_WHY_MAX];
	const struct yn *it;
	const char *s;
	size_t i, j;

	if (!want_list(ld, n, path) || n->n == 0)
		goto out;
	out->items = calloc(n->n, sizeof(*out->items));
	CW_ENSURE_MEM(out->items);
	for (i = 0; i < n->n; i++) {
		it = n->kids[i];
		pindex(p, sizeof(p), path, i);
		if (!get_str(ld, it, p, &s))
			continue;
		why[0] = '\0';
		if (!check(s, why, sizeof(why))) {
			perr(ld, it->mark, "%s: invalid %s %s: %s", p, what,
			    show(it, v, sizeof(v)),
			    why[0] != '\0' ? why : "rejected");
			continue;
		}
		for (j = 0; j < out->n; j++)
			if ((icase ? strcasecmp(out->items[j], s) :
			    strcmp(out->items[j], s)) == 0)
				break;
		if (j < out->n) {
			perr(ld, it->mark, "%s: %s %s is listed twice", p, what,
			    show(it, v, sizeof(v)));
			continue;
		}
		out->items[out->n] = strdup(s);
		CW_ENSURE_MEM(out->items[out->n]);
		out->n++;
	}
out:
	return rc;
}

static cw_rc
parse_ips(struct ld *ld, const struct yn *n, const char *path, cw_template *t,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	char p[PATH_LEN], v[SHOW_LEN], why[CW_WHY_MAX];
	const struct yn *it;
	const char *s;
	cw_cidr c;
	size_t i, j;

	if (!want_list(ld, n, path) || n->n == 0)
		goto out;
	t->san.ip = calloc(n->n, sizeof(*t->san.ip));
	CW_ENSURE_MEM(t->san.ip);
	for (i = 0; i < n->n; i++) {
		it = n->kids[i];
		pindex(p, sizeof(p), path, i);
		if (!get_str(ld, it, p, &s))
			continue;
		why[0] = '\0';
		memset(&c, 0, sizeof(c));
		if (!cw_cidr_parse(s, &c, why, sizeof(why))) {
			perr(ld, it->mark, "%s: invalid CIDR block %s: %s", p,
			    show(it, v, sizeof(v)),
			    why[0] != '\0' ? why : "rejected");
			continue;
		}
		for (j = 0; j < t->san.n_ip; j++)
			if (t->san.ip[j].family == c.family &&
			    t->san.ip[j].prefix == c.prefix &&
			    memcmp(t->san.ip[j].addr, c.addr,
			    sizeof(c.addr)) == 0)
				break;
		if (j < t->san.n_ip) {
			perr(ld, it->mark, "%s: CIDR block %s is listed twice",
			    p, show(it, v, sizeof(v)));
			continue;
		}
		t->san.ip[t->san.n_ip++] = c;
	}
out:
	return rc;
}

static cw_rc
parse_san(struct ld *ld, const struct yn *m, const char *path, cw_template *t,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	char p[PATH_LEN];
	const struct yn *v, *vreq, *vmax;
	long long x;
	size_t before = ld->errs->n;

	if (!want(ld, m, YN_MAP, path))
		goto out;
	check_map(ld, m, path, san_keys, NULL);
	if ((vreq = map_get(m, "required")) != NULL)
		(void)get_bool(ld, vreq, pjoin(p, sizeof(p), path, "required"),
		    &t->san.required);
	if ((vmax = map_get(m, "max")) != NULL &&
	    get_int(ld, vmax, pjoin(p, sizeof(p), path, "max"), 0,
	    CW_MAX_SANS, &x))
		t->san.max = (int)x;
	if ((v = map_get(m, "wildcards")) != NULL)
		(void)get_bool(ld, v, pjoin(p, sizeof(p), path, "wildcards"),
		    &t->san.wildcards);
	if ((v = map_get(m, "dns")) != NULL)
		CW_TRY(parse_patterns(ld, v, pjoin(p, sizeof(p), path, "dns"),
		    cw_dns_pattern_valid, "DNS pattern", true, &t->san.dns,
		    err));
	if ((v = map_get(m, "ip")) != NULL)
		CW_TRY(parse_ips(ld, v, pjoin(p, sizeof(p), path, "ip"), t,
		    err));
	if ((v = map_get(m, "uri")) != NULL)
		CW_TRY(parse_patterns(ld, v, pjoin(p, sizeof(p), path, "uri"),
		    cw_uri_pattern_valid, "URI pattern", false, &t->san.uri,
		    err));
	if ((v = map_get(m, "email")) != NULL)
		CW_TRY(parse_patterns(ld, v, pjoin(p, sizeof(p), path,
		    "email"), cw_email_pattern_valid, "email pattern", false,
		    &t->san.email, err));
	if (ld->errs->n != before || !t->san.required)
		goto out;
	/* A requirement no request could meet is a mistake in the policy. */
	if (t->san.max == 0)
		perr(ld, vmax->mark, "%s: required is true but max is 0; no "
		    "request could comply", path);
	else if (t->san.dns.n == 0 && t->san.n_ip == 0 && t->san.uri.n == 0 &&
	    t->san.email.n == 0)
		perr(ld, vreq->mark, "%s: required is true but no dns, ip, uri "
		    "or email pattern is given; no request could comply",
		    path);
out:
	return rc;
}

/* --- the rest of a template ---------------------------------------------- */

static const char *const validity_keys[] = {"default", "max", NULL};
static const char *const approval_keys[] = {"required", "roles", NULL};
static const char *const owner_keys[] = {"required", "max_age", NULL};

static void
parse_validity(struct ld *ld, const struct yn *m, const char *path,
    const char *tpath, cw_template *t)
{
	char p[PATH_LEN];
	const struct yn *vd, *vm;
	bool d_ok = false, m_ok = false;

	if (!want(ld, m, YN_MAP, path))
		return;
	check_map(ld, m, path, validity_keys, NULL);
	if ((vd = map_get(m, "default")) == NULL)
		missing(ld, m, path, "default");
	else
		d_ok = get_duration(ld, vd, pjoin(p, sizeof(p), path,
		    "default"), &t->validity_default);
	if ((vm = map_get(m, "max")) == NULL)
		missing(ld, m, path, "max");
	else
		m_ok = get_duration(ld, vm, pjoin(p, sizeof(p), path, "max"),
		    &t->validity_max);
	if (d_ok && m_ok && t->validity_default > t->validity_max)
		perr(ld, vd->mark, "%s: validity.default %s exceeds "
		    "validity.max %s", tpath, vd->str, vm->str);
}

/* "NN%", 1 <= NN <= 99. */
static void
parse_renew(struct ld *ld, const struct yn *n, const char *path,
    cw_template *t)
{
	char f[FOUND_LEN];
	const char *s = n->str;

	if (n->kind == YN_SCALAR && s[0] >= '1' && s[0] <= '9') {
		if (n->len == 2 && s[1] == '%') {
			t->renew_at_pct = s[0] - '0';
			return;
		}
		if (n->len == 3 && s[1] >= '0' && s[1] <= '9' && s[2] == '%') {
			t->renew_at_pct = (s[0] - '0') * 10 + (s[1] - '0');
			return;
		}
	}
	perr(ld, n->mark, "%s: expected a percentage of the lifetime from 1%% "
	    "to 99%% such as 66%%, found %s", path, found(n, f, sizeof(f)));
}

static bool
role_valid(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > 64 || s[0] < 'a' || s[0] > 'z')
		return false;
	for (i = 1; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

static cw_rc
parse_approval(struct ld *ld, const struct yn *m, const char *path,
    cw_template *t, cw_err *err)
{
	cw_rc rc = CW_OK;
	char p[PATH_LEN], rp[PATH_LEN], v[SHOW_LEN];
	const struct yn *vreq, *vroles, *it;
	const char *s;
	long long x;
	size_t i, j;
	bool req_ok = true;

	if (!want(ld, m, YN_MAP, path))
		goto out;
	check_map(ld, m, path, approval_keys, NULL);
	if ((vreq = map_get(m, "required")) != NULL &&
	    (req_ok = get_int(ld, vreq, pjoin(p, sizeof(p), path, "required"),
	    0, INT_MAX, &x)))
		t->approvals_required = (int)x;
	if ((vroles = map_get(m, "roles")) != NULL) {
		pjoin(p, sizeof(p), path, "roles");
		if (want_list(ld, vroles, p) && vroles->n > 0) {
			t->approval_roles = calloc(vroles->n,
			    sizeof(*t->approval_roles));
			CW_ENSURE_MEM(t->approval_roles);
			for (i = 0; i < vroles->n; i++) {
				it = vroles->kids[i];
				pindex(rp, sizeof(rp), p, i);
				if (!get_str(ld, it, rp, &s))
					continue;
				if (!role_valid(s, it->len)) {
					perr(ld, it->mark, "%s: invalid role "
					    "name %s; expected [a-z][a-z0-9-]"
					    "{0,63}", rp, show(it, v,
					    sizeof(v)));
					continue;
				}
				for (j = 0; j < t->n_approval_roles; j++)
					if (strcmp(t->approval_roles[j], s) ==
					    0)
						break;
				if (j < t->n_approval_roles) {
					perr(ld, it->mark, "%s: role %s is "
					    "listed twice", rp, show(it, v,
					    sizeof(v)));
					continue;
				}
				t->approval_roles[t->n_approval_roles] =
				    strdup(s);
				CW_ENSURE_MEM(
				    t->approval_roles[t->n_approval_roles]);
				t->n_approval_roles++;
			}
		}
	}
	if (req_ok && t->approvals_required > 0 &&
	    (vroles == NULL || vroles->kind != YN_SEQ || vroles->n == 0))
		perr(ld, vreq->mark, "%s: required is %d but no roles are "
		    "given; nobody could approve", path,
		    t->approvals_required);
out:
	return rc;
}

static void
parse_owner(struct ld *ld, const struct yn *m, const char *path,
    cw_template *t)
{
	char p[PATH_LEN];
	const struct yn *v;

	if (!want(ld, m, YN_MAP, path))
		return;
	check_map(ld, m, path, owner_keys, NULL);
	if ((v = map_get(m, "required")) != NULL)
		(void)get_bool(ld, v, pjoin(p, sizeof(p), path, "required"),
		    &t->owner_required);
	if ((v = map_get(m, "max_age")) != NULL)
		(void)get_duration(ld, v, pjoin(p, sizeof(p), path, "max_age"),
		    &t->owner_max_age);
	else if (t->owner_required)
		perr(ld, m->mark, "%s: missing required key 'max_age' (needed "
		    "when required is true)", path);
}

/* [a-z0-9][a-z0-9._-]{0,63} */
static bool
template_name_valid(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > 64)
		return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (i = 1; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

static const char *const template_keys[] = {"name", "description", "key",
    "signature_hashes", "subject", "san", "key_usage", "extended_key_usage",
    "validity", "renew_at", "approval", "owner", "key_reuse", NULL};

static cw_rc
parse_template(struct ld *ld, const struct yn *m, size_t idx, cw_policy *pol,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_template *t = &pol->templates[idx];
	char tp[PATH_LEN], p[PATH_LEN], v[SHOW_LEN];
	const struct yn *vn;
	const char *s;
	int vals[16];
	size_t i, nv;

	/* Defaults (see the top of the file). */
	t->san.max = -1;
	t->renew_at_pct = 66;
	t->owner_required = true;

	pindex(tp, sizeof(tp), "templates", idx);
	if (!want(ld, m, YN_MAP, tp))
		goto out;
	t->mark = m->mark;

	/* The name first, so that every message can say templates[NAME]. */
	if ((vn = map_get(m, "name")) == NULL)
		missing(ld, m, tp, "name");
	else if (get_str(ld, vn, pjoin(p, sizeof(p), tp, "name"), &s)) {
		if (!template_name_valid(s, vn->len))
			perr(ld, vn->mark, "%s: invalid template name %s; "
			    "expected 1-64 characters from a-z, 0-9, '.', "
			    "'_' and '-', starting with a letter or digit", p,
			    show(vn, v, sizeof(v)));
		else if (strcmp(s, CW_POLICY_RESERVED_TEMPLATE) == 0)
			perr(ld, vn->mark, "%s: the template name '%s' is "
			    "reserved for certward serve's own TLS certificate; "
			    "choose another name", p, s);
		else {
			for (i = 0; i < idx; i++)
				if (pol->templates[i].name != NULL &&
				    strcmp(pol->templates[i].name, s) == 0)
					break;
			if (i < idx)
				perr(ld, vn->mark, "%s: duplicate template "
				    "name '%s' (first at line %d)", p, s,
				    pol->templates[i].mark.line);
			else {
				t->name = strdup(s);
				CW_ENSURE_MEM(t->name);
				if (snprintf(tp, sizeof(tp), "templates[%s]",
				    s) < 0)
					pindex(tp, sizeof(tp), "templates",
					    idx);
			}
		}
	}
	check_map(ld, m, tp, template_keys, NULL);

	if ((vn = map_get(m, "description")) != NULL &&
	    get_str(ld, vn, pjoin(p, sizeof(p), tp, "description"), &s)) {
		for (i = 0; i < vn->len; i++)
			if (((unsigned char)s[i] < 0x20 && s[i] != '\t' &&
			    s[i] != '\n') || s[i] == 0x7f)
				break;
		if (i < vn->len)
			perr(ld, vn->mark, "%s: contains a control character",
			    p);
		else {
			t->description = strdup(s);
			CW_ENSURE_MEM(t->description);
		}
	}

	if ((vn = map_get(m, "key")) == NULL)
		missing(ld, m, tp, "key");
	else
		parse_key(ld, vn, pjoin(p, sizeof(p), tp, "key"), t);

	if ((vn = map_get(m, "signature_hashes")) != NULL) {
		if (parse_names(ld, vn, pjoin(p, sizeof(p), tp,
		    "signature_hashes"), cw_hash_names, hash_refusals, "hash",
		    false, vals, 16, &nv))
			for (i = 0; i < nv; i++)
				t->sig_hashes |= (uint32_t)vals[i];
	} else if (t->rsa.allowed || t->rsa_pss.allowed || t->ec.allowed)
		perr(ld, m->mark, "%s: missing required key 'signature_hashes' "
		    "(the template allows RSA or EC keys)", tp);

	if ((vn = map_get(m, "subject")) != NULL)
		CW_TRY(parse_subject(ld, vn, pjoin(p, sizeof(p), tp, "subject"),
		    t, err));
	if ((vn = map_get(m, "san")) != NULL)
		CW_TRY(parse_san(ld, vn, pjoin(p, sizeof(p), tp, "san"), t,
		    err));

	if ((vn = map_get(m, "key_usage")) != NULL &&
	    parse_names(ld, vn, pjoin(p, sizeof(p), tp, "key_usage"),
	    cw_ku_names, ku_refusals, "key usage", true, vals, 16, &nv))
		for (i = 0; i < nv; i++)
			t->key_usage |= (uint32_t)vals[i];
	if ((vn = map_get(m, "extended_key_usage")) != NULL &&
	    parse_names(ld, vn, pjoin(p, sizeof(p), tp, "extended_key_usage"),
	    cw_eku_names, NULL, "extended key usage", true, t->eku,
	    CW_MAX_EKUS, &nv))
		t->n_eku = nv;

	if ((vn = map_get(m, "validity")) == NULL)
		missing(ld, m, tp, "validity");
	else
		parse_validity(ld, vn, pjoin(p, sizeof(p), tp, "validity"), tp,
		    t);
	if ((vn = map_get(m, "renew_at")) != NULL)
		parse_renew(ld, vn, pjoin(p, sizeof(p), tp, "renew_at"), t);
	if ((vn = map_get(m, "approval")) != NULL)
		CW_TRY(parse_approval(ld, vn, pjoin(p, sizeof(p), tp,
		    "approval"), t, err));
	if ((vn = map_get(m, "owner")) == NULL)
		missing(ld, m, tp, "owner");
	else
		parse_owner(ld, vn, pjoin(p, sizeof(p), tp, "owner"), t);
	if ((vn = map_get(m, "key_reuse")) != NULL)
		get_choice(ld, vn, pjoin(p, sizeof(p), tp, "key_reuse"),
		    &t->key_reuse_allow);
out:
	return rc;
}

static const char *const root_keys[] = {"version", "templates", NULL};

static cw_rc
parse_root(struct ld *ld, const struct yn *root, cw_policy *pol, cw_err *err)
{
	cw_rc rc = CW_OK;
	const struct yn *v;
	long long x;
	size_t i;

	if (!want(ld, root, YN_MAP, ""))
		goto out;
	check_map(ld, root, "", root_keys, NULL);
	if ((v = map_get(root, "version")) == NULL)
		missing(ld, root, "", "version");
	else if (get_int(ld, v, "version", INT_MIN, INT_MAX, &x)) {
		if (x != 1)
			perr(ld, v->mark, "version: unsupported policy version "
			    "%lld; this certward reads version 1", x);
		else
			pol->version = 1;
	}
	if ((v = map_get(root, "templates")) == NULL) {
		missing(ld, root, "", "templates");
		goto out;
	}
	if (!want(ld, v, YN_SEQ, "templates"))
		goto out;
	if (v->n == 0) {
		perr(ld, v->mark, "templates: the list is empty; a policy "
		    "needs at least one template");
		goto out;
	}
	if (v->n > CW_MAX_TEMPLATES) {
		perr(ld, v->mark, "templates: %zu templates; the limit is %d",
		    v->n, CW_MAX_TEMPLATES);
		goto out;
	}
	pol->templates = calloc(v->n, sizeof(*pol->templates));
	CW_ENSURE_MEM(pol->templates);
	pol->n_templates = v->n;
	for (i = 0; i < v->n; i++)
		CW_TRY(parse_template(ld, v->kids[i], i, pol, err));
out:
	return rc;
}

/*
 * Problems are found schema-first (unknown keys of a mapping before its
 * values); the author reads them top to bottom.  Stable, n is small.
 */
static void
sort_errors(cw_policy_errors *errs)
{
	cw_policy_error tmp;
	size_t i, j;

	for (i = 1; i < errs->n; i++) {
		tmp = errs->items[i];
		for (j = i; j > 0 &&
		    (errs->items[j - 1].mark.line > tmp.mark.line ||
		    (errs->items[j - 1].mark.line == tmp.mark.line &&
		    errs->items[j - 1].mark.column > tmp.mark.column)); j--)
			errs->items[j] = errs->items[j - 1];
		errs->items[j] = tmp;
	}
}

/* --- public --------------------------------------------------------------- */

/*
 * Loads a policy from memory (see policy.h).  `text` need not be
 * NUL-terminated and may hold anything; `name` (a path, or NULL) is kept in
 * the policy and used in messages.  errs may be NULL when the caller only
 * wants the first problem in err.  On success *out owns a new policy for
 * cw_policy_free; on any error *out is NULL.
 */
cw_rc
cw_policy_load_mem(const char *name, const char *text, size_t len,
    cw_policy **out, cw_policy_errors *errs, cw_err *err)
{
	cw_rc rc = CW_OK;
	struct ld ld;
	cw_policy_errors *own = NULL;
	struct yn *root = NULL;
	cw_policy *pol = NULL;
	const char *nul;

	if (out != NULL)
		*out = NULL;
	CW_ENSURE(out != NULL && (text != NULL || len == 0), CW_ERR_INTERNAL,
	    "cw_policy_load_mem: invalid arguments");
	if (name == NULL)
		name = "<policy>";
	if (errs == NULL) {
		own = calloc(1, sizeof(*own));
		CW_ENSURE_MEM(own);
		errs = own;
	}
	errs->n = 0;
	errs->truncated = false;
	memset(&ld, 0, sizeof(ld));
	ld.errs = errs;

	/*
	 * Some editors start UTF-8 files with a byte order mark; libyaml, held
	 * to UTF-8, would read it as text.  Positions are counted without it,
	 * as editors show them.
	 */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	if (len > CW_MAX_POLICY_BYTES)
		perr(&ld, (cw_mark){1, 1}, "the policy is %zu bytes; the limit "
		    "is %d", len, CW_MAX_POLICY_BYTES);
	else if (len > 0 && (nul = memchr(text, '\0', len)) != NULL)
		perr(&ld, mark_at(text, len, (size_t)(nul - text)),
		    "the policy contains a NUL byte");
	else
		CW_TRY(yaml_build(&ld, text != NULL ? text : "", len, &root,
		    err));

	if (root != NULL) {
		pol = calloc(1, sizeof(*pol));
		CW_ENSURE_MEM(pol);
		pol->path = strdup(name);
		CW_ENSURE_MEM(pol->path);
		CW_TRY(parse_root(&ld, root, pol, err));
	}
	if (errs->n > 0) {
		sort_errors(errs);
		rc = cw_err_set(err, CW_ERR_CONFIG, "%s:%d:%d: %s", name,
		    errs->items[0].mark.line, errs->items[0].mark.column,
		    errs->items[0].msg);
		goto out;
	}
	CW_ENSURE(pol != NULL, CW_ERR_INTERNAL, "%s: no policy", name);
	*out = pol;
	pol = NULL;
out:
	cw_policy_free(pol);
	yn_free(root);
	free(own);
	return rc;
}

/*
 * Loads a policy file (see policy.h).  The file must be a regular file of
 * at most CW_MAX_POLICY_BYTES; it is read once, bounded, so a file that
 * grows while being read is still refused.  CW_ERR_IO (with strerror) when
 * it cannot be opened or read or is not a regular file; CW_ERR_CONFIG, with
 * errs filled in, for anything wrong with its contents or size.
 */
cw_rc
cw_policy_load_file(const char *path, cw_policy **out, cw_policy_errors *errs,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	struct stat st;
	char *buf = NULL, *nb;
	size_t cap, len = 0;
	ssize_t r;
	int fd = -1;

	if (out != NULL)
		*out = NULL;
	CW_ENSURE(path != NULL && out != NULL, CW_ERR_INTERNAL,
	    "cw_policy_load_file: invalid arguments");
	/* O_NONBLOCK: opening a FIFO must not hang; it is refused below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	CW_ENSURE(fd >= 0, CW_ERR_IO, "%s: %s", path, strerror(errno));
	CW_ENSURE(fstat(fd, &st) == 0, CW_ERR_IO, "%s: %s", path,
	    strerror(errno));
	CW_ENSURE(S_ISREG(st.st_mode), CW_ERR_IO, "%s: not a regular file",
	    path);
	/* One byte over the limit tells "too large" from "at the limit". */
	cap = (size_t)CW_MAX_POLICY_BYTES + 1;
	if (st.st_size >= 0 && (uintmax_t)st.st_size < cap)
		cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	CW_ENSURE_MEM(buf);
	for (;;) {
		if (len == cap) {
			if (cap > CW_MAX_POLICY_BYTES)
				break;
			/* The file grew since fstat. */
			cap = (size_t)CW_MAX_POLICY_BYTES + 1;
			nb = realloc(buf, cap);
			CW_ENSURE_MEM(nb);
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		CW_ENSURE(r >= 0, CW_ERR_IO, "%s: %s", path, strerror(errno));
		if (r == 0)
			break;
		len += (size_t)r;
	}
	rc = cw_policy_load_mem(path, buf, len, out, errs, err);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

/* Frees a policy and everything it owns; NULL is fine. */
void
cw_policy_free(cw_policy *p)
{
	cw_template *t;
	size_t i, j;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_templates; i++) {
		t = &p->templates[i];
		free(t->name);
		free(t->description);
		for (j = 0; j < t->n_subject; j++) {
			free(t->subject[j].value);
			free(t->subject[j].pattern);
		}
		free(t->subject);
		for (j = 0; j < t->san.dns.n; j++)
			free(t->san.dns.items[j]);
		free(t->san.dns.items);
		for (j = 0; j < t->san.uri.n; j++)
			free(t->san.uri.items[j]);
		free(t->san.uri.items);
		for (j = 0; j < t->san.email.n; j++)
			free(t->san.email.items[j]);
		free(t->san.email.items);
		free(t->san.ip);
		for (j = 0; j < t->n_approval_roles; j++)
			free(t->approval_roles[j]);
		free(t->approval_roles);
	}
	free(p->templates);
	free(p->path);
	free(p);
}

/* Borrowed pointer to the template called `name`, or NULL. */
const cw_template *
cw_policy_get0_template(const cw_policy *p, const char *name)
{
	size_t i;

	if (p == NULL || name == NULL)
		return NULL;
	for (i = 0; i < p->n_templates; i++)
		if (p->templates[i].name != NULL &&
		    strcmp(p->templates[i].name, name) == 0)
			return &p->templates[i];
	return NULL;
}
