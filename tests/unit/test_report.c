/* test_report.c - the report writers (every format of report_formats.c) on a
 * scan of tests/fixtures/hostile/escape-strings, whose names, link
 * targets, tags, media types, platform and refs all hold terminal escape
 * sequences (ESC, BEL, C1 CSI, DEL): no format may write a raw control
 * byte, however the report is asked for, and the strings are still there,
 * escaped the format's way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "report.h"
#include "report_formats.h"
#include "rules.h"
#include "scan.h"
#include "util.h"

#define IMAGE "tests/fixtures/hostile/escape-strings"

struct fixture {
	lg_rules *rules;
	lg_scan_options opts;
	lg_scan *scan;
};

static int setup(void **state)
{
	struct fixture *fx = lg_xcalloc(1, sizeof(*fx));
	lg_error err = LG_ERROR_INIT;
	if (lg_rules_load("tests/fixtures/rules/example.rules", &fx->rules, &err) < 0) {
		fprintf(stderr, "rules: %s\n", lg_error_msg(&err));
		lg_error_clear(&err);
		free(fx);
		return -1;
	}
	fx->opts = (lg_scan_options){
		.image = IMAGE,
		.rules = fx->rules,
		.target = lg_rules_target(fx->rules, "dockerhub"),
		.jobs = 1,
		.progress = 0,
		.no_cache = true,
		.file_hashes = true, /* for the SBOM writers */
	};
	if (!fx->opts.target || lg_scan_run(&fx->opts, &fx->scan, &err) < 0) {
		fprintf(stderr, "scan: %s\n", lg_error_msg(&err));
		lg_error_clear(&err);
		lg_rules_free(fx->rules);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	lg_scan_free(fx->scan);
	lg_rules_free(fx->rules);
	free(fx);
	return 0;
}

/* The first raw control byte (C0 but newline, DEL, C1) in p[0..n), or -1. */
static long raw_control(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	for (size_t i = 0; i < n; i++) {
		bool c0 = u[i] < 0x20 && u[i] != '\n';
		bool c1 = u[i] == 0xc2 && i + 1 < n && u[i + 1] >= 0x80 && u[i + 1] < 0xa0;
		if (c0 || u[i] == 0x7f || c1)
			return (long)i;
	}
	return -1;
}

/* The report in the given options, as a string the caller frees. */
static char *report(const struct fixture *fx, const char *format, bool verbose)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	assert_non_null(f);
	lg_report_options o = { .verbose = verbose };
	lg_report_out ro = { .w = lg_report_writer_find(format, strlen(format)), .out = f };
	assert_non_null(ro.w);
	lg_error err = LG_ERROR_INIT;
	assert_int_equal(lg_report_run(fx->scan, &o, &ro, 1, &err), 0);
	fclose(f);
	long at = raw_control(out, n);
	if (at >= 0) {
		char around[64];
		snprintf(around, sizeof(around), "%.40s", out + (at > 20 ? at - 20 : 0));
		free(out);
		fail_msg("format %s%s: raw control byte at %ld, near \"%s\"", format,
			 verbose ? " --verbose" : "", at, around);
	}
	return out;
}

static void assert_contains(char *s, const char *sub)
{
	if (!strstr(s, sub)) {
		free(s);
		fail_msg("report lacks \"%s\"", sub);
	}
}

#define ESC_TEXT "\\x1b]0;pwned\\x07\\x1b[2J\\xc2\\x9b2J\\x7f"
#define ESC_JSON "\\u001B]0;pwned\\u0007\\u001B[2J\\u009B2J\\u007F"

static void test_text(void **state)
{
	struct fixture *fx = *state;
	char *r = report(fx, "text", false);
	assert_contains(r, "/srv/app/" ESC_TEXT "bsl.js");
	assert_contains(r, "hardlink to srv/app/" ESC_TEXT "nowhere");
	assert_contains(r, "application/x-" ESC_TEXT);
	assert_contains(r, "[linux/amd64/v" ESC_TEXT "]");
	free(r);
}

static void test_text_verbose(void **state)
{
	struct fixture *fx = *state;
	char *r = report(fx, "text", true);
	assert_contains(r, "WARN   /srv/app/unknown-" ESC_TEXT ".bin");
	assert_contains(r, "MIT " ESC_TEXT " OR");
	free(r);
}

static void test_json(void **state)
{
	struct fixture *fx = *state;
	char *r = report(fx, "json", false);
	assert_contains(r, "/srv/app/" ESC_JSON "bsl.js");
	assert_contains(r, "latest" ESC_JSON);
	free(r);
}

/* Every writer of the table, alone and all at once from one walk: no raw
 * control byte, and the hostile name is there in some escaped form. */
static void test_every_format(void **state)
{
	struct fixture *fx = *state;
	for (size_t i = 0; lg_report_writers[i]; i++) {
		char *r = report(fx, lg_report_writers[i]->name, true);
		if (!strstr(r, "pwned")) {
			free(r);
			fail_msg("format %s: the hostile name is missing", lg_report_writers[i]->name);
		}
		free(r);
	}
	enum { N = 16 };
	char *outs[N] = { 0 };
	size_t lens[N] = { 0 };
	lg_report_out ro[N] = { 0 };
	size_t n = 0;
	for (; lg_report_writers[n] && n < N; n++) {
		ro[n] = (lg_report_out){ .w = lg_report_writers[n],
					 .out = open_memstream(&outs[n], &lens[n]) };
		assert_non_null(ro[n].out);
	}
	lg_report_options o = { 0 };
	lg_error err = LG_ERROR_INIT;
	assert_int_equal(lg_report_run(fx->scan, &o, ro, n, &err), 0);
	for (size_t i = 0; i < n; i++) {
		fclose(ro[i].out);
		long at = raw_control(outs[i], lens[i]);
		if (at >= 0)
			fail_msg("format %s, written with the others: raw control byte at %ld",
				 lg_report_writers[i]->name, at);
		free(outs[i]);
	}
}

int main(int argc, char **argv)
{
	/* The fixtures are found from the repository's root: from the binary's
	 * place (BUILD/tests/test_report) when run from elsewhere. */
	char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
	if (slash && access(IMAGE, F_OK) != 0) {
		char *root = lg_xasprintf("%.*s/../..", (int)(slash - argv[0]), argv[0]);
		if (chdir(root) != 0)
			perror(root);
		free(root);
	}
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_text),
		T(test_text_verbose),
		T(test_json),
		T(test_every_format),
	};
#undef T
	return cmocka_run_group_tests_name("report", tests, NULL, NULL) ? 1 : 0;
}
