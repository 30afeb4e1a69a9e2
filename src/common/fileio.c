/* fileio.c - see fileio.h. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static cw_rc
read_fd(int fd, const char *path, size_t max, uint8_t **out, size_t *len,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	uint8_t *buf = NULL, *nbuf;
	size_t cap = 0, used = 0;
	ssize_t n;

	for (;;) {
		/* keep room for the NUL we append */
		if (used + 1 >= cap) {
			size_t ncap = cap == 0 ? 8192 : cap * 2;

			/* one byte over the limit is enough to know it is too big */
			if (ncap > max + 2)
				ncap = max + 2;
			CW_ENSURE(ncap > used + 1, CW_ERR_INPUT,
			    "%s: larger than the limit of %zu bytes", path, max);
			nbuf = realloc(buf, ncap);
			CW_ENSURE_MEM(nbuf);
			buf = nbuf;
			cap = ncap;
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		CW_ENSURE(n >= 0, CW_ERR_IO, "%s: %s", path, strerror(errno));
		if (n == 0)
			break;
		used += (size_t)n;
		CW_ENSURE(used <= max, CW_ERR_INPUT,
		    "%s: larger than the limit of %zu bytes", path, max);
	}
	buf[used] = '\0';
	*out = buf;
	buf = NULL;
	*len = used;
out:
	free(buf);
	return rc;
}

cw_rc
cw_read_file(const char *path, size_t max, uint8_t **out, size_t *len,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	struct stat st;
	int fd = -1;

	if (strcmp(path, "-") == 0)
		return read_fd(STDIN_FILENO, "<stdin>", max, out, len, err);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	CW_ENSURE(fd >= 0, CW_ERR_IO, "%s: %s", path, strerror(errno));
	CW_ENSURE(fstat(fd, &st) == 0, CW_ERR_IO, "%s: %s", path,
	    strerror(errno));
	CW_ENSURE(S_ISREG(st.st_mode), CW_ERR_IO, "%s: not a regular file",
	    path);
	CW_ENSURE((uint64_t)st.st_size <= max, CW_ERR_INPUT,
	    "%s: %lld bytes is larger than the limit of %zu bytes", path,
	    (long long)st.st_size, max);
	CW_TRY(read_fd(fd, path, max, out, len, err));
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

cw_rc
cw_write_file(const char *path, const void *data, size_t len, unsigned mode,
    bool overwrite, cw_err *err)
{
	cw_rc rc = CW_OK;
	char *dcopy = NULL, tmp[4096];
	const uint8_t *p = data;
	size_t off = 0;
	int fd = -1, dfd = -1, tmp_made = 0;
	struct stat st;

	if (!overwrite && lstat(path, &st) == 0) {
		rc = cw_err_set(err, CW_ERR_EXISTS,
		    "%s already exists; not overwriting it (use --force)", path);
		goto out;
	}
	dcopy = strdup(path);
	CW_ENSURE_MEM(dcopy);
	CW_ENSURE(snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dirname(dcopy),
	    "certward-tmp") < (int)sizeof(tmp), CW_ERR_IO, "%s: path too long",
	    path);
	/* mkstemp creates the file 0600; we narrow or widen it with fchmod
	 * before any byte is written, so a key is never readable by others */
	fd = mkstemp(tmp);
	CW_ENSURE(fd >= 0, CW_ERR_IO, "%s: cannot create a file there: %s",
	    path, strerror(errno));
	tmp_made = 1;
	CW_ENSURE(fchmod(fd, mode) == 0, CW_ERR_IO, "%s: %s", tmp,
	    strerror(errno));
	while (off < len) {
		ssize_t n = write(fd, p + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		CW_ENSURE(n > 0, CW_ERR_IO, "%s: %s", tmp, strerror(errno));
		off += (size_t)n;
	}
	CW_ENSURE(fsync(fd) == 0, CW_ERR_IO, "%s: %s", tmp, strerror(errno));
	CW_ENSURE(close(fd) == 0, CW_ERR_IO, "%s: %s", tmp, strerror(errno));
	fd = -1;
	if (overwrite) {
		CW_ENSURE(rename(tmp, path) == 0, CW_ERR_IO, "%s: %s", path,
		    strerror(errno));
	} else {
		/* link(2) fails if the target appeared meanwhile: no clobbering */
		if (link(tmp, path) != 0) {
			rc = cw_err_set(err, errno == EEXIST ? CW_ERR_EXISTS :
			    CW_ERR_IO, "%s: %s", path, errno == EEXIST ?
			    "already exists; not overwriting it (use --force)" :
			    strerror(errno));
			goto out;
		}
		(void)unlink(tmp);
	}
	tmp_made = 0;
	/* make the rename durable */
	free(dcopy);
	dcopy = strdup(path);
	CW_ENSURE_MEM(dcopy);
	dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		(void)fsync(dfd);
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (tmp_made)
		(void)unlink(tmp);
	free(dcopy);
	return rc;
}
