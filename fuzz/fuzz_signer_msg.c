/*
 * fuzz_signer_msg.c - libFuzzer target for the signer's message decoders
 * (src/signer/signer_msg.c), which read what a possibly compromised worker
 * sends.  The first byte picks the decoder; the rest is its body, or for
 * the fragment reassembler a sequence of datagrams, each prefixed with a
 * two-byte length.  Any crash, leak or sanitizer report is a bug.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "src/signer/signer_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fragments(const uint8_t *p, size_t n, bool replies)
{
	cw_sig_rx rx;
	cw_err err = CW_ERR_INIT;
	size_t len;
	bool done;

	memset(&rx, 0, sizeof(rx));
	rx.replies = replies;
	while (n >= 2) {
		len = (size_t)p[0] << 8 | p[1];
		p += 2;
		n -= 2;
		if (len > n)
			len = n;
		if (cw_sig_rx_feed(&rx, p, len, &done, &err) == CW_OK && done &&
		    rx.total > 0 && rx.buf[0] == 0xff)
			err.msg[0] = '\0'; /* touch the body */
		p += len;
		n -= len;
	}
	cw_sig_rx_reset(&rx);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cw_err err = CW_ERR_INIT;
	cw_sig_cert_req cr;
	cw_sig_crl_req lr;
	cw_sig_ocsp_req orq;
	cw_checkpoint cp;
	cw_sig_error e;
	const uint8_t *d;
	size_t dl;
	uint8_t v;

	if (size < 1)
		return 0;
	switch (data[0] % 8) {
	case 0:
		if (cw_sig_cert_decode(data + 1, size - 1, &cr, &err) == CW_OK)
			cw_sig_cert_req_cleanup(&cr);
		break;
	case 1:
		if (cw_sig_crl_decode(data + 1, size - 1, &lr, &err) == CW_OK)
			cw_sig_crl_req_cleanup(&lr);
		break;
	case 2:
		(void)cw_sig_ocsp_decode(data + 1, size - 1, &orq, &err);
		break;
	case 3:
		(void)cw_sig_checkpoint_decode(data + 1, size - 1, &cp, &err);
		break;
	case 4:
		(void)cw_sig_error_decode(data + 1, size - 1, &e, &err);
		break;
	case 5:
		(void)cw_sig_ok_decode(data + 1, size - 1, &d, &dl, &err);
		(void)cw_sig_u8_decode(data + 1, size - 1, &v, &err);
		break;
	case 6:
		fragments(data + 1, size - 1, false);
		break;
	default:
		fragments(data + 1, size - 1, true);
		break;
	}
	return 0;
}
