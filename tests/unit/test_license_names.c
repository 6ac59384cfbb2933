/* test_license_names.c - licenses named in words, as package manifests
 * write them, and what is not read as a license. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "license_names.h"

static const struct {
	const char *text;
	const char *want; /* NULL: not a license name */
} cases[] = {
	{ "MIT", "MIT" },
	{ "MIT License", "MIT" },
	{ "The MIT License", "MIT" },
	{ "mit-license", "MIT" },
	{ "MIT licence", "MIT" },
	{ "Expat", "MIT" },
	{ "Apache License, Version 2.0", "Apache-2.0" },
	{ "Apache 2", "Apache-2.0" },
	{ "apache-2", "Apache-2.0" },
	{ "Apache Software License 2.0", "Apache-2.0" },
	{ "BSD 3-Clause", "BSD-3-Clause" },
	{ "New BSD License", "BSD-3-Clause" },
	{ "Simplified BSD", "BSD-2-Clause" },
	{ "GPLv2", "GPL-2.0" },
	{ "GNU GPL v3", "GPL-3.0" },
	{ "LGPL 2.1", "LGPL-2.1" },
	{ "CC0 1.0", "CC0-1.0" },
	{ "Boost Software License 1.0", "BSL-1.0" },
	{ "Business Source License 1.1", "BUSL-1.1" },
	{ "business source license", "BUSL-1.1" },
	{ "BSL 1.1", "BUSL-1.1" },
	{ "Elastic License 2.0", "Elastic-2.0" },
	{ "Server Side Public License", "SSPL-1.0" },
	/* Trove classifiers (Python METADATA) */
	{ "License :: OSI Approved :: MIT License", "MIT" },
	{ "License :: OSI Approved :: Apache Software License", NULL },
	{ "License :: OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)", NULL },
	{ "License :: OSI Approved :: BSD License", NULL },
	{ "License :: Other/Proprietary License", NULL },
	{ "License :: OSI Approved", NULL },
	/* ambiguous or not a name: left alone */
	{ "BSD License", NULL },
	{ "Apache", NULL },
	{ "BSL", NULL },
	{ "Proprietary", NULL },
	{ "UNKNOWN", NULL },
	{ "", NULL },
	{ " - , ", NULL },
	{ "MIT OR Apache-2.0", NULL },
	{ "see LICENSE.txt", NULL },
};

static void test_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = lg_license_name_to_spdx(cases[i].text, strlen(cases[i].text));
		if (!cases[i].want) {
			if (got)
				fail_msg("\"%s\": read as %s, want nothing", cases[i].text, got);
		} else if (!got || strcmp(got, cases[i].want) != 0) {
			fail_msg("\"%s\": read as %s, want %s", cases[i].text,
				 got ? got : "nothing", cases[i].want);
		}
	}
}

/* Only len bytes are read: a name followed by more text is not the name. */
static void test_length_bounds(void **state)
{
	(void)state;
	assert_string_equal(lg_license_name_to_spdx("MIT License, and more", 11), "MIT");
	assert_null(lg_license_name_to_spdx("MIT License, and more", 21));
	char long_text[200];
	memset(long_text, 'a', sizeof(long_text));
	assert_null(lg_license_name_to_spdx(long_text, sizeof(long_text)));
	/* one word longer than any name */
	memcpy(long_text, "MIT ", 4);
	assert_null(lg_license_name_to_spdx(long_text, 95));
}

static void test_trove_name(void **state)
{
	(void)state;
	const char *c = "License :: OSI Approved :: MIT License";
	size_t n = strlen(c);
	const char *name = lg_trove_license_name(c, &n);
	assert_non_null(name);
	assert_int_equal(n, strlen("MIT License"));
	assert_memory_equal(name, "MIT License", n);
	n = strlen("License :: OSI Approved");
	assert_null(lg_trove_license_name("License :: OSI Approved", &n));
	n = strlen("License ::");
	assert_null(lg_trove_license_name("License ::", &n));
	n = strlen("Programming Language :: C");
	assert_null(lg_trove_license_name("Programming Language :: C", &n));
	/* only len bytes are read */
	n = strlen("License :: Public Domain");
	assert_non_null(lg_trove_license_name("License :: Public Domain :: X", &n));
	assert_int_equal(n, strlen("Public Domain"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_length_bounds),
		cmocka_unit_test(test_trove_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
