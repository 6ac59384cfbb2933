/* test_error.c - the error object (error.h): several errors print one per
 * line, a newline inside one is data and prints as \x0a, a prefix keeps
 * the lines apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"

static char *printed(const lg_error *err)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	lg_error_print(err, f);
	fclose(f);
	return out;
}

static void test_newline_is_data(void **state)
{
	(void)state;
	lg_error err = LG_ERROR_INIT;
	lg_err(&err, "entry %s: cut", "a\nlicgate: ok");
	lg_err_prefix(&err, "layer 1");
	char *out = printed(&err);
	assert_string_equal(out, "licgate: layer 1: entry a\\x0alicgate: ok: cut\n");
	free(out);
	lg_error_clear(&err);
}

static void test_more_errors_one_per_line(void **state)
{
	(void)state;
	lg_error err = LG_ERROR_INIT;
	lg_err_more(&err, "r:1: bad '%s'", "x\ny");
	lg_err_more(&err, "r:2: two");
	lg_err_more(&err, "r:3: three\n");
	lg_err_prefix(&err, "rules");
	char *out = printed(&err);
	assert_string_equal(out, "licgate: rules: r:1: bad 'x\\x0ay'\n"
				 "licgate: r:2: two\n"
				 "licgate: r:3: three\\x0a\n");
	free(out);
	/* a new error forgets the old one's lines */
	lg_err(&err, "one\ntwo");
	out = printed(&err);
	assert_string_equal(out, "licgate: one\\x0atwo\n");
	free(out);
	lg_error_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_newline_is_data),
		cmocka_unit_test(test_more_errors_one_per_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
