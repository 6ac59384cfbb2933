/* input.c - see input.h: what the image is, and the calls every backend
 * shares (name checks, whole-file reads, blobs by digest). */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>

#include "archive_policy.h"
#include "blob.h"
#include "input_backend.h"
#include "reference.h"
#include "util.h"

#define SPOOL_BUF (256 * 1024)

/* ---- streams over a window of a file -------------------------------- */

typedef struct window {
	lg_stream base;
	int fd;
	uint64_t offset, end;
} window;

static ssize_t window_read(lg_stream *s, void *buf, size_t len)
{
	window *w = (window *)s;
	if (w->offset >= w->end)
		return 0;
	if (len > w->end - w->offset)
		len = (size_t)(w->end - w->offset);
	ssize_t n = pread(w->fd, buf, len, (off_t)w->offset);
	if (n > 0)
		w->offset += (uint64_t)n;
	return n;
}

static void window_close(lg_stream *s)
{
	free(s);
}

lg_stream *lg_window_stream(int fd, uint64_t offset, uint64_t size)
{
	window *w = lg_xcalloc(1, sizeof(*w));
	w->base.read = window_read;
	w->base.close = window_close;
	w->fd = fd;
	w->offset = offset;
	w->end = offset + size;
	return &w->base;
}

/* ---- spooling: a pipe or a compressed archive, into a temporary file -- */

/* An anonymous temporary file (lg_temp_file(), util.h), its error said. */
int lg_input_temp_file(lg_error *err)
{
	const char *dir;
	int fd = lg_temp_file(&dir);
	if (fd < 0)
		lg_err_errno(err, errno, "cannot create a temporary file in %s", dir);
	return fd;
}

typedef struct spool_src {
	int fd;
	uint64_t raw;   /* bytes read from fd */
	int error;      /* errno of a failed read */
	unsigned char buf[SPOOL_BUF];
} spool_src;

static la_ssize_t spool_read(struct archive *a, void *ud, const void **buf)
{
	(void)a;
	spool_src *src = ud;
	ssize_t n;
	do
		n = read(src->fd, src->buf, sizeof(src->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		src->error = errno;
		archive_set_error(a, errno, "%s", strerror(errno));
		return -1;
	}
	src->raw += (uint64_t)n;
	*buf = src->buf;
	return n;
}

/* After the decompressor's end: any byte it did not consume, buffered or
 * still unread, is data after the compressed stream (gzip would otherwise
 * silently drop it).  Concatenated gzip members are all consumed. */
static bool trailing_data(struct archive *a, spool_src *src)
{
	if ((uint64_t)archive_filter_bytes(a, -1) < src->raw)
		return true;
	ssize_t n;
	do
		n = read(src->fd, src->buf, 1);
	while (n < 0 && errno == EINTR);
	return n != 0;
}

/* Copy in_fd, decompressing gzip or zstd, into a new temporary file. */
static int spool(int in_fd, const char *what, int *out, lg_error *err)
{
	int fd = lg_input_temp_file(err);
	if (fd < 0)
		return -1;
	spool_src *src = lg_xcalloc(1, sizeof(*src));
	src->fd = in_fd;
	struct archive *a = archive_read_new();
	archive_read_support_format_raw(a);
	archive_read_support_format_empty(a); /* nothing once decompressed */
	struct archive_entry *e;
	uint64_t total = 0;
	if (lg_archive_filters(a, LG_FILTER_GZIP | LG_FILTER_ZSTD, err) < 0) {
		lg_err_prefix(err, "%s", what);
		goto fail;
	}
	int r = archive_read_open(a, src, NULL, spool_read, NULL);
	if (r == ARCHIVE_OK)
		r = archive_read_next_header(a, &e);
	while (r == ARCHIVE_OK) {
		const void *block;
		size_t size;
		la_int64_t offset;
		r = archive_read_data_block(a, &block, &size, &offset);
		if (r != ARCHIVE_OK)
			break;
		if (lg_write_all(fd, block, size) < 0) {
			lg_err_errno(err, errno, "%s: writing the temporary copy", what);
			goto fail;
		}
		total += size;
	}
	if (src->raw == 0 && !src->error) {
		lg_err(err, "%s: empty input", what);
		goto fail;
	}
	if (r != ARCHIVE_EOF) {
		lg_err(err, "%s: %s", what, archive_error_string(a));
		goto fail;
	}
	if (total == 0) {
		lg_err(err, "%s: empty after decompression", what);
		goto fail;
	}
	if (trailing_data(a, src)) {
		lg_err(err, "%s: data after the end of the compressed stream", what);
		goto fail;
	}
	archive_read_free(a);
	free(src);
	*out = fd;
	return 0;
fail:
	archive_read_free(a);
	free(src);
	close(fd);
	return -1;
}

static bool compressed(int fd)
{
	unsigned char m[4] = { 0 };
	ssize_t n = pread(fd, m, sizeof(m), 0);
	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return true;
	return n == 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd;
}

static int open_path(const char *path, lg_input **out, lg_error *err);

/* A local transport: the path must be what the transport names. */
static int open_local(const char *arg, const lg_source *src, lg_input **out,
		      lg_error *err)
{
	struct stat st;
	if (stat(src->path, &st) < 0)
		return lg_err_errno(err, errno, "%s", src->path);
	bool dir = S_ISDIR(st.st_mode);
	if (src->transport == LG_TRANSPORT_OCI && !dir)
		return lg_err(err, "%s: oci: wants an image layout directory", src->path);
	if (src->transport != LG_TRANSPORT_OCI && dir)
		return lg_err(err, "%s: %s wants an archive file, not a directory", src->path,
			      lg_transport_name(src->transport));
	if (open_path(src->path, out, err) < 0)
		return -1;
	free((*out)->path);
	(*out)->path = lg_xstrdup(arg);
	(*out)->ref = src->ref ? lg_xstrdup(src->ref) : NULL;
	return 0;
}

int lg_input_open(const char *path, lg_input **out, lg_error *err)
{
	return lg_input_open_with(path, NULL, out, err);
}

int lg_input_open_with(const char *path, const lg_remote_options *remote,
		       lg_input **out, lg_error *err)
{
	static const lg_remote_options none;
	if (!remote)
		remote = &none;
	lg_source src;
	if (lg_source_parse(path, &src, err) < 0)
		return -1;
	int r;
	switch (src.transport) {
	case LG_TRANSPORT_PATH:
		r = remote->all_tags ? lg_err(err, "%s: --all-tags wants docker://REPOSITORY", path)
				     : open_path(path, out, err);
		break;
	case LG_TRANSPORT_DOCKER:
		r = lg_input_registry_open(path, &src.remote, remote, out, err);
		break;
	case LG_TRANSPORT_DAEMON:
		r = lg_input_daemon_open(path, &src.remote, remote, out, err);
		break;
	default:
		r = open_local(path, &src, out, err);
		break;
	}
	lg_source_clear(&src);
	return r;
}

static int open_path(const char *path, lg_input **out, lg_error *err)
{
	if (strcmp(path, "-") == 0) {
		int fd;
		if (isatty(STDIN_FILENO))
			return lg_err(err, "standard input is a terminal: pipe an image into it, "
				      "e.g. docker save app | licgate scan -");
		if (spool(STDIN_FILENO, "standard input", &fd, err) < 0)
			return -1;
		return lg_input_archive_open(path, fd, "stdin", out, err);
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return lg_err_errno(err, e, "%s", path);
	}
	if (S_ISDIR(st.st_mode))
		return lg_input_layout_open(path, fd, out, err);
	if (!S_ISREG(st.st_mode) || compressed(fd)) {
		int spooled;
		int r = spool(fd, path, &spooled, err);
		close(fd);
		if (r < 0)
			return -1;
		fd = spooled;
	} else if (st.st_size == 0) {
		close(fd);
		return lg_err(err, "%s: empty file", path);
	}
	return lg_input_archive_open(path, fd, "archive", out, err);
}

void lg_input_free(lg_input *in)
{
	if (!in)
		return;
	char *path = in->path, *ref = in->ref;
	in->ops->free(in);
	free(path);
	free(ref);
}

const char *lg_input_ref(const lg_input *in)
{
	return in->ref;
}

bool lg_input_by_digest(const lg_input *in)
{
	return in->by_digest;
}

const char *lg_input_path(const lg_input *in)
{
	return in->path;
}

const char *lg_input_form(const lg_input *in)
{
	return in->form;
}

/* A relative name inside the image: segments of anything but "", "."
 * and "..", separated by single slashes. */
static bool valid_name(const char *name)
{
	if (!*name || *name == '/')
		return false;
	for (const char *p = name; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p == '/')
			p++;
		if (*p == '\0' && p[-1] == '/')
			return false;
	}
	return true;
}

static int open_checked(lg_input *in, const char *name, lg_stream **out,
			uint64_t *size, bool *missing, lg_error *err)
{
	*missing = false;
	if (!valid_name(name)) {
		lg_buf esc = LG_BUF_INIT;
		lg_buf_append_escaped(&esc, name, strlen(name));
		lg_err(err, "\"%s\": not a safe relative path inside the image", esc.data);
		lg_buf_free(&esc);
		return -1;
	}
	uint64_t ignored;
	return in->ops->open(in, name, out, size ? size : &ignored, missing, err);
}

bool lg_input_exists(lg_input *in, const char *name)
{
	lg_stream *s = NULL;
	bool missing;
	lg_error err = LG_ERROR_INIT;
	int r = open_checked(in, name, &s, NULL, &missing, &err);
	lg_error_clear(&err);
	lg_stream_close(s);
	return r == 0;
}

unsigned lg_input_root(lg_input *in)
{
	if (in->ops->root)
		return in->ops->root(in);
	return (lg_input_exists(in, "oci-layout") ? LG_ROOT_OCI_LAYOUT : 0) |
	       (lg_input_exists(in, "manifest.json") ? LG_ROOT_DOCKER_MANIFEST : 0) |
	       (lg_input_exists(in, "repositories") ? LG_ROOT_REPOSITORIES : 0);
}

int lg_input_open_path(lg_input *in, const char *name, lg_stream **out,
		       uint64_t *size, lg_error *err)
{
	bool missing;
	return open_checked(in, name, out, size, &missing, err);
}

int lg_input_read_file(lg_input *in, const char *name, size_t max,
		       char **data, size_t *len, lg_error *err)
{
	lg_stream *s;
	uint64_t size;
	if (lg_input_open_path(in, name, &s, &size, err) < 0)
		return -1;
	if (size > max) {
		lg_stream_close(s);
		return lg_err(err, "%s: larger than %zu bytes", name, max);
	}
	char *buf = lg_xmalloc((size_t)size + 1);
	size_t got = 0;
	while (got < size) {
		ssize_t n = lg_stream_read(s, buf + got, (size_t)size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : 0;
			free(buf);
			lg_stream_close(s);
			return e ? lg_err_errno(err, e, "%s", name)
				 : lg_err(err, "%s: shorter than its size", name);
		}
		got += (size_t)n;
	}
	lg_stream_close(s);
	buf[got] = '\0';
	*data = buf;
	*len = got;
	return 0;
}

int lg_input_open_blob(lg_input *in, const lg_digest *digest, lg_stream **out,
		       lg_error *err)
{
	char name[sizeof(digest->str) + 8];
	snprintf(name, sizeof(name), "blobs/%s/%s", lg_digest_alg_name(digest),
		 lg_digest_hex(digest));
	bool missing;
	if (open_checked(in, name, out, NULL, &missing, err) == 0)
		return 0;
	if (missing)
		return lg_err(err, "%s: blob missing from the image (%s)", digest->str, name);
	return lg_err_prefix(err, "%s", digest->str);
}
