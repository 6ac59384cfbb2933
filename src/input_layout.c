/* input_layout.c - an OCI image layout directory as an lg_input.
 *
 * Files are opened relative to the layout's directory descriptor (openat)
 * with names input.c has checked, and must be regular files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input_backend.h"
#include "util.h"

typedef struct layout {
	lg_input base;
	int root_fd;
} layout;

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

static int layout_open_file(lg_input *in, const char *name, lg_stream **out,
			    uint64_t *size, bool *missing, lg_error *err)
{
	layout *l = (layout *)in;
	/* O_NONBLOCK keeps a FIFO planted in the layout from blocking us. */
	int fd = openat(l->root_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0) {
		*missing = errno == ENOENT;
		return lg_err_errno(err, errno, "%s", name);
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return lg_err(err, "%s: not a regular file", name);
	}
	fcntl(fd, F_SETFL, 0);
	fd_stream *s = lg_xcalloc(1, sizeof(*s));
	s->base.read = fd_read;
	s->base.close = fd_close;
	s->fd = fd;
	*out = &s->base;
	*size = (uint64_t)st.st_size;
	return 0;
}

static void layout_free(lg_input *in)
{
	layout *l = (layout *)in;
	close(l->root_fd);
	free(l);
}

static const lg_input_ops LAYOUT_OPS = {
	.open = layout_open_file,
	.free = layout_free,
};

int lg_input_layout_open(const char *path, int dirfd, lg_input **out,
			 lg_error *err)
{
	(void)err;
	layout *l = lg_xcalloc(1, sizeof(*l));
	l->base.ops = &LAYOUT_OPS;
	l->base.path = lg_xstrdup(path);
	l->base.form = "directory";
	l->root_fd = dirfd;
	*out = &l->base;
	return 0;
}
