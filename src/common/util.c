/* util.c - see util.h. */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *
cw_escape(const uint8_t *in, size_t len, char *buf, size_t buf_len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	if (buf_len == 0)
		return buf;
	for (i = 0; i < len; i++) {
		uint8_t c = in[i];
		size_t need = (c >= 0x20 && c < 0x7f && c != '\\') ? 1 : 4;

		if (o + need + 4 > buf_len) {
			/* no room for this byte and a "..." marker */
			if (o + 4 <= buf_len) {
				memcpy(buf + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (need == 1) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 0xf];
		}
	}
	buf[o] = '\0';
	return buf;
}

void
cw_hex(const uint8_t *in, size_t len, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		buf[2 * i] = hex[in[i] >> 4];
		buf[2 * i + 1] = hex[in[i] & 0xf];
	}
	buf[2 * len] = '\0';
}

bool
cw_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end = NULL;
	long long v;

	if (s == NULL || *s == '\0')
		return false;
	if (!(s[0] >= '0' && s[0] <= '9') && !(min < 0 && s[0] == '-'))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return false;
	if (v < min || v > max)
		return false;
	*out = (int64_t)v;
	return true;
}

bool
cw_parse_duration(const char *s, int64_t *seconds)
{
	char num[32];
	size_t len;
	int64_t n, mult;

	if (s == NULL)
		return false;
	len = strlen(s);
	if (len < 2 || len >= sizeof(num))
		return false;
	switch (s[len - 1]) {
	case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	default: return false;
	}
	memcpy(num, s, len - 1);
	num[len - 1] = '\0';
	if (!cw_parse_int64(num, 1, INT64_MAX, &n))
		return false;
	if (__builtin_mul_overflow(n, mult, seconds))
		return false;
	return true;
}

void
cw_format_duration(int64_t seconds, char *buf, size_t buf_len)
{
	if (seconds > 0 && seconds % 86400 == 0)
		snprintf(buf, buf_len, "%lldd", (long long)(seconds / 86400));
	else if (seconds > 0 && seconds % 3600 == 0)
		snprintf(buf, buf_len, "%lldh", (long long)(seconds / 3600));
	else if (seconds > 0 && seconds % 60 == 0)
		snprintf(buf, buf_len, "%lldm", (long long)(seconds / 60));
	else
		snprintf(buf, buf_len, "%llds", (long long)seconds);
}

bool
cw_ct_equal(const void *a, const void *b, size_t len)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;
	size_t i;

	for (i = 0; i < len; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

bool
cw_ascii_caseeq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++) {
		uint8_t x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (uint8_t)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (uint8_t)(y + 32);
		if (x != y)
			return false;
	}
	return true;
}

bool
cw_utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = s[i];
		uint32_t cp;
		size_t n, k;

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + n >= len)
			return false;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* overlong forms, surrogates, beyond U+10FFFF, C1 controls */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
			return false;
		i += n + 1;
	}
	return true;
}


/* Length of the valid UTF-8 sequence at s (1-4), 0 if invalid, a C1
 * control or a lone ASCII byte. */
static size_t
utf8_seq(const uint8_t *s, size_t len)
{
	size_t n;

	if (s[0] < 0x80)
		return 0;
	n = (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 :
	    (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (n == 0 || n > len || !cw_utf8_valid(s, n))
		return 0;
	return n;
}

char *
cw_escape_utf8(const uint8_t *in, size_t len, char *buf, size_t buf_len)
{
	size_t o = 0, i = 0, n;

	if (buf_len == 0)
		return buf;
	while (i < len) {
		n = utf8_seq(in + i, len - i);
		if (n == 0) {
			char one[8];

			cw_escape(in + i, 1, one, sizeof(one));
			n = 1;
			if (o + strlen(one) + 4 > buf_len)
				break;
			memcpy(buf + o, one, strlen(one));
			o += strlen(one);
		} else {
			if (o + n + 4 > buf_len)
				break;
			memcpy(buf + o, in + i, n);
			o += n;
		}
		i += n;
	}
	if (i < len && o + 4 <= buf_len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

const void *
cw_memfind(const void *hay, size_t hlen, const void *needle, size_t nlen)
{
	const uint8_t *h = hay;
	size_t i;

	if (nlen == 0 || nlen > hlen)
		return NULL;
	for (i = 0; i + nlen <= hlen; i++)
		if (h[i] == *(const uint8_t *)needle &&
		    memcmp(h + i, needle, nlen) == 0)
			return h + i;
	return NULL;
}

static bool
digits(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
	char buf[8];

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return cw_parse_int64(buf, min, max, out);
}

bool
cw_parse_time(const char *s, int64_t now, int64_t *out)
{
	int64_t y, mo, d, h = 0, mi = 0, se = 0, dur;
	struct tm tm;
	size_t len;

	if (s == NULL)
		return false;
	len = strlen(s);
	if (cw_parse_duration(s, &dur))
		return !__builtin_add_overflow(now, dur, out);
	/* YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (RFC 3339, UTC only) */
	if (!(len == 10 || (len == 20 && s[10] == 'T' && s[13] == ':' &&
	    s[16] == ':' && s[19] == 'Z')) || s[4] != '-' || s[7] != '-')
		return false;
	if (!digits(s, 4, 1970, 9999, &y) || !digits(s + 5, 2, 1, 12, &mo) ||
	    !digits(s + 8, 2, 1, 31, &d))
		return false;
	if (len == 20 && (!digits(s + 11, 2, 0, 23, &h) ||
	    !digits(s + 14, 2, 0, 59, &mi) || !digits(s + 17, 2, 0, 59, &se)))
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = (int)mo - 1;
	tm.tm_mday = (int)d;
	tm.tm_hour = (int)h;
	tm.tm_min = (int)mi;
	tm.tm_sec = (int)se;
	*out = (int64_t)timegm(&tm);
	/* timegm normalises 2026-02-31; refuse dates that do not exist */
	{
		time_t t = (time_t)*out;
		struct tm chk;

		if (gmtime_r(&t, &chk) == NULL || chk.tm_mday != (int)d ||
		    chk.tm_mon != (int)mo - 1)
			return false;
	}
	return true;
}

void
cw_time_text(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len,
	    "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}
