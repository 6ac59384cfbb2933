/* archive_policy.c - see archive_policy.h */
#include "archive_policy.h"

#include <string.h>

#include <archive.h>

#include "util.h"

int lg_archive_filters(struct archive *a, unsigned which, lg_error *err)
{
	static const struct {
		unsigned bit;
		const char *name;
		int (*add)(struct archive *);
	} filters[] = {
		{ LG_FILTER_GZIP, "gzip", archive_read_support_filter_gzip },
		{ LG_FILTER_ZSTD, "zstd", archive_read_support_filter_zstd },
		{ LG_FILTER_XZ, "xz", archive_read_support_filter_xz },
		{ LG_FILTER_XZ, "lzma", archive_read_support_filter_lzma },
		{ LG_FILTER_BZIP2, "bzip2", archive_read_support_filter_bzip2 },
	};
	for (size_t i = 0; i < LG_ARRAY_LEN(filters); i++) {
		if (!(which & filters[i].bit))
			continue;
		int r = filters[i].add(a);
		if (r != ARCHIVE_OK)
			return lg_err(err, "libarchive has no built-in %s decoder (%s); licgate "
				      "does not run an external %s program on image bytes",
				      filters[i].name, r == ARCHIVE_WARN ? "it would run the "
				      "external program" : archive_error_string(a), filters[i].name);
	}
	return 0;
}

bool lg_archive_warning_ok(const char *msg)
{
	return msg && (strstr(msg, "Uname") || strstr(msg, "Gname"));
}
