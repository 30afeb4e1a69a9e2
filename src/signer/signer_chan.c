/*
 * signer_chan.c - the signer's messages over SOCK_SEQPACKET (signer_chan.h).
 * SEQPACKET keeps datagram boundaries and order, so a fragment is read
 * whole or not at all; MSG_TRUNC tells when a peer sent a datagram
 * longer than a fragment may be.
 */
#include "signer_chan.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left before deadline (-1 for none), at least 0. */
static int
left_ms(int64_t deadline)
{
	int64_t l;

	if (deadline < 0)
		return -1;
	l = deadline - now_ms();
	return l < 0 ? 0 : l > 3600000 ? 3600000 : (int)l;
}

cw_rc
cw_sig_pair(int sv[2], cw_err *err)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return cw_err_set(err, CW_ERR_IO, "cannot create a channel to "
		    "the signer: %s", strerror(errno));
	return CW_OK;
}

/* Waits until fd is ready for events; false on timeout or error. */
static bool
wait_fd(int fd, short events, int64_t deadline, bool *hup)
{
	struct pollfd p;
	int r;

	*hup = false;
	for (;;) {
		p.fd = fd;
		p.events = events;
		p.revents = 0;
		r = poll(&p, 1, left_ms(deadline));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		if ((p.revents & events) != 0)
			return true;
		*hup = true;
		return false;
	}
}

cw_rc
cw_sig_send(int fd, uint16_t type, uint32_t id, const uint8_t *body,
    size_t len, int pass_fd, int timeout_ms, cw_err *err)
{
	uint8_t frag[CW_SIG_FRAG_MAX];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr m;
	struct iovec iov;
	struct cmsghdr *c;
	cw_sig_hdr h;
	size_t off = 0, n;
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	ssize_t w;
	bool first = true, hup;

	if (len > cw_sig_body_max(type))
		return cw_err_set(err, CW_ERR_INPUT, "a signer message of %zu "
		    "bytes (type %u allows %zu)", len, type,
		    cw_sig_body_max(type));
	h.type = type;
	h.id = id;
	h.total = (uint32_t)len;
	while (first || off < len) {
		n = len - off;
		if (n > CW_SIG_FRAG_MAX - CW_SIG_HDR_LEN)
			n = CW_SIG_FRAG_MAX - CW_SIG_HDR_LEN;
		h.offset = (uint32_t)off;
		cw_sig_hdr_put(&h, frag);
		if (n > 0)
			memcpy(frag + CW_SIG_HDR_LEN, body + off, n);
		memset(&m, 0, sizeof(m));
		iov.iov_base = frag;
		iov.iov_len = CW_SIG_HDR_LEN + n;
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		if (first && pass_fd >= 0) {
			memset(&ctl, 0, sizeof(ctl));
			m.msg_control = ctl.buf;
			m.msg_controllen = sizeof(ctl.buf);
			c = CMSG_FIRSTHDR(&m);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
		}
		w = sendmsg(fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (errno == EAGAIN && !wait_fd(fd, POLLOUT, deadline,
			    &hup))
				return cw_err_set(err, CW_ERR_IO, "the signer "
				    "channel %s", hup ? "is closed" :
				    "stayed full: the peer does not read");
			continue;
		}
		if (w < 0)
			return cw_err_set(err, CW_ERR_IO, "cannot write to the "
			    "signer channel: %s", strerror(errno));
		first = false;
		off += n;
	}
	return CW_OK;
}

cw_rc
cw_sig_recv_dgram(int fd, uint8_t *buf, size_t *len, int *got_fd,
    int timeout_ms, cw_err *err)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} ctl;
	struct msghdr m;
	struct iovec iov;
	struct cmsghdr *c;
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	ssize_t r;
	size_t i, nfd;
	int fds[4];
	bool hup;

	*len = 0;
	*got_fd = -1;
	for (;;) {
		memset(&m, 0, sizeof(m));
		memset(&ctl, 0, sizeof(ctl));
		iov.iov_base = buf;
		iov.iov_len = CW_SIG_FRAG_MAX;
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = ctl.buf;
		m.msg_controllen = sizeof(ctl.buf);
		r = recvmsg(fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN) {
			if (timeout_ms == 0)
				return cw_err_set(err, CW_ERR_NOT_FOUND,
				    "no answer on the signer channel in time");
			if (!wait_fd(fd, POLLIN, deadline, &hup)) {
				if (hup)
					return cw_err_set(err, CW_ERR_IO,
					    "the signer channel is closed");
				return cw_err_set(err, CW_ERR_NOT_FOUND, "no "
				    "answer on the signer channel in time");
			}
			continue;
		}
		if (r < 0)
			return cw_err_set(err, CW_ERR_IO, "cannot read the "
			    "signer channel: %s", strerror(errno));
		break;
	}
	/* descriptors first, so that none leaks whatever follows */
	for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (nfd > 4)
			nfd = 4;
		memcpy(fds, CMSG_DATA(c), nfd * sizeof(int));
		for (i = 0; i < nfd; i++) {
			if (*got_fd < 0)
				*got_fd = fds[i];
			else
				close(fds[i]);
		}
	}
	if (r == 0) {
		if (*got_fd >= 0)
			close(*got_fd);
		*got_fd = -1;
		return cw_err_set(err, CW_ERR_IO, "the signer channel is "
		    "closed");
	}
	if ((m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) {
		if (*got_fd >= 0)
			close(*got_fd);
		*got_fd = -1;
		return cw_err_set(err, CW_ERR_IO, "a datagram on the signer "
		    "channel was longer than a fragment may be");
	}
	*len = (size_t)r;
	return CW_OK;
}

cw_rc
cw_sig_recv_msg(int fd, cw_sig_rx *rx, int *got_fd, int timeout_ms,
    cw_err *err)
{
	uint8_t buf[CW_SIG_FRAG_MAX];
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	size_t len;
	int f;
	bool done = false;
	cw_rc rc;

	if (got_fd != NULL)
		*got_fd = -1;
	while (!done) {
		rc = cw_sig_recv_dgram(fd, buf, &len, &f, deadline < 0 ? -1 :
		    left_ms(deadline), err);
		if (rc != CW_OK)
			return rc;
		if (f >= 0) {
			if (got_fd != NULL && *got_fd < 0)
				*got_fd = f;
			else
				close(f);
		}
		if ((rc = cw_sig_rx_feed(rx, buf, len, &done, err)) != CW_OK)
			return rc;
	}
	return CW_OK;
}
