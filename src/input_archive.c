/* input_archive.c - an image inside a tar file (oci-archive, docker save)
 * as an lg_input.
 *
 * One pass over the tar's headers with libarchive, skipping the data by
 * seeking, records where each member's data starts; after that a member is
 * a window of the file read with pread().  Only the index stays in memory,
 * never a member's data.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "archive_policy.h"
#include "input_backend.h"
#include "strmap.h"
#include "util.h"

/* An image archive with more members than this is not an image. */
#define MAX_MEMBERS 1000000

enum member_type {
	M_FILE,
	M_LINK,
	M_OUTSIDE, /* a link whose target leaves the archive: never followed */
};

typedef struct member {
	enum member_type type;
	uint64_t offset; /* of the data (M_FILE) */
	uint64_t size;
	const char *target; /* M_LINK: the link's target, resolved to a name */
} member;

typedef struct tarball {
	lg_input base;
	int fd;
	lg_arena names;
	lg_strmap by_name; /* name -> index + 1 */
	member *members;
	size_t nmembers, cap;
} tarball;

/* "./a//b" -> "a/b"; false for a name that leaves the archive's root. */
static bool member_name(const char *raw, lg_buf *out)
{
	bool escaped;
	lg_path_normalize(raw, strlen(raw), out, &escaped);
	/* Member names are relative: "/a/b" -> "a/b", "/" -> "". */
	memmove(out->data, out->data + 1, out->len);
	out->len--;
	return !escaped;
}

static void add_member(tarball *t, const lg_buf *name, member m)
{
	lg_xgrow((void **)&t->members, &t->cap, t->nmembers + 1, sizeof(member));
	t->members[t->nmembers] = m;
	const char *key = lg_arena_strndup(&t->names, name->data, name->len);
	bool created;
	/* The last member of a name wins, as when tar extracts. */
	*lg_strmap_put(&t->by_name, key, name->len, &created) = (uint32_t)++t->nmembers;
}

/* A symlink's target relative to the link's directory, or a hardlink's
 * target (relative to the archive's root), as a member name. */
static bool link_target(const lg_buf *name, const char *target, bool hard,
			lg_buf *out)
{
	lg_buf joined = LG_BUF_INIT;
	if (!hard && target[0] != '/') {
		const char *slash = memrchr(name->data, '/', name->len);
		if (slash)
			lg_buf_append(&joined, name->data, (size_t)(slash - name->data) + 1);
	}
	lg_buf_append(&joined, target, strlen(target));
	bool ok = target[0] != '/' && member_name(joined.data, out);
	lg_buf_free(&joined);
	return ok;
}

static int index_entry(tarball *t, struct archive *a, struct archive_entry *e,
		       lg_buf *name, lg_buf *scratch)
{
	const char *raw = archive_entry_pathname(e);
	if (!raw || !member_name(raw, name) || name->len == 0)
		return 0; /* a name no image file can have: not ours to read */
	const char *hard = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);
	member m = { .type = M_FILE };
	if (hard || type == AE_IFLNK) {
		const char *target = hard ? hard : archive_entry_symlink(e);
		m.type = M_OUTSIDE;
		if (target && link_target(name, target, hard != NULL, scratch)) {
			m.type = M_LINK;
			m.target = lg_arena_strndup(&t->names, scratch->data, scratch->len);
		}
	} else if (type == AE_IFREG) {
		m.offset = (uint64_t)archive_filter_bytes(a, 0);
		m.size = (uint64_t)archive_entry_size(e);
	} else {
		return 0;
	}
	if (t->nmembers >= MAX_MEMBERS)
		return -1;
	add_member(t, name, m);
	return 0;
}

static int build_index(tarball *t, const char *what, lg_error *err)
{
	if (lseek(t->fd, 0, SEEK_SET) < 0)
		return lg_err_errno(err, errno, "%s", what);
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	lg_buf name = LG_BUF_INIT, scratch = LG_BUF_INIT;
	int r = archive_read_open_fd(a, t->fd, 64 * 1024);
	struct archive_entry *e;
	while (r == ARCHIVE_OK || r == ARCHIVE_WARN) {
		r = archive_read_next_header(a, &e);
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			break;
		/* archive_policy.h: the same warnings as in a layer. */
		if (r == ARCHIVE_WARN && !lg_archive_warning_ok(archive_error_string(a))) {
			lg_err(err, "%s: tar header at offset %lld: %s", what,
			       (long long)archive_read_header_position(a), archive_error_string(a));
			r = ARCHIVE_FATAL - 1;
			break;
		}
		if (index_entry(t, a, e, &name, &scratch) < 0) {
			lg_err(err, "%s: more than %d members: not an image archive", what, MAX_MEMBERS);
			r = ARCHIVE_FATAL - 1;
		}
	}
	/* FATAL, FAILED, and RETRY (a damaged header libarchive would skip:
	 * we do not guess past it) all end the index with a message. */
	if (r != ARCHIVE_EOF && r != ARCHIVE_FATAL - 1)
		lg_err(err, "%s: %s%s", what, t->nmembers ? "damaged or truncated archive: " : "",
		       t->nmembers ? archive_error_string(a)
				   : "not a tar archive, a compressed tar, or an image layout directory");
	archive_read_free(a);
	lg_buf_free(&name);
	lg_buf_free(&scratch);
	if (r != ARCHIVE_EOF)
		return -1;
	if (t->nmembers == 0)
		return lg_err(err, "%s: the archive holds no files", what);
	return 0;
}

static const member *find(const tarball *t, const char *name)
{
	const uint32_t *i = lg_strmap_get(&t->by_name, name, strlen(name));
	return i ? &t->members[*i - 1] : NULL;
}

static int archive_open_file(lg_input *in, const char *name, lg_stream **out,
			     uint64_t *size, bool *missing, lg_error *err)
{
	tarball *t = (tarball *)in;
	const member *m = find(t, name);
	/* Follow one link, and only to a regular file inside the archive. */
	if (m && m->type == M_OUTSIDE)
		return lg_err(err, "%s: a link that leads outside the archive (not followed)", name);
	if (m && m->type == M_LINK) {
		const member *target = find(t, m->target);
		if (target && target->type != M_FILE)
			return lg_err(err, "%s: a link to a link (followed only once)", name);
		m = target;
	}
	if (!m) {
		*missing = true;
		return lg_err(err, "%s: not in the archive", name);
	}
	*out = lg_window_stream(t->fd, m->offset, m->size);
	*size = m->size;
	return 0;
}

static void tarball_free(lg_input *in)
{
	tarball *t = (tarball *)in;
	close(t->fd);
	lg_arena_free(&t->names);
	lg_strmap_free(&t->by_name);
	free(t->members);
	free(t);
}

static const lg_input_ops ARCHIVE_OPS = {
	.open = archive_open_file,
	.free = tarball_free,
};

int lg_input_archive_open(const char *path, int fd, const char *form,
			  lg_input **out, lg_error *err)
{
	tarball *t = lg_xcalloc(1, sizeof(*t));
	t->base.ops = &ARCHIVE_OPS;
	t->base.path = lg_xstrdup(path);
	t->base.form = form;
	t->fd = fd;
	const char *what = strcmp(path, "-") == 0 ? "standard input" : path;
	if (build_index(t, what, err) < 0) {
		free(t->base.path);
		tarball_free(&t->base);
		return -1;
	}
	*out = &t->base;
	return 0;
}
