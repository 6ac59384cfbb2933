/* input_layout.c - an OCI image layout directory as an lg_input.
 *
 * Files are opened relative to directory descriptors (openat), and a blob's
 * path is built only from a digest that lg_digest_parse() accepted, so no
 * name from the image is ever used as a path.
 */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blob.h"
#include "util.h"

struct lg_input {
	char *path;  /* as given */
	int root_fd; /* the layout directory */
};

typedef struct fd_stream {
	lg_stream base;
	int fd;
} fd_stream;

static ssize_t fd_read(lg_stream *s, void *buf, size_t len)
{
	return read(((fd_stream *)s)->fd, buf, len);
}

static void fd_close(lg_stream *s)
{
	close(((fd_stream *)s)->fd);
	free(s);
}

int lg_input_open(const char *path, lg_input **out, lg_error *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOTDIR)
			return lg_err(err, "%s: not an OCI image layout directory (archives are not supported yet)", path);
		return lg_err_errno(err, errno, "%s", path);
	}
	lg_input *in = lg_xcalloc(1, sizeof(*in));
	in->path = lg_xstrdup(path);
	in->root_fd = fd;
	*out = in;
	return 0;
}

void lg_input_free(lg_input *in)
{
	if (!in)
		return;
	close(in->root_fd);
	free(in->path);
	free(in);
}

const char *lg_input_path(const lg_input *in)
{
	return in->path;
}

/* Open name under dirfd as a regular file.  Returns 0, or an errno value
 * (EFTYPE-like EINVAL when it is not a regular file). */
static int open_regular(int dirfd, const char *name, int *out, struct stat *st)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return EINVAL;
	}
	/* O_NONBLOCK only kept a FIFO from blocking the open. */
	fcntl(fd, F_SETFL, 0);
	*out = fd;
	return 0;
}

static int open_error(lg_error *err, int e, const char *what)
{
	if (e == EINVAL)
		return lg_err(err, "%s: not a regular file", what);
	return lg_err_errno(err, e, "%s", what);
}

int lg_input_read_file(lg_input *in, const char *name, size_t max,
		       char **data, size_t *len, lg_error *err)
{
	int fd;
	struct stat st;
	if (strchr(name, '/'))
		return lg_err(err, "%s: not a top-level name", name);
	int e = open_regular(in->root_fd, name, &fd, &st);
	if (e)
		return open_error(err, e, name);
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return lg_err(err, "%s: larger than %zu bytes", name, max);
	}
	char *buf = lg_xmalloc((size_t)st.st_size + 1);
	size_t got = 0;
	for (;;) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			free(buf);
			close(fd);
			return lg_err_errno(err, saved, "%s", name);
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > (size_t)st.st_size) {
			free(buf);
			close(fd);
			return lg_err(err, "%s: changed while being read", name);
		}
	}
	close(fd);
	buf[got] = '\0';
	*data = buf;
	*len = got;
	return 0;
}

int lg_input_open_blob(lg_input *in, const lg_digest *digest, lg_stream **out,
		       lg_error *err)
{
	char rel[sizeof(digest->str) + 8];
	snprintf(rel, sizeof(rel), "blobs/%s/%s", lg_digest_alg_name(digest),
		 lg_digest_hex(digest));
	int fd;
	struct stat st;
	int e = open_regular(in->root_fd, rel, &fd, &st);
	if (e == ENOENT)
		return lg_err(err, "%s: blob missing from the layout (%s)",
			      digest->str, rel);
	if (e)
		return open_error(err, e, digest->str);
	fd_stream *s = lg_xcalloc(1, sizeof(*s));
	s->base.read = fd_read;
	s->base.close = fd_close;
	s->fd = fd;
	*out = &s->base;
	return 0;
}
