/* test_spdx_ids.c - the SPDX License List built into licgate: known,
 * deprecated and user-defined identifiers, suggestions for typos, the
 * messages (the BSL trap word for word), the check-rules lint, and that
 * the binary embeds exactly rules/spdx/.
 *
 * Tests that read files of the source tree (rules/) look for them in
 * $LICGATE_SRCDIR, then in the current directory and its parents. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rules.h"
#include "spdx_data.h"
#include "spdx_ids.h"
#include "util.h"

#define BSL_TRAP(id)                                                      \
	"'" id "' is not an SPDX identifier: the Business Source License " \
	"is 'BUSL-1.1' ('BSL-1.0' is the Boost Software License)"

/* ---- helpers ---------------------------------------------------------- */

static bool known(const char *id)
{
	return lg_spdx_license_known(id, strlen(id));
}

static bool exception_known(const char *id)
{
	return lg_spdx_exception_known(id, strlen(id));
}

static bool deprecated(const char *id)
{
	return lg_spdx_license_deprecated(id, strlen(id));
}

/* The note for id, or NULL when there is none (caller frees). */
static char *note(const char *id)
{
	lg_buf b = LG_BUF_INIT;
	if (!lg_spdx_note(id, strlen(id), &b)) {
		assert_int_equal(b.len, 0); /* out left alone */
		lg_buf_free(&b);
		return NULL;
	}
	return lg_buf_steal(&b);
}

static void expect_note(const char *id, const char *want)
{
	char *got = note(id);
	if (!got)
		fail_msg("no note for '%s', want \"%s\"", id, want);
	assert_string_equal(got, want);
	free(got);
}

/* A file of the source tree, or a test failure saying how to find it. */
static char *src_path(const char *rel)
{
	const char *dirs[] = { getenv("LICGATE_SRCDIR"), ".", "..", "../..",
			       "../../.." };
	for (size_t i = 0; i < LG_ARRAY_LEN(dirs); i++) {
		if (!dirs[i])
			continue;
		char *p = lg_xasprintf("%s/%s", dirs[i], rel);
		if (access(p, R_OK) == 0)
			return p;
		free(p);
	}
	fail_msg("cannot find %s: run from the source tree or set "
		 "LICGATE_SRCDIR", rel);
	return NULL;
}

static char *read_src(const char *rel, size_t *len)
{
	char *path = src_path(rel);
	FILE *f = fopen(path, "rb");
	free(path);
	assert_non_null(f);
	lg_buf b = LG_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		lg_buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return lg_buf_steal(&b);
}

static lg_rules *parse(const char *text)
{
	lg_error err = LG_ERROR_INIT;
	lg_rules *r = NULL;
	if (lg_rules_parse("t.rules", text, strlen(text), &r, &err) != 0)
		fail_msg("parse failed:\n%s", lg_error_msg(&err));
	return r;
}

/* What lg_spdx_lint_rules() prints for text (caller frees); *count gets
 * its return value. */
static char *lint(const char *text, size_t *count)
{
	lg_rules *r = parse(text);
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	assert_non_null(f);
	*count = lg_spdx_lint_rules(r, f);
	assert_int_equal(fclose(f), 0);
	lg_rules_free(r);
	return buf;
}

static void expect_lint(const char *text, const char *want, size_t nwant)
{
	size_t n = 0;
	char *got = lint(text, &n);
	assert_string_equal(got, want);
	assert_int_equal(n, nwant);
	free(got);
}

/* ---- first use from several threads ---------------------------------- */

static void *lookup_thread(void *arg)
{
	(void)arg;
	bool ok = known("MIT") && known("busl-1.1") && !known("MIT2") &&
		  exception_known("LLVM-exception");
	return ok ? arg : NULL;
}

/* Runs first: the tables are built under contention (pthread_once). */
static void concurrent_first_use(void **state)
{
	(void)state;
	pthread_t t[8];
	int token;
	for (size_t i = 0; i < LG_ARRAY_LEN(t); i++)
		assert_int_equal(pthread_create(&t[i], NULL, lookup_thread, &token), 0);
	for (size_t i = 0; i < LG_ARRAY_LEN(t); i++) {
		void *ret = NULL;
		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_ptr_equal(ret, &token);
	}
}

/* ---- known, deprecated ------------------------------------------------ */

static void license_ids(void **state)
{
	(void)state;
	static const char *const yes[] = {
		"MIT", "mit", "Apache-2.0", "APACHE-2.0", "0BSD", "BUSL-1.1",
		"busl-1.1", "BSL-1.0", "GPL-2.0-or-later", "GPL-2.0-only+",
		"MIT+", "GPL-2.0", "gpl-2.0+", "wxWindows", /* deprecated too */
		"LicenseRef-Acme", "licenseref-acme", "LicenseRef-Acme-1.0+",
		"LicenseRef-.x.", "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
		"documentref-a:licenseref-b",
	};
	static const char *const no[] = {
		"", "+", "MIT2", "MIT++", "+MIT", "BSL-1.1", "BUSL", "Apache2.0",
		"UNLICENSED", "NOASSERTION", "MIT AND ISC", "MIT ", " MIT",
		"LicenseRef-", "LicenseRef-a b", "LicenseRef-a_b", "LicenseRef",
		"DocumentRef-x:", "DocumentRef-:LicenseRef-x",
		"DocumentRef-x:LicenseRef-", "DocumentRef-x:AdditionRef-y",
		"DocumentRef-x", "x:LicenseRef-y", "AdditionRef-x",
		"LLVM-exception",
	};
	for (size_t i = 0; i < LG_ARRAY_LEN(yes); i++)
		if (!known(yes[i]))
			fail_msg("'%s' should be known", yes[i]);
	for (size_t i = 0; i < LG_ARRAY_LEN(no); i++)
		if (known(no[i]))
			fail_msg("'%s' should not be known", no[i]);
}

/* Ids are (pointer, length): nothing past len is read or matters. */
static void ids_are_counted_not_terminated(void **state)
{
	(void)state;
	assert_true(lg_spdx_license_known("MITX", 3));
	assert_false(lg_spdx_license_known("MITX", 4));
	assert_true(lg_spdx_license_known("GPL-2.0+ AND", 8));
	assert_true(lg_spdx_license_deprecated("GPL-2.0-only", 7));
	char *heap = lg_xstrndup("BUSL-1.1", 8); /* ASan sees an overread */
	assert_true(lg_spdx_license_known(heap, 8));
	free(heap);
	assert_false(lg_spdx_license_known("M\0T", 3));
}

static void exception_ids(void **state)
{
	(void)state;
	static const char *const yes[] = {
		"Classpath-exception-2.0", "classpath-exception-2.0",
		"LLVM-exception", "GCC-exception-3.1",
		"Nokia-Qt-exception-1.1", /* deprecated, still known */
		"AdditionRef-Acme", "additionref-acme-1.0",
		"DocumentRef-a:AdditionRef-b",
	};
	static const char *const no[] = {
		"", "MIT", "Classpath-exception-2", "LLVM-exception+",
		"LicenseRef-x", "AdditionRef-", "AdditionRef-a b",
		"DocumentRef-a:LicenseRef-b",
	};
	for (size_t i = 0; i < LG_ARRAY_LEN(yes); i++)
		if (!exception_known(yes[i]))
			fail_msg("'%s' should be a known exception", yes[i]);
	for (size_t i = 0; i < LG_ARRAY_LEN(no); i++)
		if (exception_known(no[i]))
			fail_msg("'%s' should not be a known exception", no[i]);
}

static void deprecated_ids(void **state)
{
	(void)state;
	static const char *const yes[] = {
		"GPL-2.0", "gpl-2.0", "GPL-2.0+", "LGPL-2.1", "AGPL-3.0",
		"GPL-2.0-with-GCC-exception", "wxWindows", "StandardML-NJ",
	};
	static const char *const no[] = {
		"GPL-2.0-only", "GPL-2.0-or-later", "MIT", "BSL-1.0", "MIT2",
		"LicenseRef-GPL-2.0", "", "+",
	};
	for (size_t i = 0; i < LG_ARRAY_LEN(yes); i++)
		if (!deprecated(yes[i]))
			fail_msg("'%s' should be deprecated", yes[i]);
	for (size_t i = 0; i < LG_ARRAY_LEN(no); i++)
		if (deprecated(no[i]))
			fail_msg("'%s' should not be deprecated", no[i]);
}

/* ---- suggestions ------------------------------------------------------ */

static const struct {
	const char *id;
	const char *want; /* NULL: no suggestion */
	int dist;
} suggest_cases[] = {
	{ "MIT2", "MIT", 1 },
	{ "Apache2.0", "Apache-2.0", 1 },
	{ "GPL-3.0-onl", "GPL-3.0-only", 1 },
	{ "busl-1.1", "BUSL-1.1", 0 },       /* listed: its spelling */
	{ "mit", "MIT", 0 },
	{ "BUSL-1.0", "BUSL-1.1", 1 },       /* not BSL-1.0: prefix wins the tie */
	{ "MTI", "MIT", 1 },                 /* adjacent swap */
	{ "MIT2+", "MIT", 1 },               /* '+' ignored */
	{ "MPL2", "MPL-2.0", 1 },            /* dropped separators and .0 */
	{ "CC-BY-4", "CC-BY-4.0", 1 },
	{ "bsd3clause", "BSD-3-Clause", 1 },
	{ "Apache20", "Apache-2.0", 2 },
	{ "LGPL-2.1-or-latr", "LGPL-2.1-or-later", 1 },
	{ "GPL-2.0-or-later2", "GPL-2.0-or-later", 1 },
	{ "GPL3", NULL, -1 },                /* not NGPL: first letter differs */
	{ "AGPL3", NULL, -1 },
	{ "Apache", NULL, -1 },              /* a missing version is a guess */
	{ "GPL-2.0", NULL, -1 },             /* deprecated ids are never offered */
	{ "Proprietary", NULL, -1 },
	{ "X", NULL, -1 },
	{ "", NULL, -1 },
	{ "+", NULL, -1 },
};

static void suggestions(void **state)
{
	(void)state;
	for (size_t i = 0; i < LG_ARRAY_LEN(suggest_cases); i++) {
		const char *id = suggest_cases[i].id;
		char out[LG_SPDX_ID_MAX];
		memset(out, 'x', sizeof out);
		int d = lg_spdx_suggest(id, strlen(id), out, sizeof out);
		const char *want = suggest_cases[i].want;
		if (d != suggest_cases[i].dist || strcmp(out, want ? want : "") != 0)
			fail_msg("suggest('%s') = %d '%s', want %d '%s'", id, d,
				 out, suggest_cases[i].dist, want ? want : "");
		if (want)
			assert_false(deprecated(out));
	}
}

static void suggestion_buffer(void **state)
{
	(void)state;
	char small[4] = "zzz";
	assert_int_equal(lg_spdx_suggest("Apache2.0", 9, small, sizeof small), 1);
	assert_string_equal(small, "Apa");
	char none = 'z';
	assert_int_equal(lg_spdx_suggest("MIT2", 4, &none, 0), 1);
	assert_int_equal(none, 'z');
	assert_int_equal(lg_spdx_suggest("MIT2", 4, NULL, 0), 1);
	char out[LG_SPDX_ID_MAX] = "zzz";
	assert_int_equal(lg_spdx_suggest("Proprietary", 11, out, sizeof out), -1);
	assert_string_equal(out, "");
	/* Bounded work: an id too long to be listed is not compared. */
	char *long_id = lg_xmalloc(4096);
	memset(long_id, 'M', 4096);
	assert_int_equal(lg_spdx_suggest(long_id, 4096, out, sizeof out), -1);
	assert_int_equal(lg_spdx_suggest(long_id, LG_SPDX_ID_MAX, out,
					 sizeof out), -1);
	free(long_id);
}

static void exception_suggestions(void **state)
{
	(void)state;
	char out[LG_SPDX_ID_MAX];
	assert_int_equal(lg_spdx_exception_suggest("Classpath-exception-2", 21,
						   out, sizeof out), 1);
	assert_string_equal(out, "Classpath-exception-2.0");
	assert_int_equal(lg_spdx_exception_suggest("llvm-exception", 14, out,
						   sizeof out), 0);
	assert_string_equal(out, "LLVM-exception");
	assert_int_equal(lg_spdx_exception_suggest("MIT", 3, out, sizeof out), -1);
}

/* ---- notes ------------------------------------------------------------ */

static void bsl_trap(void **state)
{
	(void)state;
	expect_note("BSL-1.1", BSL_TRAP("BSL-1.1"));
	expect_note("bsl-1.1", BSL_TRAP("bsl-1.1"));
	expect_note("BSL-2.0", BSL_TRAP("BSL-2.0"));
	expect_note("BSL-1.1+", BSL_TRAP("BSL-1.1+"));
	expect_note("BSL", BSL_TRAP("BSL"));
	/* BSL-1.0 is a real id (Boost): no note, whatever the case. */
	assert_null(note("BSL-1.0"));
	assert_null(note("bsl-1.0+"));
	assert_null(note("BUSL-1.1"));
}

static void notes(void **state)
{
	(void)state;
	expect_note("MIT2", "unknown SPDX identifier 'MIT2'; did you mean 'MIT'?");
	expect_note("Apache2.0", "unknown SPDX identifier 'Apache2.0'; did you "
				 "mean 'Apache-2.0'?");
	expect_note("Acme-Proprietary",
		    "unknown SPDX identifier 'Acme-Proprietary' (not on the SPDX "
		    "License List; write a license of your own as LicenseRef-...)");
	expect_note("UNLICENSED",
		    "'UNLICENSED' is not an SPDX identifier: npm uses it for code "
		    "that is not licensed for use by others ('Unlicense' is a "
		    "public-domain dedication)");
	/* Hostile bytes print as data. */
	expect_note("\x1b[2J\\", "unknown SPDX identifier '\\x1b[2J\\\\' (not on "
		    "the SPDX License List; write a license of your own as "
		    "LicenseRef-...)");
	assert_null(note("MIT"));
	assert_null(note("GPL-2.0+")); /* deprecated is not unknown */
	assert_null(note("LicenseRef-Acme"));
}

static void note_appends(void **state)
{
	(void)state;
	lg_buf b = LG_BUF_INIT;
	lg_buf_appendf(&b, "x.c:3: ");
	assert_true(lg_spdx_note("MIT2 OR ISC", 4, &b));
	assert_string_equal(b.data, "x.c:3: unknown SPDX identifier 'MIT2'; "
				    "did you mean 'MIT'?");
	assert_false(lg_spdx_note("ISC", 3, &b));
	lg_buf_reset(&b);
	assert_true(lg_spdx_exception_note("Classpath-exception-2", 21, &b));
	assert_string_equal(b.data, "unknown SPDX license exception "
				    "'Classpath-exception-2'; did you mean "
				    "'Classpath-exception-2.0'?");
	lg_buf_reset(&b);
	assert_true(lg_spdx_exception_note("Acme-exception", 14, &b));
	assert_string_equal(b.data, "unknown SPDX license exception "
				    "'Acme-exception' (not on the SPDX exception "
				    "list; write an exception of your own as "
				    "AdditionRef-...)");
	lg_buf_reset(&b);
	assert_false(lg_spdx_exception_note("AdditionRef-Acme", 16, &b));
	assert_int_equal(b.len, 0);
	lg_buf_free(&b);
}

/* ---- lint ------------------------------------------------------------- */

#define HEAD                                                                \
	"class MIT   \"Community\"\n"                                       \
	"class BSL   \"Enterprise\"\n"                                      \
	"class other \"Upstream\"\n"                                        \
	"target dockerhub allow MIT other deny BSL unknown warn\n"          \
	"target ghcr      allow MIT BSL other    unknown allow\n"

static void lint_findings(void **state)
{
	(void)state;
	expect_lint(HEAD
		    "license BUSL-1.1 LicenseRef-Acme-* BSL\n"         /* 6 */
		    "license BSL-1.0 BSL\n"                            /* 7 */
		    "license MIT2 MIT\n"                               /* 8 */
		    "license GPL-2.0 other\n"                          /* 9 */
		    "license BSL-1.1 BSL\n"                            /* 10 */
		    "license GPL-2.0-with-GCC-exception wxWindows+ other\n" /* 11 */
		    "license Apache-* GPL-*-only other\n"              /* 12 */
		    "license DocumentRef-d:LicenseRef-x BSL\n",        /* 13 */
		    "t.rules:7: warning: BSL-1.0 is mapped to class 'BSL', "
		    "which target 'dockerhub' denies: BSL-1.0 is the Boost "
		    "Software License, not the Business Source License "
		    "(BUSL-1.1)\n"
		    "t.rules:8: warning: unknown SPDX identifier 'MIT2'; did "
		    "you mean 'MIT'?\n"
		    "t.rules:9: warning: 'GPL-2.0' is a deprecated SPDX "
		    "identifier; use 'GPL-2.0-only' or 'GPL-2.0-or-later'\n"
		    "t.rules:10: warning: " BSL_TRAP("BSL-1.1") "\n"
		    "t.rules:11: warning: 'GPL-2.0-with-GCC-exception' is a "
		    "deprecated SPDX identifier; write the exception after WITH "
		    "('GPL-2.0-only WITH ...' or 'GPL-2.0-or-later WITH ...')\n"
		    "t.rules:11: warning: 'wxWindows+' is a deprecated SPDX "
		    "identifier\n",
		    6);
}

static void lint_bsl_glob(void **state)
{
	(void)state;
	/* A glob that decides BSL-1.0; both targets deny the class. */
	expect_lint("class ok \"o\"\nclass no \"n\"\n"
		    "target a allow ok deny no\n"
		    "target b deny no allow ok\n"
		    "license BUSL-1.1 no\n"
		    "license bsl-* no\n",
		    "t.rules:6: warning: 'bsl-*' maps BSL-1.0 to class 'no', "
		    "which targets 'a', 'b' deny: BSL-1.0 is the Boost Software "
		    "License, not the Business Source License (BUSL-1.1)\n",
		    1);
	/* The last rule wins: a later BSL-1.0 rule to an allowed class
	 * makes the glob harmless for Boost. */
	expect_lint("class ok \"o\"\nclass no \"n\"\n"
		    "target a allow ok deny no\n"
		    "license BSL-* no\n"
		    "license BSL-1.0 ok\n",
		    "", 0);
	/* No target denies the class. */
	expect_lint("class ok \"o\"\nclass no \"n\"\n"
		    "target a allow ok no\n"
		    "license BSL-1.0 no\n",
		    "", 0);
	/* A glob that does not match BSL-1.0. */
	expect_lint("class ok \"o\"\nclass no \"n\"\n"
		    "target a allow ok deny no\n"
		    "license BUSL-* no\n",
		    "", 0);
}

static void lint_shipped_rules(void **state)
{
	(void)state;
	lg_error err = LG_ERROR_INIT;
	lg_rules *r = NULL;
	if (lg_rules_load_default(&r, &err) != 0)
		fail_msg("%s", lg_error_msg(&err));
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	assert_non_null(f);
	size_t n = lg_spdx_lint_rules(r, f);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "");
	assert_int_equal(n, 0);
	free(buf);
	lg_rules_free(r);
}

/* ---- the embedded lists are rules/spdx/ ------------------------------- */

static size_t count_lines(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

/* The file's bytes are the embedded bytes, and every line passes check. */
static void expect_embedded(const char *rel, const unsigned char *data,
			    size_t data_len, bool (*check)(const char *, size_t),
			    size_t min_lines)
{
	size_t len = 0;
	char *text = read_src(rel, &len);
	assert_int_equal(len, data_len);
	assert_memory_equal(text, data, len);
	assert_int_equal(data[data_len], '\0');
	assert_true(count_lines(text, len) >= min_lines);
	for (char *line = text, *nl; (nl = strchr(line, '\n')); line = nl + 1)
		if (!check(line, (size_t)(nl - line)))
			fail_msg("%s: '%.*s' fails its check", rel,
				 (int)(nl - line), line);
	free(text);
}

static bool current_license(const char *id, size_t len)
{
	char up[LG_SPDX_ID_MAX];
	assert_true(len < sizeof up);
	for (size_t i = 0; i < len; i++) /* and in another case */
		up[i] = (char)(id[i] >= 'a' && id[i] <= 'z' ? id[i] - 32 : id[i]);
	char out[LG_SPDX_ID_MAX];
	return lg_spdx_license_known(id, len) &&
	       lg_spdx_license_known(up, len) &&
	       !lg_spdx_license_deprecated(id, len) &&
	       lg_spdx_suggest(up, len, out, sizeof out) == 0 &&
	       strlen(out) == len && memcmp(out, id, len) == 0;
}

static bool deprecated_license(const char *id, size_t len)
{
	return lg_spdx_license_known(id, len) &&
	       lg_spdx_license_deprecated(id, len);
}

static bool listed_exception(const char *id, size_t len)
{
	return lg_spdx_exception_known(id, len) &&
	       !lg_spdx_license_known(id, len);
}

static void embedded_lists(void **state)
{
	(void)state;
	expect_embedded("rules/spdx/licenses.txt", lg_spdx_licenses,
			lg_spdx_licenses_len, current_license, 600);
	expect_embedded("rules/spdx/deprecated.txt", lg_spdx_deprecated,
			lg_spdx_deprecated_len, deprecated_license, 20);
	expect_embedded("rules/spdx/exceptions.txt", lg_spdx_exceptions,
			lg_spdx_exceptions_len, listed_exception, 50);
	expect_embedded("rules/spdx/exceptions-deprecated.txt",
			lg_spdx_exceptions_deprecated,
			lg_spdx_exceptions_deprecated_len, listed_exception, 0);
}

static void embedded_entries(void **state)
{
	(void)state;
	size_t len = 0;
	char *text = read_src("rules/spdx/licenses.txt", &len);
	/* A few entries by name, in the file and in the binary. */
	static const char *const ids[] = { "MIT", "BUSL-1.1", "BSL-1.0",
					   "Apache-2.0", "GPL-3.0-only",
					   "SSPL-1.0", "Elastic-2.0" };
	for (size_t i = 0; i < LG_ARRAY_LEN(ids); i++) {
		char *line = lg_xasprintf("\n%s\n", ids[i]);
		assert_non_null(strstr(text, line));
		assert_true(known(ids[i]));
		free(line);
	}
	free(text);
}

static void list_version(void **state)
{
	(void)state;
	size_t len = 0;
	char *text = read_src("rules/spdx/VERSION", &len);
	assert_true(len > 1 && text[len - 1] == '\n');
	text[len - 1] = '\0';
	assert_string_equal(lg_spdx_list_version(), text);
	assert_non_null(strstr(text, "spdx-license-ids "));
	assert_non_null(strstr(text, "spdx-exceptions "));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(concurrent_first_use),
		cmocka_unit_test(license_ids),
		cmocka_unit_test(ids_are_counted_not_terminated),
		cmocka_unit_test(exception_ids),
		cmocka_unit_test(deprecated_ids),
		cmocka_unit_test(suggestions),
		cmocka_unit_test(suggestion_buffer),
		cmocka_unit_test(exception_suggestions),
		cmocka_unit_test(bsl_trap),
		cmocka_unit_test(notes),
		cmocka_unit_test(note_appends),
		cmocka_unit_test(lint_findings),
		cmocka_unit_test(lint_bsl_glob),
		cmocka_unit_test(lint_shipped_rules),
		cmocka_unit_test(embedded_lists),
		cmocka_unit_test(embedded_entries),
		cmocka_unit_test(list_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
