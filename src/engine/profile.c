/* profile.c - see profile.h. */
#include "profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "../common/util.h"
#include "engine_int.h"
#include "../x509/name_match.h"

cw_rc
cw_issue_profile_build(const cw_template *t, const cw_csr *csr,
    const char *base_url, int64_t max_validity, const X509 *issuer,
    const char *md, int64_t now, cw_issue_profile *ip, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_cert_profile *p = &ip->p;
	char ipbuf[64];
	const ASN1_TIME *iss_end;
	struct tm tm;
	int64_t validity, iss_na;
	size_t i, j;

	memset(ip, 0, sizeof(*ip));
	/* subject: only attributes the template has a rule for (the gate
	 * has refused any other unless other_fields: allow) */
	for (i = 0; i < csr->n_subject; i++) {
		for (j = 0; j < t->n_subject; j++)
			if (t->subject[j].nid == csr->subject[i].nid)
				break;
		if (j == t->n_subject && !t->other_fields_allow)
			continue;
		if (p->n_subject == CW_MAX_SUBJECT_ATTRS)
			break;
		ip->subj[p->n_subject].nid = csr->subject[i].nid;
		ip->subj[p->n_subject].val = csr->subject[i].val;
		ip->subj[p->n_subject].len = csr->subject[i].len;
		p->n_subject++;
	}
	/* SANs as validated, DNS names in lower case, IPv4-mapped IPv6
	 * written as the IPv4 address it was checked as */
	ip->jsans = json_array();
	CW_ENSURE_MEM(ip->jsans);
	if (csr->n_sans > 0) {
		ip->sans = calloc(csr->n_sans, sizeof(*ip->sans));
		ip->lowered = calloc(csr->n_sans, sizeof(*ip->lowered));
		CW_ENSURE(ip->sans != NULL && ip->lowered != NULL,
		    CW_ERR_NOMEM, "out of memory");
		ip->n_lowered = csr->n_sans;
	}
	for (i = 0; i < csr->n_sans; i++) {
		const cw_san *s = &csr->sans[i];
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		    0xff, 0xff};

		ip->sans[i].val = s->val;
		ip->sans[i].len = s->len;
		switch (s->type) {
		case CW_SAN_DNS:
			ip->sans[i].type = CW_GN_DNS;
			ip->lowered[i] = malloc(s->len + 1);
			CW_ENSURE_MEM(ip->lowered[i]);
			for (j = 0; j < s->len; j++)
				ip->lowered[i][j] = (s->val[j] >= 'A' &&
				    s->val[j] <= 'Z') ? s->val[j] + 32 : s->val[j];
			ip->lowered[i][s->len] = '\0';
			ip->sans[i].val = ip->lowered[i];
			json_array_append_new(ip->jsans, json_pack("{s:s, s:s%}",
			    "type", "dns", "value", ip->lowered[i], s->len));
			break;
		case CW_SAN_IP:
			ip->sans[i].type = CW_GN_IP;
			if (s->len == 16 && memcmp(s->val, mapped, 12) == 0) {
				ip->sans[i].val = s->val + 12;
				ip->sans[i].len = 4;
			}
			cw_ip_format(ip->sans[i].val, ip->sans[i].len, ipbuf,
			    sizeof(ipbuf));
			json_array_append_new(ip->jsans, json_pack("{s:s, s:s}",
			    "type", "ip", "value", ipbuf));
			break;
		case CW_SAN_URI:
			ip->sans[i].type = CW_GN_URI;
			json_array_append_new(ip->jsans, json_pack("{s:s, s:s%}",
			    "type", "uri", "value", s->val, s->len));
			break;
		case CW_SAN_EMAIL:
			ip->sans[i].type = CW_GN_EMAIL;
			json_array_append_new(ip->jsans, json_pack("{s:s, s:s%}",
			    "type", "email", "value", s->val, s->len));
			break;
		default:
			rc = cw_err_set(err, CW_ERR_INTERNAL, "a %s SAN reached "
			    "issuance", s->other);
			goto out;
		}
	}
	/* serial[0] = 0x00 keeps the INTEGER positive whatever the random
	 * top bit is (X.690 8.3: two's complement) */
	ip->serial[0] = 0;
	CW_ENSURE_OSSL(RAND_bytes(ip->serial + 1, sizeof(ip->serial) - 1) == 1,
	    "no randomness for the serial number");
	/* DESIGN 8: 128 random bits, read as an unsigned number (DER adds
	 * a 0x00 octet when the top bit is set: at most 17 octets) */
	cw_serial_hex(ip->serial, sizeof(ip->serial), ip->serial_hex);

	/* validity: template default, capped by its max, the configured
	 * max and the issuer's own notAfter; one minute back-dated for
	 * clock skew of relying parties */
	validity = t->validity_default;
	if (validity > t->validity_max)
		validity = t->validity_max;
	if (validity > max_validity)
		validity = max_validity;
	iss_end = X509_get0_notAfter(issuer);
	CW_ENSURE_OSSL(ASN1_TIME_to_tm(iss_end, &tm) == 1,
	    "cannot read the issuer's notAfter");
	iss_na = (int64_t)timegm(&tm);
	p->not_before = now - 60;
	p->not_after = now + validity;
	if (p->not_after > iss_na)
		p->not_after = iss_na;
	CW_ENSURE(p->not_after > now, CW_ERR_CONFIG, "the issuing CA has "
	    "expired; no certificate can be issued");

	snprintf(ip->crl, sizeof(ip->crl), "%s/crl/issuing.crl", base_url);
	snprintf(ip->ocsp, sizeof(ip->ocsp), "%s/ocsp", base_url);
	snprintf(ip->aia, sizeof(ip->aia), "%s/ca/issuing.crt", base_url);
	p->serial = ip->serial;
	p->serial_len = sizeof(ip->serial);
	p->subject = ip->subj;
	p->sans = ip->sans;
	p->n_sans = csr->n_sans;
	p->key_usage = cw_key_usage_fit(t->key_usage, csr->key.type);
	p->eku = t->eku;
	p->n_eku = t->n_eku;
	p->crl_url = ip->crl;
	p->ocsp_url = ip->ocsp;
	p->ca_issuers_url = ip->aia;
	p->md = md;
out:
	return rc;
}

void
cw_issue_profile_cleanup(cw_issue_profile *ip)
{
	size_t i;

	if (ip == NULL)
		return;
	for (i = 0; ip->lowered != NULL && i < ip->n_lowered; i++)
		free(ip->lowered[i]);
	free(ip->lowered);
	free(ip->sans);
	json_decref(ip->jsans);
	memset(ip, 0, sizeof(*ip));
}
