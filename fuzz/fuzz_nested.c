/* fuzz_nested.c - nested archive walking (layer_nested.c).
 *
 * Input: a file's content, as a layer file would carry it.  It is fed to
 * the tee in chunks drawn from a generator seeded with the input, then
 * walked with small limits (depth 3, 64 members, 4 MiB of member bytes,
 * 4 KiB in memory per level, so the spool is exercised), every member
 * read and fed again, recursively.  What must hold: the walk ends (the
 * limits bound it), every member path is its container's path, "!/",
 * then a normalized name (no "." or ".." segment, no "//"), depth comes
 * back to 0, and the same input fed in one piece gives the same members
 * and the same answer.
 */
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "fuzz_common.h"
#include "layer_nested.h"
#include "util.h"

typedef struct walk {
	lg_nested *n;
	lg_error err;
	lg_buf log;
	fuzz_rng rng;
	bool chunked;
} walk;

static int feed(walk *w, const unsigned char *p, size_t len)
{
	while (len) {
		size_t k = w->chunked ? 1 + fuzz_rng_next(&w->rng) % 700 : len;
		if (k > len)
			k = len;
		if (lg_nested_feed(w->n, p, k, &w->err) < 0)
			return -1;
		p += k;
		len -= k;
	}
	return 0;
}

static void check_path(const char *path, size_t len)
{
	FUZZ_CHECK(strlen(path) == len);
	const char *bang = strstr(path, "!/");
	FUZZ_CHECK(bang != NULL);
	FUZZ_CHECK(!strstr(path, "//"));
	FUZZ_CHECK(!strstr(path, "/./") && !strstr(path, "/../"));
	size_t n = strlen(path);
	FUZZ_CHECK(!(n >= 2 && strcmp(path + n - 2, "/.") == 0));
	FUZZ_CHECK(!(n >= 3 && strcmp(path + n - 3, "/..") == 0));
}

static int on_member(void *ud, const char *path, size_t len, bool escaped,
		     struct archive *a, struct archive_entry *e)
{
	(void)e;
	(void)escaped;
	walk *w = ud;
	check_path(path, len);
	lg_buf_append(&w->log, path, len);
	lg_buf_putc(&w->log, '\n');
	lg_nested_start(w->n, path, len);
	const void *block;
	size_t size;
	la_int64_t off;
	int r;
	while ((r = archive_read_data_block(a, &block, &size, &off)) == ARCHIVE_OK) {
		if (lg_nested_count(w->n, size, &w->err) < 0 || feed(w, block, size) < 0)
			return -1;
	}
	if (r != ARCHIVE_EOF)
		return lg_err(&w->err, "%s", archive_error_string(a));
	return lg_nested_walk(w->n, path, len, on_member, w, &w->err);
}

static int run(walk *w, const uint8_t *data, size_t size)
{
	static const lg_nested_limits lim = { .max_depth = 3, .max_members = 64,
					      .max_bytes = 4u << 20, .mem_bytes = 4096 };
	w->n = lg_nested_new(&lim);
	/* every other input is named *.br: the brotli decoder gets it */
	const char *name = size % 2 ? "/f.br" : "/f";
	lg_nested_start(w->n, name, strlen(name));
	int r = feed(w, data, size);
	if (r == 0)
		r = lg_nested_walk(w->n, name, strlen(name), on_member, w, &w->err);
	FUZZ_CHECK(lg_nested_depth(w->n) == 0);
	FUZZ_CHECK((r < 0) == (w->err.msg != NULL));
	lg_nested_free(w->n);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	walk a = { .rng = fuzz_rng_seed(data, size), .chunked = true };
	walk b = { .rng = fuzz_rng_seed(data, size) };
	int ra = run(&a, data, size);
	int rb = run(&b, data, size);
	FUZZ_CHECK(ra == rb);
	FUZZ_CHECK(a.log.len == b.log.len && (a.log.len == 0 || memcmp(a.log.data, b.log.data, a.log.len) == 0));
	lg_buf_free(&a.log);
	lg_buf_free(&b.log);
	lg_error_clear(&a.err);
	lg_error_clear(&b.err);
	return 0;
}
